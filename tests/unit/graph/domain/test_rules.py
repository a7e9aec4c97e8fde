"""The framework-free rules, each written once: access, status, outages, ids, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph.domain.access import can_open
from graph.domain.errors import BadUserInputError, InsufficientTrustLevelError, PublicError
from graph.domain.ids import check_global_id, from_global_id, id_parts, to_global_id
from graph.domain.outages import OutageLog, outage_message
from graph.domain.status import current_status, merged_history
from sources.base import (
    ApplicationStatus,
    Capability,
    ErrorCode,
    StatusEventRecord,
    StatusSource,
    TrustLevel,
    UpstreamRef,
    ViewerRecord,
)
from sources.errors import SourceBadResponseError, SourceTimeoutError, SourceUnavailableError


def viewer(level: TrustLevel) -> ViewerRecord:
    return ViewerRecord(
        "sub", level, (), None, None, None, None, None, None, False, None, 0.0, token="t"
    )


def test_a_message_opens_at_its_trust_level_or_higher_and_never_anonymously() -> None:
    assert can_open(TrustLevel.SUBSTANTIAL, viewer(TrustLevel.SUBSTANTIAL))
    assert can_open(TrustLevel.SUBSTANTIAL, viewer(TrustLevel.HIGH))
    assert not can_open(TrustLevel.SUBSTANTIAL, viewer(TrustLevel.BASIC))
    assert not can_open(TrustLevel.BASIC, None)


def event(minute: int, status: ApplicationStatus, source: StatusSource) -> StatusEventRecord:
    return StatusEventRecord(
        f"{source.value}-{minute}",
        None,
        datetime(2026, 1, 1, 9, minute, tzinfo=UTC),
        status,
        source,
        None,
    )


def test_history_merges_both_sources_and_the_authority_has_the_last_word() -> None:
    transport = [
        event(0, ApplicationStatus.SUBMITTED, StatusSource.FIT_CONNECT),
        event(5, ApplicationStatus.RECEIVED, StatusSource.FIT_CONNECT),
    ]
    monitor = [event(5, ApplicationStatus.PROCESSING, StatusSource.STATUS_MONITOR)]
    history = merged_history(transport, monitor)
    assert [e.status for e in history] == [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.RECEIVED,
        ApplicationStatus.PROCESSING,
    ]
    assert current_status(history) is ApplicationStatus.PROCESSING
    assert current_status([]) is ApplicationStatus.SUBMITTED


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


def test_global_ids_round_trip_and_refuse_what_we_did_not_issue() -> None:
    global_id = to_global_id("Application", "koeln", "A-1")
    assert from_global_id(global_id) == ("Application", ("koeln", "A-1"))
    assert id_parts(global_id, "Application") == ("koeln", "A-1")
    with pytest.raises(BadUserInputError, match="is not the ID of a Message"):
        id_parts(global_id, "Message", argument="messageId")
    for bad in ("", "!!", to_global_id("x")[:-2], "WyJ4Il0"):
        with pytest.raises(BadUserInputError, match="is not a valid ID") as caught:
            check_global_id(bad, argument="id")
        assert caught.value.extensions == {"code": ErrorCode.BAD_USER_INPUT, "argument": "id"}


def test_public_errors_carry_their_code_and_extensions() -> None:
    error = InsufficientTrustLevelError("Sign in again.", requiredTrustLevel="HIGH")
    assert isinstance(error, PublicError)
    assert error.extensions == {
        "code": ErrorCode.INSUFFICIENT_TRUST_LEVEL,
        "requiredTrustLevel": "HIGH",
    }
