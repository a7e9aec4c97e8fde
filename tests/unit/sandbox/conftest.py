"""The topology sandbox (network file v2) with four municipalities, once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.topology_sandbox import TopologySandboxHandle, topology_sandbox


@pytest.fixture(scope="session")
def topology() -> Iterator[TopologySandboxHandle]:
    with topology_sandbox(municipalities=4) as sandbox:
        yield sandbox
