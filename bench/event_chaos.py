"""Events appended without pause while the log's server is killed (SIGKILL) and restarted at
random moments; two replicas' feeds deliver to one subscriber each.

The appender behaves like a callback sender: an append that failed is retried until the log
acknowledges it. At the end every replica must have delivered exactly the acknowledged
events, each once, in log order. Used by tests/e2e/test_event_log_chaos.py and
`python -m bench.event_log`.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from sources.base import EventPosition
from sources.errors import EventLogUnavailableError
from sources.events.feed import EventFeed, Subscription
from tests.helpers.event_logs import Backend, event


@dataclass
class Replica:
    """What one replica's subscriber received: id → delivery times, positions in order."""

    times: dict[str, list[float]] = field(default_factory=dict)
    positions: list[EventPosition] = field(default_factory=list)

    @property
    def repeated(self) -> int:
        return sum(len(t) - 1 for t in self.times.values())

    def in_order(self) -> bool:
        return all(a < b for a, b in zip(self.positions, self.positions[1:], strict=False))


@dataclass
class ChaosResult:
    backend: str
    seconds: float
    restarts: int
    acknowledged: int
    failed_attempts: int
    stored_twice: int  # retried appends the log recognised as already stored (ack was lost)
    replicas: list[Replica]
    missing: int  # acknowledged but not delivered by some replica
    unacknowledged: int  # delivered but never acknowledged
    longest_delay: float  # first append attempt → delivery, outages included
    longest_after_ack: float  # acknowledgement → delivery

    def summary(self) -> str:
        delivered = "/".join(str(len(r.times)) for r in self.replicas)
        return (
            f"{self.backend}: {self.seconds:.0f} s, {self.restarts} crashes+restarts, "
            f"{self.acknowledged} acknowledged ({self.failed_attempts} failed attempts retried, "
            f"{self.stored_twice} recognised as already stored), delivered {delivered} per "
            f"replica, duplicates {sum(r.repeated for r in self.replicas)}, missing "
            f"{self.missing}, longest delay {self.longest_delay:.2f} s from the first attempt "
            f"({self.longest_after_ack:.2f} s after the acknowledgement)"
        )


async def drain(subscription: Subscription, replica: Replica) -> None:
    while True:
        logged = await subscription.next()
        replica.times.setdefault(logged.event.id, []).append(time.monotonic())
        replica.positions.append(logged.position)


async def run_chaos(
    backend: Backend, *, seconds: float, rate: float = 200.0, seed: int = 19, replicas: int = 2
) -> ChaosResult:
    writer = await backend.log(append_timeout=0.5)
    feeds = [EventFeed(await backend.log()) for _ in range(replicas)]
    received = [Replica() for _ in feeds]
    for feed in feeds:
        await feed.start()
    drains = [
        asyncio.create_task(drain(await feed.subscribe("chaos", max_queue=10**6), replica))
        for feed, replica in zip(feeds, received, strict=True)
    ]
    first_attempt: dict[str, float] = {}
    acknowledged: dict[str, float] = {}
    failed = 0
    stop = asyncio.Event()

    async def append_until_stopped() -> None:
        nonlocal failed
        i = 0
        while not stop.is_set():
            item = event(i, audience="chaos", prefix="c")
            first_attempt[item.id] = time.monotonic()
            while True:
                try:
                    await writer.append(item)
                    break
                except EventLogUnavailableError:
                    failed += 1
                    await asyncio.sleep(0.02)  # a sender's retry
            acknowledged[item.id] = time.monotonic()
            i += 1
            await asyncio.sleep(1 / rate)

    async def crash_at_random() -> int:
        rng = random.Random(seed)
        restarts, end = 0, started + seconds - 3.0  # the last crash fits in the time given
        while time.monotonic() < end:
            await asyncio.sleep(rng.uniform(0.3, 2.0))
            backend.server.kill()
            await asyncio.sleep(rng.uniform(0.05, 1.0))
            await asyncio.to_thread(backend.server.start)
            restarts += 1
        return restarts

    started = time.monotonic()
    appender = asyncio.create_task(append_until_stopped())
    restarts = await crash_at_random()
    await asyncio.sleep(max(started + seconds - time.monotonic(), 0))
    stop.set()
    await appender
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(set(acknowledged) - set(r.times) for r in received):
        await asyncio.sleep(0.05)
    for task in drains:
        task.cancel()
    for feed in feeds:
        await feed.close()
    return ChaosResult(
        backend=backend.name,
        seconds=seconds,
        restarts=restarts,
        acknowledged=len(acknowledged),
        failed_attempts=failed,
        stored_twice=writer.status().duplicates,
        replicas=received,
        missing=sum(len(set(acknowledged) - set(r.times)) for r in received),
        unacknowledged=sum(len(set(r.times) - set(acknowledged)) for r in received),
        longest_delay=max(
            (times[0] - first_attempt[i] for r in received for i, times in r.times.items()),
            default=0.0,
        ),
        longest_after_ack=max(
            (
                times[0] - acknowledged[i]
                for r in received
                for i, times in r.times.items()
                if i in acknowledged
            ),
            default=0.0,
        ),
    )
