"""Figures for the abuse tests: upstream calls across the sandbox, peak RSS, spool size.

The tests print what they measure (run with `-s`), so the report's before/after figures
come from the same code that asserts them.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.conftest import Sandbox


def total_calls(sandbox: Sandbox) -> int:
    """Every counted upstream call of every sandbox upstream since the last reset."""
    return sum(sum(calls.values()) for calls in sandbox.handle.all_stats().values())


def rss_bytes() -> int:
    """The resident set size of this process (the gateway runs in it, on its loop thread)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def spool_bytes() -> int:
    """Bytes in this process's open temporary files: where Starlette spools uploads.

    Python's TemporaryFile is unlinked at once (O_TMPFILE), so only /proc/self/fd sees it.
    """
    root = tempfile.gettempdir()
    total = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith(root) and target.endswith("(deleted)"):
                total += os.stat(f"/proc/self/fd/{fd}").st_size
        except OSError:
            continue  # closed while we looked
    return total


@dataclass
class Figures:
    name: str
    started: float = field(default_factory=time.perf_counter)
    values: dict[str, float] = field(default_factory=dict)

    def note(self, key: str, value: float) -> None:
        self.values[key] = value

    def report(self) -> str:
        seconds = time.perf_counter() - self.started
        parts = [
            f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in self.values.items()
        ]
        return f"[figures] {self.name}: time={seconds:.2f}s " + " ".join(parts)


@contextmanager
def figures(name: str) -> Iterator[Figures]:
    found = Figures(name)
    yield found
    print(found.report())
