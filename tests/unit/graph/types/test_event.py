"""The three live payloads come from an event's data by one `from_data` (graph/types/event.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from graph.domain.live_events import message_event, payment_event, status_event
from graph.types.event import ApplicationStatusEvent, InboxMessageEvent, PaymentStatusEvent
from graph.types.portal import TrustLevel
from sources.base import (
    ApplicationRecord,
    ApplicationStatus,
    MessageRecord,
    PaymentRecord,
    PaymentStatus,
    StatusEventRecord,
    StatusSource,
)
from tests.unit.graph.domain.test_live_pollers import VIEWER, message

WHEN = datetime(2026, 11, 29, 7, 30, tzinfo=UTC)
PORTAL: Any = object()  # passed through as it is
APP = ApplicationRecord(
    "koeln", "a1", "c1", None, None, "Wohnsitz", "R-1", None, None, None, payments=()
)


def test_an_application_status_event() -> None:
    entry = StatusEventRecord(
        "s1", "a1", WHEN, ApplicationStatus.PROCESSING, StatusSource.FIT_CONNECT, "ok"
    )
    event = ApplicationStatusEvent.from_data(
        status_event("aud", APP, entry).data, PORTAL, 2, VIEWER, event_id="p-1"
    )
    assert (event.event_id, event.portal, event.missed_events) == ("p-1", PORTAL, 2)
    assert (event.service_name, event.reference, event.detail) == ("Wohnsitz", "R-1", "ok")
    assert (event.reported_status, event.source, event.time) == (
        ApplicationStatus.PROCESSING,
        StatusSource.FIT_CONNECT,
        WHEN,
    )
    assert event.application_id.startswith("WyJBcHBsaWNhdGlvbi")  # ["Application", …


def test_a_payment_status_event() -> None:
    record = PaymentRecord(
        "epay",
        "t1",
        "o",
        "e",
        None,
        PaymentStatus.PAYED,
        None,
        1250,
        "EUR",
        None,
        None,
        (),
        None,
        None,
        None,
        None,
        None,
    )
    event = PaymentStatusEvent.from_data(payment_event("aud", record, APP).data, PORTAL, 0)
    assert (event.transaction_id, event.status, event.time) == ("t1", PaymentStatus.PAYED, None)
    assert (event.amount.cents, event.amount.currency) == (1250, "EUR")
    assert event.payment_id != event.application_id


def test_an_inbox_message_event_is_locked_as_the_inbox_locks_it() -> None:
    secret = replace(message(1), required_trust_level=TrustLevel.HIGH, application_id="a1")
    data = message_event("aud", secret).data
    locked = InboxMessageEvent.from_data(data, PORTAL, 0, VIEWER)
    assert (locked.subject, locked.sender, locked.is_notice) == ("Nachricht 1", "Stadt Köln", False)
    assert (locked.required_trust_level, locked.locked) == (TrustLevel.HIGH, True)
    assert locked.application_id is not None
    assert locked.received_at == datetime(2026, 11, 29, tzinfo=UTC)
    plain: MessageRecord = message(2)
    open_one = InboxMessageEvent.from_data(message_event("aud", plain).data, PORTAL, 0, VIEWER)
    assert (open_one.locked, open_one.application_id) == (False, None)
