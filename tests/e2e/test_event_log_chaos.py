"""Chaos: events appended continuously while the log's server crashes and restarts at random.

Bounded (10 s of chaos per backend) and marked slow, yet part of `make test`. Run with
`-s` to see the figures; `python -m bench.event_log` reports them too.
"""

from __future__ import annotations

import pytest

from bench.event_chaos import run_chaos
from tests.helpers.event_logs import BACKENDS, backend_server


@pytest.mark.slow
@pytest.mark.parametrize("name", BACKENDS)
async def test_every_acknowledged_event_reaches_every_replica_once_in_order(name: str) -> None:
    with backend_server(name) as backend:
        try:
            result = await run_chaos(backend, seconds=10, rate=200)
        finally:
            await backend.close()
    print(result.summary())
    assert result.restarts >= 3
    assert result.failed_attempts > 0  # the outages did hit the appender
    # Fsync per append (Redis) on a busy shared disk acknowledges far fewer than 200/s.
    assert result.acknowledged > 100
    assert result.missing == 0
    assert result.unacknowledged == 0  # every attempt was retried until acknowledged
    for replica in result.replicas:
        assert len(replica.times) == result.acknowledged
        assert replica.repeated == 0
        assert replica.in_order()
