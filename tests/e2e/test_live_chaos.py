"""Chaos over the wired gateway (issue 19): two `portalgraph serve` replicas, a subscriber
on each, 10 s of events from both sources (Postfach messages found by the pollers and
FIT-Connect callbacks from a sender that retries until 200) while both Redis servers are
SIGKILLed and restarted at random moments. Every event reaches every subscriber exactly
once: delivered = published, no duplicates. Prints published, delivered, duplicates and
the longest delay (run with -s to see them).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.e2e.test_live_durable import new_case
from tests.helpers.callbacks import advance_case
from tests.helpers.live_replicas import Cluster, Collector, cluster, send_until_accepted

SECONDS = 10.0
MESSAGES_PER_S = 8
CASES = 5
DRAIN = 20.0
STATUS = "subscription { applicationStatusChanged { eventId applicationId source } }"
INBOX = "subscription { inboxMessageReceived { eventId subject } }"


@pytest.fixture
def chaos_cluster(sandbox: Sandbox, gateway_settings: Any, tmp_path: Path) -> Iterator[Cluster]:
    with cluster(sandbox, tmp_path) as running:
        yield running


class Chaos:
    """Kills both Redis servers at random moments, down for 0.3–1.5 s each time."""

    def __init__(self, target: Cluster, seed: int) -> None:
        self.target = target
        self.random = random.Random(seed)  # noqa: S311 - reproducible chaos timing, not secrets
        self.kills = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.random.uniform(0.5, 2.0)):
            self.target.redis_down()
            self.kills += 1
            self._stop.wait(self.random.uniform(0.3, 1.5))
            self.target.redis_up()

    def __enter__(self) -> Chaos:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self.target.redis_up()


def test_chaos_delivers_every_event_exactly_once_to_every_subscriber(
    chaos_cluster: Cluster, sandbox: Sandbox
) -> None:
    up = chaos_cluster
    # Submitted through replica a; this test is FIT-Connect's sender for their callbacks.
    cases = [new_case(sandbox, up.a.url).take_over() for _ in range(CASES)]
    inbox = [Collector(r.url, sandbox.demo_token("lena"), INBOX) for r in (up.a, up.b)]
    status = [Collector(r.url, cases[0].token, STATUS) for r in (up.a, up.b)]
    sent: dict[str, float] = {}  # subject / application id → when it was published upstream
    senders: list[threading.Thread] = []
    time.sleep(2.5)  # both replicas follow both viewers
    try:
        with Chaos(up, seed=19) as chaos:
            started, n = time.monotonic(), 0
            while time.monotonic() - started < SECONDS:
                subject = f"Chaos {n:04d}"
                sent[subject] = time.monotonic()
                url = sandbox.url("koeln", "inbox") + "/_sandbox/messages"
                sandbox.http.post(url, json={"login": "lena", "title": subject}).raise_for_status()
                if n % int(SECONDS * MESSAGES_PER_S / CASES) == 0 and cases:
                    made = cases.pop()
                    sent[made.application["id"]] = time.monotonic()
                    advance_case(sandbox, made.case)
                    replica = (up.a, up.b)[len(cases) % 2]
                    sender = threading.Thread(
                        target=send_until_accepted,
                        args=(replica.url, made, 60),
                        daemon=True,
                    )
                    sender.start()
                    senders.append(sender)
                n += 1
                time.sleep(1 / MESSAGES_PER_S)
        for sender in senders:
            sender.join(30)
        published = set(sent)
        deadline = time.monotonic() + DRAIN
        while time.monotonic() < deadline:
            if all(published <= set(received(c)) for c in inbox + status):
                break
            time.sleep(0.1)
        time.sleep(1.0)  # a late second copy would arrive by now
        report(chaos.kills, sent, inbox, status)
    finally:
        for collector in inbox + status:
            collector.close()


def received(collector: Collector) -> dict[str, float]:
    """What the subscriber got, by key (subject or application id), first arrival."""
    found: dict[str, float] = {}
    for at, key in arrivals(collector):
        found.setdefault(key, at)
    return found


def arrivals(collector: Collector) -> list[tuple[float, str]]:
    out = []
    for at, data in list(collector.items):
        if "inboxMessageReceived" in data:
            out.append((at, data["inboxMessageReceived"]["subject"]))
        elif data["applicationStatusChanged"]["source"] == "FIT_CONNECT":
            out.append((at, data["applicationStatusChanged"]["applicationId"]))
    return out


def report(
    kills: int, sent: dict[str, float], inbox: list[Collector], status: list[Collector]
) -> None:
    messages = {k for k in sent if k.startswith("Chaos ")}
    cases = set(sent) - messages
    lines, failures = [], []
    for name, collector, wanted in (
        *(("inbox@" + "ab"[i], c, messages) for i, c in enumerate(inbox)),
        *(("status@" + "ab"[i], c, cases) for i, c in enumerate(status)),
    ):
        keys = [key for _, key in arrivals(collector) if key in wanted]
        counts = Counter(keys)
        duplicates = sum(count - 1 for count in counts.values())
        missing = wanted - set(counts)
        first = received(collector)
        longest = max((first[k] - sent[k] for k in wanted & set(first)), default=0.0)
        lines.append(
            f"{name}: published {len(wanted)}, delivered {len(counts)}, duplicates {duplicates},"
            f" missing {len(missing)}, longest delay {longest:.2f} s"
        )
        if missing or duplicates or collector.errors:
            failures.append(f"{name}: missing {sorted(missing)[:5]}, errors {collector.errors[:2]}")
    print(f"\nchaos over the wired gateway, {SECONDS:.0f} s, {kills} Redis kills:")
    print("\n".join(lines))
    assert kills >= 3
    assert not failures, failures
