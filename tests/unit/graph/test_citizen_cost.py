"""Cost follows the citizen (issue 16 item 4): a query about one citizen calls only the
upstreams where the journal says they have something, and the same dashboard makes the
same upstream calls with 4, 40 or 396 municipalities in the network.

Real journal (SQLite, migrated), counting fake upstreams (tests/helpers/citizen_world.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest

from graph.actions import (
    NoPaymentTenantError,
    PaymentRequestTakenError,
    ProviderUnavailableError,
    RecordUnavailableError,
)
from graph.domain.errors import NotFoundError
from graph.domain.holdings import Holdings
from graph.domain.live import LiveHub
from sources.base import (
    ApplicationRecord,
    Capability,
    PaymentLinkRecord,
    UpstreamRef,
)
from sources.errors import SourceUnavailableError
from sources.events import InMemoryCaseRoutes, InMemoryLock
from sources.events.feed import EventFeed
from sources.events.logs import MemoryEventLog
from sources.journal import Journal, PaymentState, upgrade
from tests.helpers.citizen_erika import ERIKA, erika_has_things, request
from tests.helpers.citizen_world import (
    KOELN,
    PLATFORM,
    dashboard,
    send,
    world,
)
from tests.unit.sources.journal.conftest import Clock


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[Journal]:
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    await upgrade(url)
    async with Journal.connect(url) as opened:
        yield opened


async def test_the_same_dashboard_makes_the_same_calls_at_4_40_and_396_municipalities(
    journal: Journal,
) -> None:
    await erika_has_things(journal, 4)
    seen = {}
    for count in (4, 40, 396):
        network = world(count, journal)
        assert len(network.adapters.portals) == count + 2
        answer = await dashboard(network.view("erika-token"))
        seen[count] = (answer, dict(network.calls.counted))
    assert seen[4] == seen[40] == seen[396]
    answer, calls = seen[396]
    assert answer["applications"] == [
        ("kommunalportal-nrw-051620008008", "case-2", 1, 1),
        ("kommunalportal-nrw-053150000000", "case-1", 1, 0),
    ]
    assert calls == {
        "fitconnect GET /v1/cases/case-1/events": 1,
        "fitconnect GET /v1/cases/case-2/events": 1,
        "kommunalportal-nrw GET /v1/me/applications": 1,
        "kommunalportal-nrw GET /v1/statusupdates": 1,
        "kommunalportal-nrw GET /v1/messages": 1,
        "kommunalportal-nrw GET /v1/me": 1,
        # Dormagen's tenant: the Rhein-Kreis Neuss prefix 05162 beats NRW's 05.
        "pmpayment GET /paymenttransaction/rkn/neuss/T1": 1,
    }


async def test_with_an_account_area_per_municipality_only_the_linked_ones_are_asked(
    journal: Journal,
) -> None:
    await erika_has_things(journal, 4, platform=False)
    seen = {}
    for count in (4, 40, 396):
        network = world(count, journal, platform=False)
        assert len(network.adapters.account_areas) == count
        answer = await dashboard(network.view("erika-token"))
        seen[count] = (dict(network.calls.counted), answer)
    assert seen[4] == seen[40] == seen[396]
    calls = seen[396][0]
    asked = {call.split()[0] for call in calls}
    assert asked == {"fitconnect", "m-053150000000", "m-051620008008", "pmpayment"}
    # Per case: its event log, the Statusmonitor of its portal; per linked area: me,
    # applications, messages; one payment. Nothing of the other 394 account areas.
    assert sum(calls.values()) == 2 + 2 + 3 * 2 + 1, calls


async def test_a_citizen_with_nothing_costs_no_upstream_call_at_all(journal: Journal) -> None:
    for count in (4, 396):
        network = world(count, journal)
        answer = await dashboard(network.view("max-token", subject="max"))
        assert answer == {"applications": [], "messages": 0, "accounts": 0}
        assert network.calls.counted == {}


async def test_naming_a_portal_asks_its_account_area_once_and_learns_the_link(
    journal: Journal,
) -> None:
    network = world(396, journal)
    view = network.view("erika-token")
    koeln = network.adapters.portals.for_ars(KOELN)
    assert koeln is not None
    assert await view.applications(koeln.id) == []
    assert network.calls.counted["kommunalportal-nrw GET /v1/me"] == 1
    links = await journal.accounts.valid(ERIKA)
    assert [link.upstream_id for link in links] == [PLATFORM]
    # The next request asks the linked platform without being told.
    later = world(396, journal)
    await later.view("erika-token").messages()
    assert later.calls.counted == {"kommunalportal-nrw GET /v1/messages": 1}


async def test_a_link_whose_account_area_says_no_account_is_forgotten(journal: Journal) -> None:
    await journal.accounts.learn(ERIKA, PLATFORM, 3600)
    network = world(40, journal, accounts=set())  # the platform deleted the account
    assert await network.view("erika-token").accounts() == []
    assert await journal.accounts.valid(ERIKA) == []
    assert await world(40, journal).view("erika-token").messages() == []


async def test_a_portal_without_account_area_learns_nothing(journal: Journal) -> None:
    network = world(4, journal)
    assert await network.view("erika-token").applications("bund") == []
    assert network.calls.counted == {}
    assert await journal.accounts.valid(ERIKA) == []


async def test_start_payment_stores_the_link_before_it_answers_and_a_retry_creates_nothing(
    journal: Journal,
) -> None:
    network = world(4, journal)
    actions = network.view("erika-token").context.actions
    link, record = await actions.start_payment(ERIKA, "case-9", KOELN, request("req-9"))
    stored = await journal.payments.get("req-9")
    assert stored is not None
    assert stored.state is PaymentState.INITIAL
    assert (stored.provider_id, stored.originator_id, stored.end_point_id) == (
        "epaybl",
        "nrw",
        "land",
    )  # Köln: NRW's tenant (prefix 05)
    assert stored.transaction_id == link.transaction_id == "T1"
    assert record is not None
    assert record.redirect_url
    again, _ = await actions.start_payment(ERIKA, "case-9", KOELN, request("req-9"))
    assert again == link
    assert network.calls.counted == {
        "epaybl POST /paymenttransaction/nrw/land": 1,
        "epaybl GET /paymenttransaction/nrw/land/T1": 1,
    }
    with pytest.raises(PaymentRequestTakenError):  # someone else's request id
        await actions.start_payment("key-max", "case-7", KOELN, request("req-9"))


async def test_a_half_done_payment_is_completed_by_the_retry(journal: Journal) -> None:
    # A crash after the journal's PENDING row, before the provider answered.
    await journal.payments.record(
        ERIKA, "case-9", "req-5", provider_id="epaybl", originator_id="nrw", end_point_id="land"
    )
    network = world(4, journal)
    link, _ = await network.view("erika-token").context.actions.start_payment(
        ERIKA, "case-9", KOELN, request("req-5")
    )
    stored = await journal.payments.get("req-5")
    assert stored is not None
    assert stored.transaction_id == link.transaction_id


async def test_the_journal_down_leaves_the_viewer_with_nothing_to_ask(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'never-migrated.db'}"
    async with Journal.connect(url) as unmigrated:
        network = world(396, unmigrated)
        view = network.view("erika-token")
        assert await view.holdings() == Holdings()
        assert await dashboard(view) == {"applications": [], "messages": 0, "accounts": 0}
        assert network.calls.counted == {}


async def test_each_loader_key_is_asked_once_per_request(journal: Journal) -> None:
    await erika_has_things(journal, 4)
    network = world(40, journal)
    view = network.view("erika-token")
    await asyncio.gather(dashboard(view), dashboard(view))
    assert set(network.calls.counted.values()) == {1}


async def test_a_linked_area_listing_the_viewers_data_keeps_the_link_alive(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    await upgrade(url)
    clock = Clock()
    async with Journal.connect(url, clock=clock) as journal:
        await journal.accounts.learn(ERIKA, PLATFORM, 90 * 86400)
        learned = (await journal.accounts.valid(ERIKA))[0].learned_at
        network = world(40, journal)
        area = network.adapters.account_areas[PLATFORM]
        koeln = network.adapters.portals.for_ars(KOELN)
        assert koeln is not None
        cast(Any, area).listing = [ApplicationRecord(
            koeln.id, "A-1", "case-7", None, None, "Hundesteuer", "AZ-1", None, None, None, (),
        )]  # fmt: skip
        clock.advance(86400)  # a day later: nothing written
        assert len(await network.view("erika-token").applications()) == 1
        assert (await journal.accounts.valid(ERIKA))[0].learned_at == learned
        clock.advance(50 * 86400)  # past half its life: refreshed, no extra upstream call
        assert len(await world(40, journal).view("erika-token").applications()) == 0
        network.calls.counted.clear()
        assert len(await network.view("erika-token").applications()) == 1
        assert network.calls.counted == {"kommunalportal-nrw GET /v1/me/applications": 1}
        assert (await journal.accounts.valid(ERIKA))[0].learned_at == clock.now


async def test_a_record_the_platform_answers_as_its_own_is_found_at_the_platform(
    journal: Journal,
) -> None:
    await journal.accounts.learn(ERIKA, PLATFORM, 3600)
    network = world(396, journal)
    cast(Any, network.adapters.account_areas[PLATFORM]).listing = [ApplicationRecord(
        PLATFORM, "A-2", "case-8", None, None, "Hundesteuer", None, None, None, None, (),
    )]  # fmt: skip
    view = network.view("erika-token")
    found = await view.find_application(PLATFORM, "A-2")
    assert found is not None
    assert len(await view.application_history(found)) == 1
    assert network.calls.counted["kommunalportal-nrw GET /v1/statusupdates"] == 1


async def test_writes_reach_a_platform_named_by_its_entry_id(journal: Journal) -> None:
    network = world(40, journal)
    actions = network.view("erika-token").context.actions
    await actions.mark_read(PLATFORM, "erika-token", "M-1")
    koeln = network.adapters.portals.for_ars(KOELN)
    assert koeln is not None
    await actions.mark_read(koeln.id, "erika-token", "M-2")  # a municipality: its platform
    assert network.calls.counted == {
        "kommunalportal-nrw PUT /v1/messages/M-1/read": 1,
        "kommunalportal-nrw PUT /v1/messages/M-2/read": 1,
    }
    with pytest.raises(NotFoundError):
        await actions.mark_read("bund", "erika-token", "M-3")  # Bund has no inbox here


async def test_a_submission_in_the_request_is_seen_by_the_next_read(journal: Journal) -> None:
    view = world(4, journal).view("erika-token")
    assert await view.applications() == []
    await send(journal, ERIKA, 3, "bund", "000000000000")
    assert await view.applications() == []  # one journal read per request...
    view.written()
    assert [a.case_id for a in await view.applications()] == ["case-3"]  # ...until a write


async def test_a_failing_provider_is_retryable_and_the_retry_completes(journal: Journal) -> None:
    network = world(4, journal)
    provider = cast(Any, network.adapters.payments["epaybl"])
    create = provider.create

    async def down(*args: Any) -> None:
        raise SourceUnavailableError("503", upstream=UpstreamRef("epaybl", Capability.PAYMENTS))

    provider.create = down
    actions = network.view("erika-token").context.actions
    with pytest.raises(ProviderUnavailableError) as failed:
        await actions.start_payment(ERIKA, "case-9", KOELN, request("req-6"))
    assert failed.value.extensions["retryable"] is True
    pending = await journal.payments.get("req-6")
    assert pending is not None
    assert pending.state is PaymentState.PENDING
    provider.create = create
    link, _ = await actions.start_payment(ERIKA, "case-9", KOELN, request("req-6"))
    assert link.transaction_id == "T1"


async def test_a_subscription_watches_only_linked_inboxes_and_its_payments_providers(
    journal: Journal,
) -> None:
    await erika_has_things(journal, 4)
    for count in (4, 396):
        network = world(count, journal)
        view = network.view("erika-token")
        hub = LiveHub(
            EventFeed(MemoryEventLog()), InMemoryCaseRoutes(), InMemoryLock(), network.adapters,
            audience_key=b"k" * 32,
        )  # fmt: skip
        applications = await view.applications()
        payments = [(link, a) for a in applications for link in await view.payment_links(a)]
        assert view.context.viewer is not None
        follow = await hub.follow(
            view.context.viewer, applications, "f1",
            inboxes=await view.linked_entries(), payments=payments,
        )  # fmt: skip
        assert sorted(kind_and_upstream[:2] for kind_and_upstream in follow.watches) == [
            ("inbox", PLATFORM),
            ("payments", "pmpayment"),
        ], count


async def test_no_tenant_for_the_region_means_no_payment_and_nothing_stored(
    journal: Journal,
) -> None:
    actions = world(4, journal).view("erika-token").context.actions
    with pytest.raises(NoPaymentTenantError):  # Bund: no tenant covers 000000000000
        await actions.start_payment(ERIKA, "case-9", "000000000000", request("req-7"))
    assert await journal.payments.get("req-7") is None
    without_journal = world(4, None).view("erika-token").context.actions
    with pytest.raises(NoPaymentTenantError):  # no journal: no payments
        await without_journal.start_payment(ERIKA, "case-9", KOELN, request("req-8"))


async def test_telling_the_account_area_is_best_effort(journal: Journal) -> None:
    network = world(4, journal)
    actions = network.view("erika-token").context.actions
    koeln = network.adapters.portals.for_ars(KOELN)
    assert koeln is not None
    link = PaymentLinkRecord("T1", "nrw", "land", "req-1", "epaybl")
    await actions.link_payment(koeln.id, "erika-token", "A-1", link)
    await actions.link_payment("bund", "erika-token", "A-1", link)  # no account area: nothing
    assert network.calls.counted == {"kommunalportal-nrw PUT /v1/me/applications/A-1/payments": 1}

    async def down(*args: Any) -> None:
        raise SourceUnavailableError("503", upstream=UpstreamRef(PLATFORM, Capability.ACCOUNTS))

    cast(Any, network.adapters.account_areas[PLATFORM]).link_payment = down
    await actions.link_payment(koeln.id, "erika-token", "A-1", link)  # logged, not raised


async def test_a_journal_that_cannot_write_costs_the_link_not_the_query(tmp_path: Path) -> None:
    async with Journal.connect(f"sqlite:///{tmp_path / 'unmigrated.db'}") as unmigrated:
        network = world(4, unmigrated)
        koeln = network.adapters.portals.for_ars(KOELN)
        assert koeln is not None
        view = network.view("erika-token")
        assert await view.applications(koeln.id) == []  # asked, answered, link not written
        assert network.calls.counted["kommunalportal-nrw GET /v1/me"] == 1
        with pytest.raises(RecordUnavailableError):
            await view.context.actions.start_payment(ERIKA, "case-9", KOELN, request("r"))
