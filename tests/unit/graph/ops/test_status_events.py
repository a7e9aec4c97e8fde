"""The event log's line on /status: reachable, not durable, or degraded (issue 19)."""

from __future__ import annotations

import dataclasses

from graph.ops.status_page import events_line
from sources.base import EventLogStatus

UP = EventLogStatus(
    backend="redis",
    connected=True,
    lag=0.0,
    reconnects=2,
    appended=10,
    duplicates=0,
    append_failures=0,
    delivered=10,
    missed=0,
    durable=True,
)


def test_the_event_log_line_says_whether_live_updates_can_flow() -> None:
    assert events_line(None) == ""
    assert 'id="events">erreichbar</span>' in events_line(UP)
    assert "Redis Streams" in events_line(UP)
    assert "Neuverbindungen 2" in events_line(UP)
    loose = events_line(dataclasses.replace(UP, durable=False))
    assert 'class="state warn" id="events">erreichbar, aber nicht dauerhaft' in loose
    down = events_line(dataclasses.replace(UP, connected=False, lag=12.5))
    assert 'class="state bad" id="events">nicht erreichbar' in down
    assert "Rückstand 12,5 s" in down
