"""The event log URL picks the backend; a wrong scheme is a clear configuration error."""

from __future__ import annotations

import pytest

from sources.base import Retention
from sources.events.logs import JetStreamLog, MemoryEventLog, RedisStreamLog, event_log_for


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (None, MemoryEventLog),
        ("", MemoryEventLog),
        ("redis://events:6379/0", RedisStreamLog),
        ("rediss://events:6380/0", RedisStreamLog),
        ("nats://nats:4222", JetStreamLog),
    ],
)
async def test_the_scheme_picks_the_backend(url: str | None, kind: type) -> None:
    log = event_log_for(url, Retention(max_age=60))
    assert isinstance(log, kind)
    await log.close()  # nothing was started: closing must still work


def test_an_unknown_scheme_is_refused_with_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match=r"redis://.*nats://"):
        event_log_for("http://events:6379")
