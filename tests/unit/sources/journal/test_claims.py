"""Claims: one attempt per (subject, client mutation id), resumable, never run twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sources.journal import (
    Announcement,
    ClaimOutcome,
    Journal,
    SubmissionEntry,
    SubmissionState,
)
from sources.journal.claims import verdict
from tests.unit.sources.journal.conftest import DRAFT, Clock

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ANNOUNCEMENT = Announcement("fitconnect", "dest-1", "sub-1", "case-1", ("att-1", "att-2"))


def entry(**changes: Any) -> SubmissionEntry:
    base = SubmissionEntry(
        subject_key="s",
        client_mutation_id="m",
        fingerprint="fp",
        state=SubmissionState.ANNOUNCED,
        failure_reason=None,
        service_key="99085001012000",
        service_name="Reisepass",
        region="053150000000",
        portal_id=None,
        destination_id=None,
        submission_id=None,
        case_id=None,
        attachments=(),
        lease_owner="A",
        lease_until=NOW + timedelta(seconds=30),
        attempts=1,
        created_at=NOW,
        updated_at=NOW,
        finished_at=None,
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "fingerprint", "owner", "expected"),
    [
        ({}, "fp", "B", ClaimOutcome.BUSY),
        ({}, "fp", "A", ClaimOutcome.RESUME),
        ({"lease_until": NOW}, "fp", "B", ClaimOutcome.RESUME),
        ({"lease_until": None, "lease_owner": None}, "fp", "B", ClaimOutcome.RESUME),
        ({}, "other", "A", ClaimOutcome.MISMATCH),
        ({"state": SubmissionState.SUBMITTED}, "fp", "B", ClaimOutcome.DONE),
        ({"state": SubmissionState.SUBMITTED}, "other", "B", ClaimOutcome.MISMATCH),
        ({"state": SubmissionState.FAILED}, "other", "B", ClaimOutcome.NEW),
    ],
)
def test_the_verdict_on_an_existing_entry(
    changes: dict[str, Any], fingerprint: str, owner: str, expected: ClaimOutcome
) -> None:
    assert verdict(entry(**changes), fingerprint, owner, NOW) is expected


async def test_a_first_claim_is_new_and_keeps_the_draft(journal: Journal) -> None:
    claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    assert claim.outcome is ClaimOutcome.NEW
    assert claim.ticket is not None
    assert claim.ticket.owner == "A"
    assert claim.entry.state is SubmissionState.PREPARED
    assert claim.entry.service_key == DRAFT.service_key
    assert claim.entry.region == DRAFT.region
    assert [(a.sha512, a.size, a.media_type) for a in claim.entry.attachments] == [
        (d.sha512, d.size, d.media_type) for d in DRAFT.attachments
    ]
    assert claim.entry.lease_owner == "A"


async def test_a_second_claim_while_the_lease_lives_is_busy_until_it_ends(
    journal: Journal, clock: Clock
) -> None:
    await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    clock.advance(10)
    claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="B", lease_seconds=30)
    assert claim.outcome is ClaimOutcome.BUSY
    assert claim.ticket is None
    assert claim.busy_until == clock.now + timedelta(seconds=20)


async def test_the_same_key_for_another_request_is_a_mismatch(journal: Journal) -> None:
    await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    claim = await journal.submissions.claim("s", "m", "other", DRAFT, owner="A", lease_seconds=30)
    assert claim.outcome is ClaimOutcome.MISMATCH
    assert claim.ticket is None


async def test_keys_are_per_subject(journal: Journal) -> None:
    first = await journal.submissions.claim("s1", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    second = await journal.submissions.claim("s2", "m", "x", DRAFT, owner="B", lease_seconds=30)
    assert (first.outcome, second.outcome) == (ClaimOutcome.NEW, ClaimOutcome.NEW)


async def test_a_dead_owners_attempt_is_resumed_by_another_with_its_stored_ids(
    journal: Journal, clock: Clock
) -> None:
    claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    assert claim.ticket is not None
    await journal.submissions.announced(claim.ticket, ANNOUNCEMENT)
    await journal.submissions.uploaded(claim.ticket, "att-1")
    # Owner A dies here; its lease runs out.
    clock.advance(31)
    resumed = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="B", lease_seconds=30)
    assert resumed.outcome is ClaimOutcome.RESUME
    assert resumed.ticket is not None
    assert resumed.ticket.owner == "B"
    assert resumed.entry.state is SubmissionState.ANNOUNCED
    assert resumed.entry.submission_id == "sub-1"
    assert resumed.entry.case_id == "case-1"
    assert resumed.entry.attachment_ids == ("att-1", "att-2")
    assert resumed.entry.uploaded_ids == {"att-1"}
    assert resumed.entry.attempts == 2
    # B continues without a second POST /v1/submissions: only the missing upload.
    await journal.submissions.uploaded(resumed.ticket, "att-2")
    done = await journal.submissions.submitted(resumed.ticket)
    assert done.state is SubmissionState.SUBMITTED


async def test_the_same_owner_resumes_its_own_live_lease(journal: Journal) -> None:
    await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    again = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    assert again.outcome is ClaimOutcome.RESUME


async def test_a_submitted_attempt_answers_done_with_the_first_result(journal: Journal) -> None:
    claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    assert claim.ticket is not None
    await journal.submissions.announced(claim.ticket, ANNOUNCEMENT)
    for attachment_id in ANNOUNCEMENT.attachment_ids:
        await journal.submissions.uploaded(claim.ticket, attachment_id)
    await journal.submissions.submitted(claim.ticket)
    repeat = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="B", lease_seconds=30)
    assert repeat.outcome is ClaimOutcome.DONE
    assert repeat.ticket is None
    assert (repeat.entry.submission_id, repeat.entry.case_id) == ("sub-1", "case-1")


async def test_a_retryable_failure_frees_the_lease_for_an_immediate_retry(
    journal: Journal,
) -> None:
    claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    assert claim.ticket is not None
    await journal.submissions.announced(claim.ticket, ANNOUNCEMENT)
    failed = await journal.submissions.failed(claim.ticket, "UPSTREAM_FAILED", retryable=True)
    assert failed.state is SubmissionState.ANNOUNCED
    assert failed.failure_reason == "UPSTREAM_FAILED"
    retry = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="B", lease_seconds=30)
    assert retry.outcome is ClaimOutcome.RESUME
    assert retry.entry.submission_id == "sub-1"


async def test_a_final_failure_frees_the_key_for_a_new_attempt(journal: Journal) -> None:
    claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=30)
    assert claim.ticket is not None
    await journal.submissions.announced(claim.ticket, ANNOUNCEMENT)
    failed = await journal.submissions.failed(claim.ticket, "INVALID_FORM", retryable=False)
    assert failed.state is SubmissionState.FAILED
    assert failed.finished_at is not None
    fresh = await journal.submissions.claim("s", "m", "fixed", DRAFT, owner="B", lease_seconds=30)
    assert fresh.outcome is ClaimOutcome.NEW
    assert fresh.entry.state is SubmissionState.PREPARED
    assert fresh.entry.fingerprint == "fixed"
    assert (fresh.entry.submission_id, fresh.entry.failure_reason) == (None, None)
    assert [a.attachment_id for a in fresh.entry.attachments] == [None, None]
    assert fresh.entry.attempts == 1


async def test_an_overlong_key_is_a_caller_error_not_a_database_outage(journal: Journal) -> None:
    with pytest.raises(ValueError, match=r"submissions\.client_mutation_id is limited to 255"):
        await journal.submissions.claim("s", "m" * 256, "fp", DRAFT, owner="A", lease_seconds=30)
    with pytest.raises(ValueError, match=r"submissions\.region is limited to 12"):
        await journal.submissions.claim(
            "s", "m", "fp", replace(DRAFT, region="0" * 13), owner="A", lease_seconds=30
        )
    assert await journal.entries("s") == []
