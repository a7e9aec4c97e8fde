"""A throwaway nats-server with JetStream (file storage in a temporary directory)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.helpers.server_process import ServerProcess

# Debian installs it in /usr/sbin, which is not on every user's PATH.
CANDIDATES = ("nats-server", "/usr/sbin/nats-server", "/usr/local/bin/nats-server")


def nats_binary() -> str | None:
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found is not None:
            return found
    return None


class ThrowawayNats(ServerProcess):
    """nats-server -js on a free loopback port; its store survives stop/kill and start."""

    name = "nats-server"

    def __init__(self) -> None:
        super().__init__("portalgraph-nats-")

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = nats_binary()
        assert binary is not None
        argv = [binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", self.directory]
        self.launch(argv, seconds=10)


def require_nats() -> None:
    """Skip without nats-server, except in CI, where .ci/run installs it and a skip would hide it."""
    if nats_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nats-server is missing: .ci/run must install it")
        pytest.skip("needs nats-server (Debian package nats-server) for the JetStream event log")


@contextmanager
def throwaway_nats() -> Iterator[ThrowawayNats]:
    require_nats()
    server = ThrowawayNats()
    server.start()
    try:
        yield server
    finally:
        server.remove()
