"""Service descriptions (Leistungsbeschreibungen) and their parts."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

import strawberry

from graph.domain.service_texts import full_record
from graph.types.node import Node, to_global_id
from graph.types.organisation import Organisation
from graph.types.portal import Portal, Tier, TrustLevel
from sources.base import (
    FeeRecord,
    LinkRecord,
    OnlineServiceRecord,
    ServiceHit,
    ServiceRecord,
)

if TYPE_CHECKING:
    from graph.context import Context


@strawberry.type(description="A fee (Gebühr) with its amount where the directory states one.")
class Fee:
    description: str = strawberry.field(description="Fee as the directory words it.")
    amount_cents: int | None = strawberry.field(
        description="Amount in cents, when stated as a number."
    )
    currency: str = strawberry.field(description="ISO 4217 currency, always EUR.")

    @classmethod
    def from_record(cls, record: FeeRecord) -> Fee:
        return cls(
            description=record.description,
            amount_cents=record.amount_cents,
            currency=record.currency,
        )


@strawberry.type(description="A link with a title, e.g. a legal basis (Rechtsgrundlage).")
class Link:
    title: str = strawberry.field(description="Link text.")
    url: str = strawberry.field(description="Target URL.")

    @classmethod
    def from_record(cls, record: LinkRecord) -> Link:
        return cls(title=record.title, url=record.uri)


# The PVOG's `onlineServiceLinks` carry title and uri only (issue 17 item 10).
TRUST_LEVEL_DEPRECATION = (
    "Use the trust level the online service asks for when it starts (the PVOG publishes no"
    " trust level for online links, so this field is always null) instead."
    " Removal on or after 2027-06-01."
)


@strawberry.type(
    description="An online service (Onlinedienst) where the service can be applied for."
)
class OnlineService:
    title: str = strawberry.field(description="Name of the online service.")
    url: str = strawberry.field(description="Where the online service starts.")
    required_trust_level: TrustLevel | None = strawberry.field(
        description=(
            "Sign-in trust level (Vertrauensniveau) the online service requires; always null"
            " from the PVOG, whose online links carry no trust level."
        ),
        deprecation_reason=TRUST_LEVEL_DEPRECATION,
    )

    @classmethod
    def from_record(cls, record: OnlineServiceRecord) -> OnlineService:
        return cls(title=record.title, url=record.uri, required_trust_level=record.trust_level)


@strawberry.federation.type(
    keys=["leikaKey ars"],
    description="A public service (Verwaltungsleistung) as described by one portal's editors.",
)
class Service(Node):
    pvog_id: str = strawberry.field(
        description="Id of the description in the portal's directory (PVOG id)."
    )
    leika_key: str | None = strawberry.field(
        description="Primary LeiKa key (Leistungsschlüssel, 14 digits)."
    )
    leika_keys: list[str] = strawberry.field(description="All LeiKa keys the description covers.")
    name: str = strawberry.field(description="Name of the service (Leistungsbezeichnung).")

    # The texts, fees and links are read from the full record when a client asks for one
    # of them: a search shows many services and is mostly asked for their names, and
    # building every record (and its Fee/Link objects) was most of its CPU (issue 21).
    @strawberry.field(description="Short summary (Teaser), HTML.")
    def teaser(self, info: strawberry.Info[Context, None]) -> str | None:
        return self.record(info).teaser

    @strawberry.field(description="Full description (Volltext), HTML.")
    def description(self, info: strawberry.Info[Context, None]) -> str | None:
        return self.record(info).description

    @strawberry.field(description="Required documents (erforderliche Unterlagen), HTML.")
    def required_documents(self, info: strawberry.Info[Context, None]) -> str | None:
        return self.record(info).required_documents

    @strawberry.field(description="Prerequisites (Voraussetzungen), HTML.")
    def prerequisites(self, info: strawberry.Info[Context, None]) -> str | None:
        return self.record(info).prerequisites

    @strawberry.field(description="Costs as text (Kosten), HTML.")
    def fees_text(self, info: strawberry.Info[Context, None]) -> str | None:
        return self.record(info).fees_text

    @strawberry.field(
        description="Fees (Gebühren), structured where the directory gives structure."
    )
    def fees(self, info: strawberry.Info[Context, None]) -> list[Fee]:
        return [Fee.from_record(f) for f in self.record(info).fees]

    @strawberry.field(description="Deadlines (Fristen), HTML.")
    def deadlines(self, info: strawberry.Info[Context, None]) -> str | None:
        return self.record(info).deadlines

    @strawberry.field(description="Processing time (Bearbeitungsdauer), HTML.")
    def processing_time(self, info: strawberry.Info[Context, None]) -> str | None:
        return self.record(info).processing_time

    @strawberry.field(description="Legal basis (Rechtsgrundlagen) as links.")
    def legal_basis(self, info: strawberry.Info[Context, None]) -> list[Link]:
        return [Link.from_record(link) for link in self.record(info).legal_basis]

    @strawberry.field(
        description="Online services (Onlinedienste) where the service can be applied for."
    )
    def online_services(self, info: strawberry.Info[Context, None]) -> list[OnlineService]:
        return [OnlineService.from_record(o) for o in self.record(info).online_services]

    @strawberry.field(description="Who approved the text (fachlich freigegeben durch).")
    def approved_by(self, info: strawberry.Info[Context, None]) -> str | None:
        return self.record(info).approved_by

    @strawberry.field(description="When the text was approved (fachlich freigegeben am).")
    def approved_on(self, info: strawberry.Info[Context, None]) -> date | None:
        return self.record(info).approved_on

    @strawberry.field(description="Last change of the description (Stand).")
    def last_update(self, info: strawberry.Info[Context, None]) -> datetime | None:
        return self.record(info).last_update

    # Resolvers too, after the texts: the schema lists the fields in this order.
    @strawberry.field(description="Portal whose editors wrote this description (Ursprungsportal).")
    def origin_portal(self) -> Portal:
        return self.portal()

    @strawberry.field(description="Administrative level the description comes from.")
    def tier(self) -> Tier:
        return self.portal().tier

    @strawberry.field(
        description=(
            "Regional key (Amtlicher Regionalschlüssel) of the area the description is written "
            "for, its origin portal's area. With `leikaKey` it is the Apollo Federation key: a "
            "reference naming a region inside that area resolves to the description in force there."
        )
    )
    def ars(self) -> str:
        return self.portal().ars

    # Typed Any: Strawberry's federation walk then finds Portal twice and refuses the schema.
    origin: strawberry.Private[Any]
    organisation_ids: strawberry.Private[tuple[str, ...]]
    # The search hit until a field needs the full record, then that record (built once).
    content: strawberry.Private[ServiceHit | ServiceRecord]

    def portal(self) -> Portal:
        return cast(Portal, self.origin)

    def record(self, info: strawberry.Info[Context, None]) -> ServiceRecord:
        """The full description, built on the first text field asked for (a malformed text:
        the directory's outage, no texts; graph.domain.service_texts)."""
        content = self.content
        if isinstance(content, ServiceHit):
            content = self.content = full_record(content, info.context.outages)
        return content

    @strawberry.field(
        description="Responsible authority (zuständige Stelle) with address and contact."
    )
    async def responsible_authority(
        self, info: strawberry.Info[Context, None]
    ) -> Organisation | None:
        if not self.organisation_ids:
            return None
        record = await info.context.loaders.organisation(self.organisation_ids[0])
        return Organisation.from_record(record) if record else None

    @classmethod
    def from_record(cls, record: ServiceRecord, portal: Portal) -> Service:
        return cls.from_hit(record, portal)

    @classmethod
    def from_hit(cls, hit: ServiceHit | ServiceRecord, portal: Portal) -> Service:
        """A description from a search hit (its record built when a field needs it) or a
        record already built."""
        return FoundService(hit, portal)


class FoundService(Service):
    """A Service whose global ID is encoded when a client reads it: a search shows up to a
    hundred services a page and is mostly asked for their names (issue 21). GraphQL sees a
    Service (its fields are read as attributes, its type checked with `isinstance`)."""

    def __init__(self, hit: ServiceHit | ServiceRecord, portal: Portal) -> None:
        # Not the dataclass's __init__: it would assign `id`, which is computed here.
        self.pvog_id = hit.id
        self.leika_key = hit.leika_keys[0] if hit.leika_keys else None
        self.leika_keys = list(hit.leika_keys)
        self.name = hit.name
        self.origin = portal
        self.organisation_ids = hit.organisation_ids
        self.content = hit

    @property
    def id(self) -> strawberry.ID:  # type: ignore[override]  # read-only: computed, never assigned
        content = self.content  # the hit or its record: the same portal and id
        return to_global_id("Service", content.portal_id, content.id)
