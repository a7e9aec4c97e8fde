"""The signed-in viewer (`me`) and their accounts at the portals of the network."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Self

import strawberry

from graph.types.node import to_global_id
from graph.types.portal import Capability, Outage, Portal, TrustLevel
from graph.types.vocabulary import describe_values
from sources.base import AccountRecord, PostalAddressRecord, ViewerRecord

if TYPE_CHECKING:
    from graph.context import Context

# What an account area says it offers, in the network's capability vocabulary.
SERVICE_CAPABILITIES = {
    "applications": Capability.STATUS,
    "payments": Capability.PAYMENTS,
    "inbox": Capability.INBOX,
}


@strawberry.enum(description="Kind of user account (Nutzerkonto).")
class AccountType(enum.Enum):
    CITIZEN = "citizen"
    ORGANISATION = "organisation"


describe_values(
    AccountType,
    {
        "CITIZEN": "A citizen's account (Bürgerkonto, BundID).",
        "ORGANISATION": "An organisation's account (Organisationskonto, Mein Unternehmenskonto).",
    },
)


@strawberry.type(
    description="Postal address from the sign-in (Meldeanschrift as reported by the identity provider)."
)
class PostalAddress:
    street_address: str | None = strawberry.field(description="Street and house number.")
    postal_code: str | None = strawberry.field(description="Postal code (Postleitzahl).")
    locality: str | None = strawberry.field(description="City (Ort).")
    country: str | None = strawberry.field(description="ISO 3166 country code.")

    @classmethod
    def from_record(cls, record: PostalAddressRecord) -> PostalAddress:
        return cls(
            street_address=record.street_address,
            postal_code=record.postal_code,
            locality=record.locality,
            country=record.country,
        )


@strawberry.type(description="The viewer's account at one portal (Servicekonto / Mein Konto).")
class PortalAccount:
    id: strawberry.ID = strawberry.field(
        description="Stable opaque ID of this account (portal and account id): a cache key."
    )
    portal: Portal = strawberry.field(description="The portal holding the account.")
    account_id: str = strawberry.field(description="Account id local to that portal.")
    since: datetime | None = strawberry.field(description="When the account was created.")
    capabilities: list[Capability] = strawberry.field(
        description="What this portal offers the viewer: applications (STATUS), PAYMENTS, INBOX."
    )

    @classmethod
    def from_record(cls, record: AccountRecord, portal: Portal) -> PortalAccount:
        offered = [SERVICE_CAPABILITIES[s] for s in record.services if s in SERVICE_CAPABILITIES]
        return cls(
            id=to_global_id("PortalAccount", portal.id, record.account_id),
            portal=portal,
            account_id=record.account_id,
            since=record.created_at,
            capabilities=[Capability.ACCOUNTS, *[c for c in offered if c in portal.capabilities]],
        )


@strawberry.type(
    name="Identity",
    description="Identity claims of the signed-in citizen or organisation; `Me` extends it.",
)
class Identity:
    id: strawberry.ID = strawberry.field(
        description="Stable opaque ID of the viewer (from the subject): the cache key of `Me`."
    )
    subject: str = strawberry.field(
        description="Pseudonymous subject (bPK2-style); stable per user, not a name."
    )
    trust_level: TrustLevel = strawberry.field(
        description="Trust level of this sign-in (Vertrauensniveau)."
    )
    sign_in_methods: list[str] = strawberry.field(
        description="How the user signed in, e.g. eID, ELSTER, Benutzername."
    )
    account_type: AccountType = strawberry.field(
        description="Citizen (BundID) or organisation (Mein Unternehmenskonto)."
    )
    given_name: str | None = strawberry.field(description="Given name (Vorname).")
    family_name: str | None = strawberry.field(description="Family name (Familienname).")
    organisation_name: str | None = strawberry.field(
        description="Name of the organisation (Firmenname), for organisation accounts."
    )
    birthdate: date | None = strawberry.field(description="Date of birth (Geburtsdatum).")
    address: PostalAddress | None = strawberry.field(description="Postal address (Anschrift).")
    email: str | None = strawberry.field(description="Email address.")
    postfach_handle: str | None = strawberry.field(
        description="Handle of the BundID mailbox (Postfach / Postkorb-Handle)."
    )
    viewer: strawberry.Private[ViewerRecord]

    @strawberry.field(
        description=(
            "The viewer's accounts at the portals where the gateway has learned they have "
            "one (a submission through the portal, or a query naming it); never a probe of "
            "every portal."
        )
    )
    async def accounts(self, info: strawberry.Info[Context, None]) -> list[PortalAccount]:
        records = await info.context.citizen.accounts()
        portals = info.context.gateway.portals
        return [PortalAccount.from_record(r, portals[r.portal_id]) for r in records]

    @strawberry.field(
        description="Portals whose upstreams failed for the viewer in this request (show a banner)."
    )
    async def outages(self, info: strawberry.Info[Context, None]) -> list[Outage]:
        # Every upstream this operation asked, wherever in the tree and in whatever order
        # it was selected: wait until every other field of the operation has resolved.
        await info.context.in_flight.others_done()
        return info.context.outage_list()

    @classmethod
    def from_record(cls, viewer: ViewerRecord) -> Self:
        return cls(
            id=to_global_id("Me", viewer.subject),
            subject=viewer.subject,
            trust_level=viewer.trust_level,
            sign_in_methods=list(viewer.sign_in_methods),
            account_type=AccountType.ORGANISATION
            if viewer.is_organisation
            else AccountType.CITIZEN,
            given_name=viewer.given_name,
            family_name=viewer.family_name,
            organisation_name=viewer.organisation_name,
            birthdate=viewer.birthdate,
            address=PostalAddress.from_record(viewer.address) if viewer.address else None,
            email=viewer.email,
            postfach_handle=viewer.postfach_handle,
            viewer=viewer,
        )
