"""The journal's entries merged into the portals' application lists, by case id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.domain.own_applications import application_of, merge_own
from sources.base import ApplicationRecord
from sources.journal import SubmissionEntry, SubmissionState

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def entry(
    case_id: str | None, state: SubmissionState = SubmissionState.SUBMITTED, **changes: Any
) -> SubmissionEntry:
    base = SubmissionEntry(
        subject_key="s",
        client_mutation_id=f"k-{case_id}",
        fingerprint="f",
        state=state,
        failure_reason=None,
        service_key="99085001012000",
        service_name="Reisepass",
        region="053150000000",
        portal_id="koeln",
        destination_id="d",
        submission_id=f"sub-{case_id}",
        case_id=case_id,
        attachments=(),
        lease_owner=None,
        lease_until=None,
        attempts=1,
        created_at=T0,
        updated_at=T0,
        finished_at=T0,
    )
    return replace(base, **changes)


def portal_record(case_id: str) -> ApplicationRecord:
    return ApplicationRecord(
        "koeln", "A-17", case_id, None, None, "Reisepass (Portal)", "AZ-1", T0, T0, T0, ()
    )


def test_only_sent_submissions_are_applications() -> None:
    record = application_of(entry("c1"))
    assert record is not None
    assert (record.id, record.case_id, record.submission_id) == ("c1", "c1", "sub-c1")
    for unsent in (SubmissionState.PREPARED, SubmissionState.UPLOADED, SubmissionState.FAILED):
        assert application_of(entry("c2", unsent)) is None
    assert application_of(entry(None)) is None


def test_the_portal_entry_wins_and_the_journal_adds_what_no_portal_lists() -> None:
    merged = merge_own([portal_record("c1")], [entry("c1"), entry("c2")])
    assert [(r.id, r.case_id) for r in merged] == [("A-17", "c1"), ("c2", "c2")]


def test_a_reply_into_a_case_does_not_list_the_case_twice() -> None:
    reply = entry("c3", created_at=T0 + timedelta(days=2), service_name="Antwort")
    merged = merge_own([], [reply, entry("c3")])
    assert [(r.case_id, r.service_name) for r in merged] == [("c3", "Reisepass")]
