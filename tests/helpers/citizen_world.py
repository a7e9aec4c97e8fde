"""A network of N municipalities with counting fake upstreams, and one citizen in it.

For the "cost follows the citizen" property (docs/topology.md): the same citizen's
dashboard must make the same upstream calls whatever N is. The network has Bund and
NRW (no APIs of their own), Kommunalportal.NRW as one platform entry serving N
municipalities (one account area, one inbox), one FIT-Connect and two payment
providers. The citizen (Erika) has two sent cases (Köln, Dormagen), an account at the
platform and one payment. Used by tests/unit/graph/test_citizen_cost.py and
bench/citizen_cost.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from graph.actions import Actions
from graph.citizen.loaders import CitizenLoaders
from graph.citizen.view import CitizenView
from graph.domain.adapters import Adapters
from graph.domain.outages import OutageLog
from sandbox.scale import sample_municipalities
from sources.base import (
    AccountRecord,
    ApplicationRecord,
    ApplicationStatus,
    MessageRecord,
    PaymentLinkRecord,
    PaymentRecord,
    PaymentRequestRecord,
    PaymentStatus,
    PortalRecord,
    StatusEventRecord,
    StatusSource,
    Tier,
    TrustLevel,
    ViewerRecord,
)
from sources.base.portal_directory import PortalDirectory
from sources.base.tenants import TenantIndex
from sources.base.topology import (
    PaymentKind,
    PaymentProviderRecord,
    PaymentTenantRecord,
    PortalApiRecord,
    PortalEntryRecord,
    ServedMunicipality,
)
from sources.journal import Announcement, Draft, Journal

KOELN, DORMAGEN = "053150000000", "051620008008"
PLATFORM = "kommunalportal-nrw"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def entries(count: int, *, platform: bool = True) -> tuple[PortalEntryRecord, ...]:
    """Bund, NRW and `count` municipalities (Köln and Dormagen first): served by one
    platform entry, or (`platform=False`) each its own entry with its own account area."""
    api = PortalApiRecord(url="https://konto.example.invalid")
    chosen = sample_municipalities(count)
    land = (
        PortalEntryRecord("bund", "Bund", Tier.FEDERAL, "000000000000"),
        PortalEntryRecord("nrw", "NRW", Tier.STATE, "050000000000"),
    )
    if not platform:
        return land + tuple(
            PortalEntryRecord(f"m-{m.ars}", m.name, Tier.MUNICIPAL, m.ars, accounts=api, inbox=api)
            for m in chosen
        )
    served = tuple(ServedMunicipality(ars=m.ars, name=m.name) for m in chosen)
    return (
        *land,
        PortalEntryRecord(
            PLATFORM, "Kommunalportal.NRW", Tier.MUNICIPAL, None, serves=served,
            accounts=api, inbox=api,
        ),
    )  # fmt: skip


def providers() -> tuple[PaymentProviderRecord, ...]:
    return (
        PaymentProviderRecord(
            "epaybl", "ePayBL", PaymentKind.EPAYBL, "https://epaybl.example.invalid",
            (PaymentTenantRecord("05", "nrw", "land"),),
        ),
        PaymentProviderRecord(
            "pmpayment", "pmPayment", PaymentKind.PMPAYMENT, "https://pm.example.invalid",
            (PaymentTenantRecord("05162", "rkn", "neuss"),),
        ),
    )  # fmt: skip


@dataclass
class Calls:
    """Every upstream call, as `upstream METHOD path`-like strings, with its count."""

    counted: Counter[str] = field(default_factory=Counter)

    def add(self, call: str) -> None:
        self.counted[call] += 1


class FakeCases:
    portal = PortalRecord("fitconnect", "FIT-Connect", Tier.FEDERAL, "000000000000", None, {})

    def __init__(self, calls: Calls) -> None:
        self.calls = calls

    async def events(self, case_id: str, destination_id: str | None = None) -> list[Any]:
        self.calls.add(f"fitconnect GET /v1/cases/{case_id}/events")
        return [
            StatusEventRecord(
                f"{case_id}-1", None, NOW, ApplicationStatus.RECEIVED, StatusSource.FIT_CONNECT,
                None,
            )
        ]  # fmt: skip

    async def latest(self, case_id: str, destination_id: str | None = None) -> None:
        raise NotImplementedError


class FakeArea:
    """The platform's account area and inbox: Erika has an account; anyone else has none."""

    def __init__(self, entry_id: str, calls: Calls, accounts: set[str]) -> None:
        self.entry_id, self.calls, self.accounts = entry_id, calls, accounts
        self.listing: list[ApplicationRecord] = []  # what applications() lists for a holder
        self.portal = PortalRecord(entry_id, entry_id, Tier.MUNICIPAL, "05", None, {})

    def _call(self, what: str, token: str) -> bool:
        self.calls.add(f"{self.entry_id} {what}")
        return token in self.accounts

    async def account(self, subject_token: str) -> AccountRecord | None:
        if not self._call("GET /v1/me", subject_token):
            return None
        return AccountRecord(self.entry_id, "acc-1", NOW, ("applications", "inbox"))

    async def applications(self, subject_token: str) -> list[ApplicationRecord]:
        return list(self.listing) if self._call("GET /v1/me/applications", subject_token) else []

    async def link_payment(self, subject_token: str, application_id: str, link: Any) -> None:
        self._call(f"PUT /v1/me/applications/{application_id}/payments", subject_token)

    async def messages(self, subject_token: str) -> list[MessageRecord]:
        self._call("GET /v1/messages", subject_token)
        return []

    async def status_updates(self, subject_token: str) -> list[StatusEventRecord]:
        self._call("GET /v1/statusupdates", subject_token)
        return []

    async def mark_read(self, subject_token: str, message_id: str) -> None:
        self._call(f"PUT /v1/messages/{message_id}/read", subject_token)

    async def attachment(self, subject_token: str, message_id: str, attachment_id: str) -> Any:
        raise NotImplementedError


