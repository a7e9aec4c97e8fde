"""Service descriptions (Leistungsbeschreibungen) and their parts."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry

from graph.types.node import Node, to_global_id
from graph.types.organisation import Organisation
from graph.types.portal import Portal, Tier, TrustLevel
from sources.base import FeeRecord, LinkRecord, OnlineServiceRecord, ServiceRecord

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
    teaser: str | None = strawberry.field(description="Short summary (Teaser), HTML.")
    description: str | None = strawberry.field(description="Full description (Volltext), HTML.")
    required_documents: str | None = strawberry.field(
        description="Required documents (erforderliche Unterlagen), HTML."
    )
    prerequisites: str | None = strawberry.field(
        description="Prerequisites (Voraussetzungen), HTML."
    )
    fees_text: str | None = strawberry.field(description="Costs as text (Kosten), HTML.")
    fees: list[Fee] = strawberry.field(
        description="Fees (Gebühren), structured where the directory gives structure."
    )
    deadlines: str | None = strawberry.field(description="Deadlines (Fristen), HTML.")
    processing_time: str | None = strawberry.field(
        description="Processing time (Bearbeitungsdauer), HTML."
    )
    legal_basis: list[Link] = strawberry.field(
        description="Legal basis (Rechtsgrundlagen) as links."
    )
    online_services: list[OnlineService] = strawberry.field(
        description="Online services (Onlinedienste) where the service can be applied for."
    )
    approved_by: str | None = strawberry.field(
        description="Who approved the text (fachlich freigegeben durch)."
    )
    approved_on: date | None = strawberry.field(
        description="When the text was approved (fachlich freigegeben am)."
    )
    last_update: datetime | None = strawberry.field(
        description="Last change of the description (Stand)."
    )
    origin_portal: Portal = strawberry.field(
        description="Portal whose editors wrote this description (Ursprungsportal)."
    )
    tier: Tier = strawberry.field(description="Administrative level the description comes from.")
    ars: str = strawberry.field(
        description=(
            "Regional key (Amtlicher Regionalschlüssel) of the area the description is written "
            "for, its origin portal's area. With `leikaKey` it is the Apollo Federation key: a "
            "reference naming a region inside that area resolves to the description in force there."
        )
    )
    organisation_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(
        description="Responsible authority (zuständige Stelle) with address and contact."
    )
    async def responsible_authority(
        self, info: strawberry.Info[Context, None]
    ) -> Organisation | None:
        if not self.organisation_ids:
            return None
        record = await info.context.loaders.organisation(
            self.origin_portal.id, self.organisation_ids[0]
        )
        return Organisation.from_record(record) if record else None

    @classmethod
    def from_record(cls, record: ServiceRecord, portal: Portal) -> Service:
        return cls(
            id=to_global_id("Service", record.portal_id, record.id),
            pvog_id=record.id,
            leika_key=record.leika_keys[0] if record.leika_keys else None,
            leika_keys=list(record.leika_keys),
            name=record.name,
            teaser=record.teaser,
            description=record.description,
            required_documents=record.required_documents,
            prerequisites=record.prerequisites,
            fees_text=record.fees_text,
            fees=[Fee.from_record(f) for f in record.fees],
            deadlines=record.deadlines,
            processing_time=record.processing_time,
            legal_basis=[Link.from_record(link) for link in record.legal_basis],
            online_services=[OnlineService.from_record(o) for o in record.online_services],
            approved_by=record.approved_by,
            approved_on=record.approved_on,
            last_update=record.last_update,
            origin_portal=portal,
            tier=portal.tier,
            ars=portal.ars,
            organisation_ids=record.organisation_ids,
        )
