"""Two `portalgraph serve` replicas on a throwaway events Redis the tests kill and restart.

The events Redis runs like deploy/ runs it (AOF `appendfsync always`, noeviction); the
cache Redis (rate limits, poll locks, public-data cache) is a second throwaway server with a
tiny `maxmemory` under `allkeys-lru`, so cache traffic evicts. The journal (case routes) is a
fresh PostgreSQL database. `Collector` reads one subscription in a thread and keeps every
event with the moment it arrived.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import Gateway, Sandbox
from tests.e2e.test_replicas import Replica
from tests.helpers.callbacks import Submitted, post_callback
from tests.helpers.citizen_links import learn_demo_links
from tests.helpers.live import LiveClient
from tests.helpers.postgres import fresh_database
from tests.helpers.redis_server import ThrowawayRedis, throwaway_redis

POLL = 0.3  # seconds between polls of a watched mailbox


@dataclass
class Cluster:
    a: Replica
    b: Replica
    events: ThrowawayRedis
    cache: ThrowawayRedis

    def redis_down(self) -> None:
        self.events.kill()
        self.cache.kill()

    def redis_up(self) -> None:
        for server in (self.events, self.cache):
            if server.process is None:
                server.start()


@contextlib.contextmanager
def cluster(sandbox: Sandbox, tmp_path: Path) -> Iterator[Cluster]:
    with (
        fresh_database("portalgraph_live") as database,
        throwaway_redis() as events,
        throwaway_redis(
            persistent=False, extra=("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")
        ) as cache,
    ):
        extra = {
            "PORTALGRAPH_DATABASE_URL": database,
            "PORTALGRAPH_EVENT_LOG_URL": events.url,
            "PORTALGRAPH_POLL_INTERVAL": str(POLL),
        }
        pair = (
            Replica(sandbox.toml_path, cache.url, tmp_path / "a.log", extra=extra),
            Replica(sandbox.toml_path, cache.url, tmp_path / "b.log", extra=extra),
        )
        try:
            for replica in pair:
                replica.wait_ready()
            # The fresh journal knows no account links: learn the demo citizens' (conftest).
            gateway = Gateway(pair[0].url)
            try:
                learn_demo_links(gateway, sandbox.demo_token)
            finally:
                gateway.http.close()
            yield Cluster(pair[0], pair[1], events, cache)
        finally:
            for replica in pair:
                replica.stop()


class Collector:
    """One subscription, read in a thread: (arrival time, data) of every event."""

    def __init__(
        self, url: str, token: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        self.client = LiveClient(url, token)
        self.client.subscribe(query, variables)
        self.items: list[tuple[float, dict[str, Any]]] = []
        self.errors: list[Any] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stopped.is_set():
            try:
                message = self.client.receive(0.2)
            except TimeoutError:
                continue
            except Exception as exc:  # closed: recorded, the test judges it
                self.errors.append(repr(exc))
                return
            if message["type"] == "next" and message["payload"].get("errors"):
                self.errors.append(message["payload"]["errors"])
            elif message["type"] == "next":
                self.items.append((time.monotonic(), message["payload"]["data"]))
            elif message["type"] == "ping":
                self.client.send({"type": "pong"})
            elif message["type"] in ("error", "complete"):
                self.errors.append(message)

    def field(self, name: str) -> list[tuple[float, dict[str, Any]]]:
        return [(at, data[name]) for at, data in list(self.items)]

    def close(self) -> None:
        self._stopped.set()
        self._thread.join(5)
        self.client.close()


def wait_until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


def send_until_accepted(url: str, made: Submitted, seconds: float) -> int:
    """Like FIT-Connect's sender: `made`'s callback, signed with its secret, retried until
    200; how many attempts were refused."""
    refused = 0
    deadline = time.monotonic() + seconds
    while True:
        answer = post_callback(url, made.portal, made.new_events(), made.secret)
        if answer.status_code == 200:
            return refused
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"].isdigit()
        refused += 1
        assert time.monotonic() < deadline, "the callback was never accepted"
        time.sleep(0.2)
