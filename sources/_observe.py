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

from sources.base import UpstreamRef


@dataclass(slots=True)
class UpstreamCall:
    """One exchange in flight: the headers to send (an observer may add trace context)."""

    headers: Mapping[str, str] | None
    status: int | None = None


class UpstreamObserver(Protocol):
    def call(
        self, upstream: UpstreamRef, method: str, headers: Mapping[str, str] | None
    ) -> AbstractContextManager[UpstreamCall]:
        """Wraps one HTTP exchange; the caller sets `status` once an answer arrived."""
        ...

    def retried(self, upstream: UpstreamRef) -> None: ...

    def refused(self, upstream: UpstreamRef, reason: str) -> None:
        """A call the gateway refused itself: `circuit_open`, `bulkhead_full`, `deadline`."""
        ...


class NoObserver:
    """The default: watches nothing, adds nothing."""

    @contextlib.contextmanager
    def call(
        self, upstream: UpstreamRef, method: str, headers: Mapping[str, str] | None
    ) -> Iterator[UpstreamCall]:
        yield UpstreamCall(headers)

    def retried(self, upstream: UpstreamRef) -> None:
        return None

    def refused(self, upstream: UpstreamRef, reason: str) -> None:
        return None


NO_OBSERVER: UpstreamObserver = NoObserver()
