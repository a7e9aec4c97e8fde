"""Regions (Gebiete) named by their Amtlicher Regionalschlüssel."""

from __future__ import annotations

import strawberry

from sources.base import RegionRecord


@strawberry.type(
    description="A region (Gebiet) identified by its Amtlicher Regionalschlüssel (ARS)."
)
class Region:
    ars: str = strawberry.field(
        description="12-digit official regional key (Amtlicher Regionalschlüssel)."
    )
    name: str = strawberry.field(description="Name of the region, e.g. a municipality (Gemeinde).")
    kind: str | None = strawberry.field(
        description="Kind of region as the directory names it, e.g. Kreis, Stadt, Land."
    )
    postal_codes: list[str] = strawberry.field(
        description="Postal codes (Postleitzahlen) inside the region."
    )

    @classmethod
    def from_record(cls, record: RegionRecord) -> Region:
        return cls(
            ars=record.ars,
            name=record.name,
            kind=record.kind,
            postal_codes=list(record.postal_codes),
        )
