"""The durable event logs measured on this machine: `python -m bench.event_log`.

For each backend, on a throwaway server of its own (Redis with AOF and noeviction;
nats-server -js with file storage): append latency (sequential, one connection),
end-to-end latency from append to delivery at a fixed rate with several consumer
processes (each one replica: its own connection, reading the whole log), an outage
(appends while the server is down, recovery after the restart, nothing lost), and the
chaos run of bench/event_chaos.py. Prints a Markdown report (docs/live-updates-delivery.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import os
import statistics
import time
import uuid
from multiprocessing.connection import Connection
from typing import Any

from bench.event_chaos import run_chaos
from sources.base import EventLog, EventPosition
from sources.errors import EventLogUnavailableError
from tests.helpers.event_logs import Backend, backend_server, event, open_log, until_answering

VARIANTS = ["redis", "redis-everysec", "jetstream"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def ms(values: list[float]) -> str:
    return (
        f"{percentile(values, 0.5) * 1000:.2f} / {percentile(values, 0.99) * 1000:.2f} / "
        f"{max(values) * 1000:.1f}"
    )


async def append_latency(backend: Backend, count: int) -> list[float]:
    run = uuid.uuid4().hex[:8]  # new ids each round: a repeated id would be a duplicate
    log = await backend.log()
    for i in range(200):  # warm-up: connections, script cache, stream creation
        await log.append(event(i, prefix=f"w{run}-"))
    timings = []
    for i in range(count):
        started = time.perf_counter()
        await log.append(event(i, prefix=f"a{run}-"))
        timings.append(time.perf_counter() - started)
    return timings


def consume(name: str, url: str, namespace: str, count: int, pipe: Connection) -> None:
    """A consumer process (one replica): its own connection, the whole log from the head."""

    async def main() -> list[float]:
        logging.getLogger("portalgraph.events").setLevel(logging.ERROR)  # closing is not news
        log = open_log(name, url, namespace)
        await log.start()
        await until_answering(log)
        head = await log.head()
        pipe.send(head)
        delays: list[float] = []
        events = log.read(head)
        try:
            while len(delays) < count:
                logged = await asyncio.wait_for(anext(events), 10)
                delays.append(time.time() - logged.event.data["sent"])
        except TimeoutError:
            pass  # some appends were refused: nothing more is coming
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(events.aclose(), 5)
            await asyncio.wait_for(log.close(), 10)
        return delays

    pipe.send(asyncio.run(main()))


async def end_to_end(backend: Backend, rate: int, seconds: float, consumers: int) -> dict[str, Any]:
    count = int(rate * seconds)
    run = uuid.uuid4().hex[:8]
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for _ in range(consumers):
        mine, theirs = context.Pipe()
        process = context.Process(
            target=consume,
            args=(backend.name, backend.server.url, backend.namespace, count, theirs),
            daemon=True,  # ends with the benchmark, even when it fails
        )
        process.start()
        theirs.close()  # so a consumer that dies shows as EOF here, not as silence
        pipes.append(mine)
        processes.append(process)
    for pipe in pipes:  # each consumer is reading before the first append
        await asyncio.to_thread(pipe.recv)
    log = await backend.log()
    appends: list[asyncio.Task[EventPosition]] = []
    started = time.monotonic()
    for i in range(count):
        await asyncio.sleep(max(started + i / rate - time.monotonic(), 0))
        # Concurrent appends, as concurrent callbacks would make them.
        appends.append(asyncio.create_task(log.append(event(i, prefix=f"x{run}-"))))
    results = await asyncio.gather(*appends, return_exceptions=True)
    achieved = count / (time.monotonic() - started)
    failed = sum(isinstance(r, BaseException) for r in results)
    delays: list[float] = []
    for pipe in pipes:
        if await asyncio.to_thread(pipe.poll, 60):
            delays += await asyncio.to_thread(pipe.recv)
    for process in processes:
        process.terminate()
        process.join(10)
    return {
        "rate": achieved,
        "failed": failed,
        "delivered": len(delays),
        "expected": (count - failed) * consumers,
        "delays": delays or [0.0],
    }


async def outage(backend: Backend, appends: int = 20) -> dict[str, Any]:
    log = await backend.log(append_timeout=1.0)
    origin = await log.head()
    stored = [await log.append(event(i, prefix="o")) for i in range(100)]
    backend.server.kill()
    failures = []
    for i in range(appends):
        started = time.perf_counter()
        try:
            await log.append(event(i, prefix="down"))
        except EventLogUnavailableError:
            failures.append(time.perf_counter() - started)
    restarted = time.perf_counter()
    await asyncio.to_thread(backend.server.start)
    while True:
        try:
            stored.append(await log.append(event(0, prefix="back")))
            break
        except EventLogUnavailableError:
            await asyncio.sleep(0.01)
    recovery = time.perf_counter() - restarted
    kept = await replay_all(await backend.log(), origin)
    return {
        "failures": failures,
        "refused": len(failures),
        "recovery": recovery,
        "lost": len(set(stored) - set(kept)),
    }


async def crash_losses(backend: Backend, rounds: int, fill: int) -> list[int]:
    """Per round: 100 acknowledged appends, SIGKILL, restart; how many a fresh reader misses.

    The stream is filled first: a larger AOF makes the disk lag behind, as in production.
    """
    log = await backend.log()
    for start in range(0, fill, 500):
        await asyncio.gather(*(log.append(event(i, prefix="f")) for i in range(start, start + 500)))
    losses = []
    for n in range(rounds):
        await backend.until_appendable(log)
        origin = await log.head()
        stored = [await log.append(event(i, prefix=f"k{n}-")) for i in range(100)]
        backend.server.kill()
        await asyncio.to_thread(backend.server.start)
        kept = await replay_all(await backend.log(), origin)
        losses.append(len(set(stored) - set(kept)))
    return losses


async def replay_all(log: EventLog, origin: EventPosition) -> list[EventPosition]:
    positions: list[EventPosition] = []
    after = origin
    while True:
        replay = await log.replay(after, limit=1000)
        positions += [e.position for e in replay.events]
        if not replay.more:
            return positions
        after = replay.events[-1].position


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


async def measure(args: argparse.Namespace) -> list[str]:
    variants = args.variants.split(",")
    lines = [f"load average at the start (1/5/15 min): {load()}"]
    with contextlib.ExitStack() as stack:
        backends = {v: stack.enter_context(backend_server(v)) for v in variants}
        try:
            # Rounds alternate the backends, so a busy moment of the machine hits each alike.
            rounds: dict[str, list[tuple[list[float], dict[str, Any]]]] = {v: [] for v in variants}
            for _ in range(args.repeat):
                for variant, backend in backends.items():
                    appended = await append_latency(backend, args.appends)
                    flow = await end_to_end(backend, args.rate, args.seconds, args.consumers)
                    rounds[variant].append((appended, flow))
            for variant, results in rounds.items():
                lines += [f"### {variant}", *report_rounds(results, args)]
                backend = backends[variant]
                down = await outage(backend)
                lines.append(
                    f"- server killed: {down['refused']} of 20 appends refused, each within "
                    f"{max(down['failures']) * 1000:.1f} ms; first append stored "
                    f"{down['recovery'] * 1000:.0f} ms after the restart began; "
                    f"acknowledged but lost: {down['lost']}"
                )
                losses = await crash_losses(backend, args.crashes, args.fill)
                lines.append(
                    f"- {args.crashes} crashes, each right after 100 acknowledged appends, with "
                    f"{args.fill} events stored before: acknowledged but lost per crash {losses}"
                )
                if variant != "redis-everysec":
                    chaos = await run_chaos(backend, seconds=args.chaos)
                    lines.append(f"- chaos: {chaos.summary()}")
        finally:
            for backend in backends.values():
                await backend.close()
    lines.append(f"load average at the end: {load()}")
    return lines


def report_rounds(
    results: list[tuple[list[float], dict[str, Any]]], args: argparse.Namespace
) -> list[str]:
    lines = []
    for n, (appended, flow) in enumerate(results, 1):
        lines.append(
            f"- round {n}: append p50 / p99 / max (ms) {ms(appended)}; end to end at "
            f"{flow['rate']:.0f} events/s to {args.consumers} consumer processes: p50 / p99 / max "
            f"(ms) {ms(flow['delays'])}; delivered {flow['delivered']} of {flow['expected']}; "
            f"appends refused: {flow['failed']}"
        )
    p50s = [percentile(f["delays"], 0.5) * 1000 for _, f in results]
    p99s = [percentile(f["delays"], 0.99) * 1000 for _, f in results]
    a50 = [percentile(a, 0.5) * 1000 for a, _ in results]
    a99 = [percentile(a, 0.99) * 1000 for a, _ in results]
    lines.append(
        f"- median of {len(results)} rounds: append p50 {statistics.median(a50):.2f} ms, p99 "
        f"{statistics.median(a99):.2f} ms; end to end p50 {statistics.median(p50s):.2f} ms, "
        f"p99 {statistics.median(p99s):.2f} ms"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--consumers", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chaos", type=float, default=20.0)
    parser.add_argument("--crashes", type=int, default=10)
    parser.add_argument("--fill", type=int, default=40_000)
    args = parser.parse_args()
    logging.getLogger("portalgraph.events").setLevel(logging.ERROR)  # the outages are on purpose
    print("\n".join(asyncio.run(measure(args))), flush=True)


if __name__ == "__main__":
    main()
