"""What an attack costs the gateway process: its RSS and its spooled uploads, sampled.

A thread samples the gateway's process tree every 5 ms from /proc: the resident set
(VmRSS) and the size of its open, unlinked temporary files (Python's TemporaryFile is
unlinked at once, so only /proc/PID/fd sees the spool).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

from bench.procs import process_tree

MIB = 2**20


def rss_bytes(pid: int) -> int:
    total = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            continue  # ended in between
    return total


def spool_bytes(pid: int, root: str = tempfile.gettempdir()) -> int:
    total = 0
    for member in process_tree(pid):
        try:
            fds = os.listdir(f"/proc/{member}/fd")
        except OSError:
            continue
        for fd in fds:
            path = f"/proc/{member}/fd/{fd}"
            try:
                target = os.readlink(path)
                if target.startswith(root) and target.endswith("(deleted)"):
                    total += os.stat(path).st_size
            except OSError:
                continue  # closed while we looked
    return total


class Watch:
    """`with Watch(pid) as w:` ... then w.rss_before, w.rss_peak, w.spool_peak, w.seconds."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.rss_before = rss_bytes(pid)
        self.rss_peak = self.rss_before
        self.spool_peak = 0
        self.seconds = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            self.rss_peak = max(self.rss_peak, rss_bytes(self.pid))
            self.spool_peak = max(self.spool_peak, spool_bytes(self.pid))
            time.sleep(0.005)

    def __enter__(self) -> Watch:
        self.started = time.perf_counter()
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.seconds = time.perf_counter() - self.started
        self.stop.set()
        self.thread.join()

    def rss(self) -> str:
        return f"RSS {self.rss_before / MIB:.0f}→{self.rss_peak / MIB:.0f} MiB"
