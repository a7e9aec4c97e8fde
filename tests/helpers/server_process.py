"""A server binary the tests start, stop, kill and restart on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

from graph.testing import free_port


class ServerProcess:
    """One local server process; its data directory survives stop/kill and start."""

    name = "server"

    def __init__(self, prefix: str) -> None:
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix=prefix)
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self, argv: list[str], seconds: float) -> None:
        """Start `argv` and wait until its port accepts connections."""
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local binary, our own arguments
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def kill(self) -> None:
        """SIGKILL: a crash, with no chance to write anything more to disk."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(5)
            self.process = None

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)