class FakeProvider:
    def __init__(self, provider_id: str, calls: Calls) -> None:
        self.provider_id, self.calls = provider_id, calls
        self.portal = PortalRecord(provider_id, provider_id, Tier.FEDERAL, "00", None, {})
        self.created = 0

    def record(self, transaction_id: str, originator: str, end_point: str) -> PaymentRecord:
        return PaymentRecord(
            self.provider_id, transaction_id, originator, end_point, None, PaymentStatus.INITIAL,
            None, 2500, "EUR", None, None, (), None, None, "https://pay.example.invalid/t",
            None, None,
        )  # fmt: skip

    async def transaction(self, link: PaymentLinkRecord) -> PaymentRecord | None:
        path = f"{link.originator_id}/{link.end_point_id}/{link.transaction_id}"
        self.calls.add(f"{self.provider_id} GET /paymenttransaction/{path}")
        return self.record(link.transaction_id, link.originator_id, link.end_point_id)

    async def create(
        self, originator_id: str, end_point_id: str, request: PaymentRequestRecord
    ) -> PaymentRecord:
        self.calls.add(
            f"{self.provider_id} POST /paymenttransaction/{originator_id}/{end_point_id}"
        )
        self.created += 1
        return self.record(f"T{self.created}", originator_id, end_point_id)

    async def health(self, originator_id: str, end_point_id: str) -> None:
        raise NotImplementedError


@dataclass
class World:
    """The network of `count` municipalities: adapters, the upstream calls they counted."""

    count: int
    calls: Calls
    adapters: Adapters
    journal: Journal | None

    def view(self, token: str, subject: str = "erika") -> CitizenView:
        """A fresh request's view of the citizen (its own loaders, as per request)."""
        viewer = ViewerRecord(
            subject, TrustLevel.SUBSTANTIAL, ("eID",), "Erika", "Mustermann", None, None, None,
            "postfach-erika", False, None, 2e9, token,
        )  # fmt: skip
        outages = OutageLog()
        context = FakeContext(
            gateway=FakeGateway(self.adapters, self.adapters.portals, lambda s: f"key-{s}"),
            loaders=CitizenLoaders(outages, self.adapters, self.journal),
            actions=Actions(self.adapters, self.journal),
            viewer=viewer,
            outages=outages,
        )
        return CitizenView(cast(Any, context))


@dataclass
class FakeGateway:
    adapters: Adapters
    portals: Any
    subject_keys: Any


@dataclass
class FakeContext:
    gateway: FakeGateway
    loaders: CitizenLoaders
    actions: Actions
    viewer: ViewerRecord
    outages: OutageLog

    def token(self) -> str:
        return self.viewer.token

    def subject_key(self) -> str | None:
        keys = self.gateway.subject_keys
        return None if keys is None else str(keys(self.viewer.subject))


def world(
    count: int,
    journal: Journal | None,
    accounts: set[str] | None = None,
    *,
    platform: bool = True,
) -> World:
    """`accounts`: the tokens that have an account at Köln's and Dormagen's account areas
    (default: Erika's); nobody has one anywhere else."""
    calls = Calls()
    records = providers()
    network = entries(count, platform=platform)
    holders = accounts if accounts is not None else {"erika-token"}
    areas: dict[str, Any] = {
        e.id: FakeArea(e.id, calls, holders if e.ars in (None, KOELN, DORMAGEN) else set())
        for e in network
        if e.accounts is not None
    }
    adapters = Adapters(
        portals=PortalDirectory(network),
        account_areas=areas,
        postboxes=areas,
        case_events=cast(Any, FakeCases(calls)),
        payments={p.id: cast(Any, FakeProvider(p.id, calls)) for p in records},
        tenants=TenantIndex(records),
    )
    return World(count, calls, adapters, journal)


async def send(journal: Journal, subject_key: str, n: int, portal_id: str, ars: str) -> str:
    """A sent submission in the journal (as the submission desk leaves it); its case id."""
    draft = Draft("99108001000000", f"Leistung {n}", ars)
    claim = await journal.submissions.claim(
        subject_key, f"m{n}", f"fp{n}", draft, owner="test", lease_seconds=30
    )
    assert claim.ticket is not None
    case_id = f"case-{n}"
    announcement = Announcement(portal_id, f"dest-{n}", f"sub-{n}", case_id, ())
    await journal.submissions.announced(claim.ticket, announcement)
    await journal.submissions.submitted(claim.ticket)
    return case_id


async def dashboard(view: CitizenView) -> dict[str, Any]:
    """What the dashboard query resolves for the viewer: applications with status
    history and payments, the inbox, the accounts (graph/resolvers and graph/types call
    exactly these)."""
    applications = await view.applications()
    shown = []
    for record in applications:
        history = await view.application_history(record)
        payments = await view.application_payments(record)
        shown.append((record.portal_id, record.case_id, len(history), len(payments)))
    messages = await view.messages()
    accounts = await view.accounts()
    return {"applications": sorted(shown), "messages": len(messages), "accounts": len(accounts)}
