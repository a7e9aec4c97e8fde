"""Portals of the network, their tier and capabilities, and outages."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from graph.types.vocabulary import describe_values
from sources.base import Capability, PortalRecord, Tier, TrustLevel

# The GraphQL enums are the records' enums, registered once (no second spelling).
strawberry.enum(Tier, description="Administrative level of a portal (Verwaltungsebene).")
strawberry.enum(
    Capability,
    description="An upstream a portal offers: service directory, account area, status, payments, inbox.",
)
strawberry.enum(
    TrustLevel, description="Trust level (Vertrauensniveau) of a sign-in, STORK-QAA levels 1–4."
)
describe_values(
    Tier,
    {
        "FEDERAL": "Federal level (Bund).",
        "STATE": "State level (Land).",
        "MUNICIPAL": "Municipal level (Kommune: Kreis, Stadt or Gemeinde).",
    },
)
describe_values(
    Capability,
    {
        "SERVICES": "Service directory (PVOG Suchdienst) with service descriptions.",
        "ACCOUNTS": "Account area (Nutzerkonto, 'Meine Anträge') with the applicant's cases.",
        "STATUS": "Status events of applications (FIT-Connect Submission API).",
        "PAYMENTS": "Payments (XBezahldienste).",
        "INBOX": "Inbox (Postfach) with messages from authorities.",
        "SUBMISSIONS": "Sending applications to the authority (FIT-Connect Antragsübermittlung).",
    },
)
describe_values(
    TrustLevel,
    {
        "BASIC": "Basic (niedrig, STORK-QAA level 1), e.g. user name and password.",
        "NORMAL": "STORK-QAA level 2; BundID does not use it in practice.",
        "SUBSTANTIAL": "Substantial (substanziell, STORK-QAA level 3), e.g. an ELSTER certificate.",
        "HIGH": "High (hoch, STORK-QAA level 4): the online ID card (Online-Ausweisfunktion).",
    },
)

__all__ = ["Capability", "Outage", "Portal", "Tier", "TrustLevel"]


@strawberry.federation.type(
    keys=["id"], description="A portal of the Portalverbund (federal, state or municipal)."
)
class Portal:
    id: strawberry.ID = strawberry.field(
        description="Stable portal id from the network configuration."
    )
    name: str = strawberry.field(description="Display name of the portal.")
    tier: Tier = strawberry.field(description="Administrative level (Bund, Land, Kommune).")
    ars: str = strawberry.field(description="Regional key (ARS) of the area the portal serves.")
    website: str | None = strawberry.field(description="Public website of the portal.")
    capabilities: list[Capability] = strawberry.field(description="Upstreams this portal offers.")

    @classmethod
    def from_record(
        cls, record: PortalRecord, capabilities: Sequence[Capability] | None = None
    ) -> Portal:
        """`capabilities`: what the network offers this portal (default: its own endpoints)."""
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            tier=record.tier,
            ars=record.ars,
            website=record.website,
            capabilities=list(record.capabilities if capabilities is None else capabilities),
        )


@strawberry.type(
    description="An upstream that failed during this request; render it as a banner (Störungshinweis)."
)
class Outage:
    portal_id: strawberry.ID = strawberry.field(description="Id of the affected portal.")
    portal_name: str | None = strawberry.field(
        description="Display name of the affected portal; null for a central service (routing, sign-in)."
    )
    capability: Capability = strawberry.field(description="Which upstream of the portal failed.")
    code: str = strawberry.field(
        description="Machine-readable reason, e.g. UPSTREAM_UNAVAILABLE or UPSTREAM_TIMEOUT."
    )
    message: str = strawberry.field(description="Human-readable summary, safe to show.")
