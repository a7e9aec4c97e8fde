"""The seam through which metrics and tracing watch upstream calls.

`Upstream.send` opens one `call` per HTTP exchange (each retry is its own call);
`ResilientUpstream` reports retries and the calls it refused without sending. The
composition root injects an implementation; sources/ never imports prometheus or
OpenTelemetry. The observer's context manager sees the exception a call ended with
(a `SourceError` carries its `code`), so the adapters need no extra bookkeeping.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class UpstreamCall:
    """One exchange in flight: the headers to send (an observer may add trace context)."""

    headers: Mapping[str, str] | None
    status: int | None = None


class UpstreamObserver(Protocol):
    def call(
        self, portal_id: str, capability: str, method: str, headers: Mapping[str, str] | None
    ) -> AbstractContextManager[UpstreamCall]:
        """Wraps one HTTP exchange; the caller sets `status` once an answer arrived."""
        ...

    def retried(self, portal_id: str, capability: str) -> None: ...

    def refused(self, portal_id: str, capability: str, reason: str) -> None:
        """A call the gateway refused itself: `circuit_open`, `bulkhead_full`, `deadline`."""
        ...


class NoObserver:
    """The default: watches nothing, adds nothing."""

    @contextlib.contextmanager
    def call(
        self, portal_id: str, capability: str, method: str, headers: Mapping[str, str] | None
    ) -> Iterator[UpstreamCall]:
        yield UpstreamCall(headers)

    def retried(self, portal_id: str, capability: str) -> None:
        return None

    def refused(self, portal_id: str, capability: str, reason: str) -> None:
        return None


NO_OBSERVER: UpstreamObserver = NoObserver()
