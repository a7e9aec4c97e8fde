"""Status history from both sources and the current status."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from graph.domain.status import current_status, merged_history
from sources.base import ApplicationStatus, StatusEventRecord, StatusSource


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


def test_a_reply_after_action_required_leaves_the_application_waiting() -> None:
    accepted = event(5, ApplicationStatus.PROCESSING, StatusSource.FIT_CONNECT)
    # The adapter fills a reply event's status from the transport log (here: PROCESSING).
    reply = replace(event(9, ApplicationStatus.PROCESSING, StatusSource.FIT_CONNECT), reply_id="r1")
    waiting = event(8, ApplicationStatus.ACTION_REQUIRED, StatusSource.STATUS_MONITOR)
    history = merged_history([accepted, reply], [waiting])
    assert [(e.status, e.reply_id) for e in history] == [
        (ApplicationStatus.PROCESSING, None),
        (ApplicationStatus.ACTION_REQUIRED, None),
        (ApplicationStatus.ACTION_REQUIRED, "r1"),
    ]
    assert current_status(history) is ApplicationStatus.ACTION_REQUIRED
