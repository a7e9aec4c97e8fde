"""The event logs: the public face of the backends, and which one a URL names.

The composition root calls `event_log_for(settings)`; the backends themselves are private
modules (`_memory`, `_redis_streams`, `_jetstream`), like the transport behind `_http`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sources.base import EventLog, Retention
from sources.events._jetstream import JetStreamLog
from sources.events._memory import MemoryEventLog
from sources.events._redis_streams import RedisStreamLog

__all__ = ["JetStreamLog", "MemoryEventLog", "RedisStreamLog", "event_log_for"]

SCHEMES = {
    "redis": "redis",
    "rediss": "redis",
    "unix": "redis",
    "nats": "jetstream",
    "tls": "jetstream",
}


def event_log_for(
    url: str | None, retention: Retention | None = None, *, append_timeout: float = 1.0
) -> EventLog:
    """redis://, rediss://, unix:// → Redis Streams; nats://, tls:// → JetStream; None → memory.

    Raises ValueError naming the scheme for anything else, so a configuration check can say so.
    """
    if not url:
        return MemoryEventLog(retention)
    backend = SCHEMES.get(urlsplit(url).scheme)
    if backend == "redis":
        return RedisStreamLog(url, retention, append_timeout=append_timeout)
    if backend == "jetstream":
        return JetStreamLog(url, retention, append_timeout=append_timeout)
    raise ValueError(
        f"event log URL must start with one of {', '.join(s + '://' for s in SCHEMES)}"
    )
