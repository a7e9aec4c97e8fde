"""Pollers mark an item seen only after its event is stored (issue 19 #3), and the hub
counts refused appends; case routes in the journal translate its failures."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from graph.domain.adapters import Adapters
from graph.domain.live import LiveHub
from graph.domain.live_routes import JournalCaseRoutes
from sources.base import (
    ApplicationRecord,
    CaseRouteRecord,
    EventPosition,
    EventRecord,
    MessageRecord,
    PaymentLinkRecord,
    TrustLevel,
    ViewerRecord,
)
from sources.errors import EventLogUnavailableError, SourceUnavailableError
from sources.events import InMemoryCaseRoutes, InMemoryLock
from sources.events.feed import EventFeed
from sources.events.logs import MemoryEventLog
from sources.journal import Journal, JournalUnavailableError, SecretBox, upgrade

VIEWER = ViewerRecord(
    subject="s-1",
    trust_level=TrustLevel.SUBSTANTIAL,
    sign_in_methods=(),
    given_name=None,
    family_name=None,
    birthdate=None,
    address=None,
    email=None,
    postfach_handle=None,
    is_organisation=False,
    organisation_name=None,
    expires_at=4_000_000_000.0,
    token="t",
)


def message(n: int) -> MessageRecord:
    return MessageRecord(
        portal_id="koeln",
        id=f"m{n}",
        sender="Stadt Köln",
        sender_url=None,
        subject=f"Nachricht {n}",
        body=None,
        service=None,
        application_id=None,
        reference=None,
        required_trust_level=TrustLevel.BASIC,
        is_notice=False,
        reply_allowed=False,
        received_at=datetime(2026, 11, 29, tzinfo=UTC),
        read_at=None,
        attachments=(),
    )


class Mailbox:
    """A Postfach with messages the test adds; status updates stay empty."""

    def __init__(self) -> None:
        self.inbox = [message(0)]

    async def messages(self, token: str) -> list[MessageRecord]:
        return list(self.inbox)

    async def status_updates(self, token: str) -> list[Any]:
        return []


class FlakyLog(MemoryEventLog):
    """The in-memory log, refusing appends while `down`."""

    down = False

    async def append(self, event: EventRecord) -> EventPosition:
        if self.down:
            raise EventLogUnavailableError("down", backend="memory")
        return await super().append(event)


async def test_a_poll_whose_append_fails_keeps_the_item_unseen_until_stored() -> None:
    box, log = Mailbox(), FlakyLog()
    adapters = Adapters(postboxes={"koeln": box})  # type: ignore[dict-item]
    hub = LiveHub(EventFeed(log), InMemoryCaseRoutes(), InMemoryLock(), adapters, audience_key=b"k")
    follow = await hub.follow(VIEWER, [], "key", inboxes=["koeln"])
    watch = hub.pollers.watches[follow.watches[0]]
    assert watch.seen == {"m0"}  # the baseline is not news
    box.inbox.insert(0, message(1))
    log.down = True
    with pytest.raises(EventLogUnavailableError):
        await hub.pollers.poll(watch)
    assert "m1" not in watch.seen
    assert (hub.published, hub.publish_failures) == (0, 1)
    log.down = False
    assert await hub.pollers.poll(watch) == 1
    assert await hub.pollers.poll(watch) == 0  # seen now
    assert (hub.published, hub.publish_failures) == (1, 1)
    assert hub.status()["appended"] == 1
    await hub.unfollow(follow)
    assert hub.pollers.watches == {}


async def test_a_watch_keeps_of_an_application_only_what_its_events_need() -> None:
    box = Mailbox()
    adapters = Adapters(postboxes={"koeln": box})  # type: ignore[dict-item]
    hub = LiveHub(
        EventFeed(MemoryEventLog()),
        InMemoryCaseRoutes(),
        InMemoryLock(),
        adapters,
        audience_key=b"k",
    )
    when = datetime(2026, 11, 29, tzinfo=UTC)
    parsed = ApplicationRecord(
        "koeln",
        "a1",
        "c1",
        "sub-1",
        "99001001",
        "Wohnsitz",
        "R-1",
        when,
        when,
        when,
        (PaymentLinkRecord("t1", "o", "e"),),
    )
    follow = await hub.follow(VIEWER, [parsed], "key", inboxes=["koeln"])
    kept = hub.pollers.watches[follow.watches[0]].applications["a1"]
    assert kept is not parsed
    assert (kept.portal_id, kept.id, kept.case_id) == ("koeln", "a1", "c1")
    assert (kept.service_name, kept.reference) == ("Wohnsitz", "R-1")
    assert (kept.created_at, kept.submitted_at, kept.updated_at, kept.payments) == (
        None,
        None,
        None,
        (),
    )
    await hub.unfollow(follow)


class BrokenRoutes:
    async def upsert_all(self, *args: Any) -> int:
        raise JournalUnavailableError("gone")

    async def lookup(self, *args: Any) -> list[Any]:
        raise JournalUnavailableError("gone")


async def test_journal_failures_of_case_routes_are_unavailable_errors() -> None:
    routes = JournalCaseRoutes(BrokenRoutes())  # type: ignore[arg-type]
    with pytest.raises(SourceUnavailableError):
        await routes.register_all([CaseRouteRecord("koeln", "c", "k", {"audience": "a"})])
    with pytest.raises(SourceUnavailableError):
        await routes.lookup("koeln", "c")


async def test_case_routes_round_trip_through_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    await upgrade(None, sqlite_path=path)
    key = base64.b64encode(hashlib.sha256(b"test").digest()).decode()
    async with Journal.connect(None, sqlite_path=path, secrets=SecretBox.parse("t:" + key)) as j:
        routes = JournalCaseRoutes(j.routes)
        route = CaseRouteRecord(
            "koeln", "case-1", "subject-1", {"audience": "a1", "caseId": "case-1"}
        )
        assert await routes.register_all([route]) == 1
        assert await routes.register_all([route]) == 0  # unchanged and fresh: not rewritten
        assert await routes.lookup("koeln", "case-1") == [{"audience": "a1", "caseId": "case-1"}]
        assert await routes.lookup("koeln", "case-2") == []
