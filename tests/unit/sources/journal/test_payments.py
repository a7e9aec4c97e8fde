"""Payment links: recorded before the provider call, completed before the answer."""

from __future__ import annotations

import pytest

from sources.journal import Journal, JournalConflictError, PaymentState

TENANT = {"provider_id": "epaybl", "originator_id": "nrw-koeln", "end_point_id": "ep-1"}


async def test_a_link_is_recorded_pending_then_completed(journal: Journal) -> None:
    pending = await journal.payments.record("s", "case-1", "req-1", **TENANT)
    assert pending.state is PaymentState.PENDING
    assert pending.transaction_id is None
    done = await journal.payments.complete(
        "req-1", transaction_id="tx-1", transaction_url="https://pay.example/tx-1"
    )
    assert (done.state, done.transaction_id) == (PaymentState.INITIAL, "tx-1")
    assert done.transaction_url == "https://pay.example/tx-1"
    assert (done.originator_id, done.end_point_id) == ("nrw-koeln", "ep-1")
    assert await journal.payments.get("req-1") == done


async def test_recording_again_returns_the_stored_link(journal: Journal) -> None:
    await journal.payments.record("s", "case-1", "req-1", **TENANT)
    await journal.payments.complete("req-1", transaction_id="tx-1", transaction_url=None)
    again = await journal.payments.record("s", "case-1", "req-1", **TENANT)
    assert (again.state, again.transaction_id) == (PaymentState.INITIAL, "tx-1")


async def test_a_request_id_of_another_subject_is_refused(journal: Journal) -> None:
    await journal.payments.record("s", "case-1", "req-1", **TENANT)
    with pytest.raises(JournalConflictError, match="another payment"):
        await journal.payments.record("intruder", "case-1", "req-1", **TENANT)
    link = await journal.payments.get("req-1")
    assert link is not None
    assert link.subject_key == "s"


async def test_completion_is_repeatable_but_never_replaces_a_transaction(
    journal: Journal,
) -> None:
    await journal.payments.record("s", "case-1", "req-1", **TENANT)
    await journal.payments.complete("req-1", transaction_id="tx-1", transaction_url=None)
    await journal.payments.complete("req-1", transaction_id="tx-1", transaction_url=None)
    with pytest.raises(JournalConflictError):
        await journal.payments.complete("req-1", transaction_id="tx-2", transaction_url=None)
    with pytest.raises(JournalConflictError):
        await journal.payments.complete("unknown", transaction_id="tx", transaction_url=None)


async def test_later_states_need_a_transaction(journal: Journal) -> None:
    await journal.payments.record("s", "case-1", "req-1", **TENANT)
    with pytest.raises(JournalConflictError):
        await journal.payments.update_state("req-1", PaymentState.PAYED)
    await journal.payments.complete("req-1", transaction_id="tx-1", transaction_url=None)
    paid = await journal.payments.update_state("req-1", PaymentState.PAYED)
    assert paid.state is PaymentState.PAYED


async def test_a_subjects_links_in_order(journal: Journal) -> None:
    await journal.payments.record("s", "case-1", "req-1", **TENANT)
    await journal.payments.record("s", "case-2", "req-2", **TENANT)
    await journal.payments.record("t", "case-3", "req-3", **TENANT)
    assert [p.request_id for p in await journal.payments.for_subject("s")] == ["req-1", "req-2"]
