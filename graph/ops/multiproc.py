"""Metrics across uvicorn workers: prometheus-client's multiprocess mode.

With `PORTALGRAPH_WORKERS` above 1 each worker is its own process with its own counters,
and a scrape of /metrics reaches whichever worker accepts it. In multiprocess mode every
worker writes its values to memory-mapped files in `PROMETHEUS_MULTIPROC_DIR`, and the
worker that answers a scrape sums all of them. The gateway sets the variable before it
spawns its workers (they inherit it; prometheus-client reads it when first imported):
an operator's directory is used as given, else a private temporary one removed at exit.
Stale files of an earlier run are removed first, as prometheus-client requires.

The one module besides graph/settings.py that touches the environment
(tests/test_architecture.py names it): prometheus-client takes its directory only from
this variable, read when it is first imported in each spawned worker, so the variable is
the channel to the workers, and `enabled()` asks it because that is what prometheus-client
decided by. It is not a `PORTALGRAPH_*` setting: the name is prometheus-client's.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

ENV = "PROMETHEUS_MULTIPROC_DIR"


def enabled() -> bool:
    return bool(os.environ.get(ENV))


@contextmanager
def shared_directory(workers: int) -> Iterator[Path | None]:
    """The directory the workers share for the run of a server; None for one worker
    without an operator's directory (plain in-process metrics)."""
    given = os.environ.get(ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        yield path
        return
    if workers <= 1:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="portalgraph-metrics-") as tmp:
        os.environ[ENV] = tmp
        try:
            yield Path(tmp)
        finally:
            del os.environ[ENV]


def exposition(registry: CollectorRegistry) -> bytes:
    """The registry's instruments; in multiprocess mode those of every worker, summed."""
    if not enabled():
        return generate_latest(registry)
    merged = CollectorRegistry()
    MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
    return generate_latest(merged)


def worker_exited(pid: int | None) -> None:
    """Drop a dead worker's live gauges (open WebSockets) from the sum."""
    if enabled() and pid is not None:
        mark_process_dead(pid)  # type: ignore[no-untyped-call]
