"""A throwaway nats-server with JetStream (file storage in a temporary directory)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from graph.testing import free_port

# Debian installs it in /usr/sbin, which is not on every user's PATH.
CANDIDATES = ("nats-server", "/usr/sbin/nats-server", "/usr/local/bin/nats-server")


def nats_binary() -> str | None:
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found is not None:
            return found
    return None


class ThrowawayNats:
    """nats-server -js on a free loopback port; its store survives stop/kill and start."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="portalgraph-nats-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = nats_binary()
        assert binary is not None
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local binary, our own arguments
            [binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", self.directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self.process.returncode}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise RuntimeError("nats-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def kill(self) -> None:
        """SIGKILL: a crash."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(5)
            self.process = None

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def require_nats() -> None:
    """Skip without nats-server, except in CI, where .ci/run installs it and a skip would hide it."""
    if nats_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nats-server is missing: .ci/run must install it")
        pytest.skip("needs nats-server (Debian package nats-server) for the JetStream event log")


@contextmanager
def throwaway_nats() -> Iterator[ThrowawayNats]:
    require_nats()
    server = ThrowawayNats()
    server.start()
    try:
        yield server
    finally:
        server.remove()
