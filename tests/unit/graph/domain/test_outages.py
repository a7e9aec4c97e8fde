"""Outages: once per upstream, worded once."""

from __future__ import annotations

from graph.domain.outages import OutageLog, outage_message
from sources.base import Capability, ErrorCode, UpstreamRef
from sources.errors import SourceBadResponseError, SourceTimeoutError, SourceUnavailableError


def test_an_outage_is_logged_once_per_upstream_and_worded_once() -> None:
    koeln = UpstreamRef("koeln", Capability.INBOX)
    log = OutageLog()
    log.record(SourceTimeoutError("slow", upstream=koeln))
    log.record(SourceUnavailableError("down", upstream=koeln))
    log.record(SourceBadResponseError("bad", upstream=UpstreamRef("bund", Capability.SERVICES)))
    assert [(str(e.upstream), e.code) for e in log.entries] == [
        ("koeln/inbox", ErrorCode.UPSTREAM_TIMEOUT),
        ("bund/services", ErrorCode.UPSTREAM_BAD_RESPONSE),
    ]
    assert [e.upstream.portal_id for e in log.of(Capability.SERVICES)] == ["bund"]
    assert outage_message(log.entries[0]) == (
        "Portal 'koeln' (inbox) did not answer in time; its data is missing."
    )
