"""A real Redis for tests: PORTALGRAPH_REDIS_URL if set, else a throwaway redis-server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from tests.helpers.server_process import ServerProcess


class ThrowawayRedis(ServerProcess):
    """A redis-server on a free loopback port that tests may stop, kill and start again.

    `persistent` runs it as deploy/ runs the events Redis: AOF with `appendfsync` as
    given and noeviction, in a directory that outlives restarts (removed by `remove()`).
    """

    def __init__(
        self,
        *,
        persistent: bool = False,
        appendfsync: str = "always",
        extra: tuple[str, ...] = (),
    ) -> None:
        super().__init__("portalgraph-redis-")
        self.persistence = (
            [
                "--appendonly",
                "yes",
                "--appendfsync",
                appendfsync,
                "--maxmemory-policy",
                "noeviction",
            ]
            if persistent
            else ["--appendonly", "no"]
        ) + list(extra)

    name = "redis-server"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        argv = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.launch([*argv, *self.persistence, "--dir", self.directory], seconds=5)


TEST_DATABASE = 15


def worker_database() -> int:
    """15, the last logical database; under pytest-xdist worker gwN takes 15 - N, so two
    workers never empty each other's keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return TEST_DATABASE - int(worker.removeprefix("gw"))


def clean_test_database(url: str) -> str:
    """The configured Redis, but a test database of its own, emptied for this test.

    Tests must not see keys from an earlier run (seen event ids, cached answers), and must
    not touch what else lives in the configured database.
    """
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    isolated = f"{base}/{worker_database()}"
    client = redis.Redis.from_url(isolated)
    try:
        client.flushdb()
    finally:
        client.close()
    return isolated


@contextmanager
def redis_url() -> Iterator[str]:
    """A Redis URL for the test, or skip with the reason when none can be had."""
    configured = os.environ.get("PORTALGRAPH_REDIS_URL")
    if configured:
        yield clean_test_database(configured)
        return
    if shutil.which("redis-server") is None:
        pytest.skip("needs Redis: set PORTALGRAPH_REDIS_URL or install redis-server")
    server = ThrowawayRedis()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def require_redis_server() -> None:
    """Skip without redis-server, except in CI, where .ci/run installs it."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but redis-server is missing: .ci/run must install it")
        pytest.skip("needs redis-server (Debian package redis-server) to start and kill")


@contextmanager
def throwaway_redis(
    *, persistent: bool = True, appendfsync: str = "always", extra: tuple[str, ...] = ()
) -> Iterator[ThrowawayRedis]:
    """A redis-server of the test's own, even when PORTALGRAPH_REDIS_URL is set: it gets killed."""
    require_redis_server()
    server = ThrowawayRedis(persistent=persistent, appendfsync=appendfsync, extra=extra)
    server.start()
    try:
        yield server
    finally:
        server.remove()
