"""Upstreams that failed while answering one request, and how to say so to a citizen.

A failing upstream nulls only its own fields (partial results): the loaders record its
`SourceError` here, once per upstream; the GraphQL layer reports each entry as an error
with `extensions.code` and as an `outages` item for a banner, both worded by
`outage_message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sources.base import Capability, ErrorCode, UpstreamRef
from sources.errors import SourceError

REASONS = {
    ErrorCode.UPSTREAM_UNAVAILABLE: "is unavailable",
    ErrorCode.UPSTREAM_TIMEOUT: "did not answer in time",
    ErrorCode.UPSTREAM_RATE_LIMITED: "is rate limiting requests",
    ErrorCode.UPSTREAM_BAD_RESPONSE: "sent a response that could not be read",
}


@dataclass(frozen=True, slots=True)
class OutageEntry:
    upstream: UpstreamRef
    code: ErrorCode


@dataclass(slots=True)
class OutageLog:
    """Upstream failures seen while answering one request, once per upstream."""

    entries: list[OutageEntry] = field(default_factory=list)

    def record(self, error: SourceError) -> None:
        if all(e.upstream != error.upstream for e in self.entries):
            self.entries.append(OutageEntry(error.upstream, error.code))

    def of(self, capability: Capability | None = None) -> list[OutageEntry]:
        return [e for e in self.entries if capability in (None, e.upstream.capability)]


def outage_message(entry: OutageEntry) -> str:
    """What a client may show: which portal, which of its upstreams, and why, in one line."""
    reason = REASONS.get(entry.code, "failed")
    return f"Portal '{entry.upstream.portal_id}' ({entry.upstream.capability.value}) {reason}; its data is missing."
