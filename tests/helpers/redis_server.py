"""A real Redis for tests: PORTALGRAPH_REDIS_URL if set, else a throwaway redis-server."""

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
import redis

from graph.testing import free_port


class ThrowawayRedis:
    """A redis-server on a free loopback port that tests may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="portalgraph-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local binary, our own arguments
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None


TEST_DATABASE = 15


def clean_test_database(url: str) -> str:
    """The configured Redis, but its last logical database, emptied for this test.

    Tests must not see keys from an earlier run (seen event ids, cached answers), and must
    not touch what else lives in the configured database.
    """
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    isolated = f"{base}/{TEST_DATABASE}"
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
