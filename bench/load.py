"""Closed-loop load: C workers, each sending its next request when the last one answered.

The gateway's load generator is a minimal keep-alive HTTP/1.1 client on asyncio
streams (no httpx), so it costs far less CPU per request than the gateway does; the
suite records the generator's CPU per request next to the gateway's to show it is
not the bottleneck, and cross-checks one figure with wrk.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


class Http1:
    """One keep-alive connection; POST only, Content-Length framed (what uvicorn sends)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: str = "") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{headers}\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Run:
    latencies: list[float]
    elapsed: float
    errors: int

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


Worker = Callable[[int, int], Awaitable[bool]]  # (worker, n) -> answered correctly


async def closed_loop(work: Worker, concurrency: int, seconds: float, limit: int) -> Run:
    """Run for `seconds` or `limit` requests in all, whichever comes first."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        nonlocal errors
        n = 0
        while time.perf_counter() < stop and len(latencies) + errors < limit:
            started = time.perf_counter()
            ok = await work(index, n)
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return Run(latencies, time.perf_counter() - started, errors)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def summary(run: Run) -> dict[str, float]:
    """Latencies in ms, throughput in requests per second."""
    return {
        "rps": run.throughput,
        "p50": percentile(run.latencies, 0.5) * 1000,
        "p95": percentile(run.latencies, 0.95) * 1000,
        "p99": percentile(run.latencies, 0.99) * 1000,
        "n": float(len(run.latencies)),
        "errors": float(run.errors),
    }


def median_spread(values: list[float]) -> tuple[float, float, float]:
    """Median, min and max of the repeated runs' values."""
    return statistics.median(values), min(values), max(values)


def pick(seed: int, worker: int, n: int, size: int) -> int:
    """The n-th citizen of a worker: the same sequence for the gateway and the floor."""
    return (seed * 1_000_003 + worker * 7_919 + n * 104_729) % size
