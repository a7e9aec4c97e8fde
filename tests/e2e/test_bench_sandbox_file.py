"""bench/sandbox_file.py: each sandbox a bench process starts is the one its gateway reads.

`bench.dashboard --journal both` starts two sandboxes in one process; with the first
one's network file and secrets kept in the environment, the second gateway asked a
stopped sandbox with the wrong secrets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bench.sandbox_file import started_sandbox


@pytest.fixture(autouse=True)
def kept_environment() -> Iterator[None]:
    """The environment as it was before: the sandboxes' variables leave with the test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


async def test_a_second_sandbox_replaces_the_first_ones_environment() -> None:
    first, _ = await started_sandbox(municipalities=2)
    try:
        first_env = first.env()
    finally:
        await first.stop()
    second, path = await started_sandbox(municipalities=2)
    try:
        second_env = second.env()
        assert path == second.network_file != first.network_file
        changed = [name for name in second_env if second_env[name] != first_env.get(name)]
        assert changed, "the two sandboxes share every secret: nothing to compare"
        assert {name: os.environ[name] for name in second_env} == second_env
    finally:
        await second.stop()
