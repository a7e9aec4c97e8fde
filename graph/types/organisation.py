"""Authorities and offices (Organisationseinheiten)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from sources.base import AddressRecord, OrganisationRecord


@strawberry.type(description="A postal address (Anschrift).")
class Address:
    street: str | None = strawberry.field(description="Street (Straße).")
    house_number: str | None = strawberry.field(description="House number (Hausnummer).")
    postal_code: str | None = strawberry.field(description="Postal code (Postleitzahl).")
    city: str | None = strawberry.field(description="City (Ort).")

    @classmethod
    def from_record(cls, record: AddressRecord) -> Address:
        return cls(
            street=record.street,
            house_number=record.house_number,
            postal_code=record.postal_code,
            city=record.city,
        )


@strawberry.type(description="An authority or office (Organisationseinheit), e.g. a Bürgeramt.")
class Organisation:
    id: strawberry.ID = strawberry.field(
        description="Directory id of the organisation unit (OE id)."
    )
    name: str = strawberry.field(description="Name of the authority (Bezeichnung).")
    role: str | None = strawberry.field(
        description="Role for the service, e.g. responsible authority (Zuständige Stelle)."
    )
    addresses: list[Address] = strawberry.field(
        description="Visiting and postal addresses (Anschriften)."
    )
    phone: str | None = strawberry.field(description="Phone number (Telefon).")
    fax: str | None = strawberry.field(description="Fax number.")
    email: str | None = strawberry.field(description="Email address.")
    website: str | None = strawberry.field(description="Website of the authority.")
    opening_hours: str | None = strawberry.field(description="Opening hours (Öffnungszeiten).")
    last_update: datetime | None = strawberry.field(
        description="When the directory last changed this entry."
    )

    @classmethod
    def from_record(cls, record: OrganisationRecord) -> Organisation:
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            role=record.role,
            addresses=[Address.from_record(a) for a in record.addresses],
            phone=record.phone,
            fax=record.fax,
            email=record.email,
            website=record.website,
            opening_hours=record.opening_hours,
            last_update=record.last_update,
        )
