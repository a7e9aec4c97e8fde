"""Who pays, and what the booking says: the XBezahldienste `requestor` and `bookingData`.

XBezahldienste 1.0.0 lets the online service name the payer (`requestor`: family name,
first name, organisation, postal address) so the pay page and the authority's cash office
need not ask again, and gives each position provider-specific `bookingData` (for example
Haushaltsstelle, Kassenzeichen) that the provider books with. The payer is the signed-in
viewer, as BundID asserted them: nothing the client sends can change who pays. The
booking data comes from the client (the online service knows its fees' accounts); its
bounds are the gateway's own, against abuse — the standard sets none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sources.base import RequestorAddressRecord, RequestorRecord, ViewerRecord

MAX_BOOKING_ENTRIES = 20  # the gateway's bound, not the standard's
MAX_BOOKING_KEY, MAX_BOOKING_VALUE = 50, 250
# "Heidestraße 17", "Am Markt 3a", "Neusser Straße 12-14": a trailing house number.
HOUSE_NUMBER = re.compile(r"^(?P<street>.*\S)\s+(?P<number>\d+[\w/-]*)$")


class BookingDataError(ValueError):
    """The booking data break the gateway's bounds (the message says which)."""


def requestor_of(viewer: ViewerRecord) -> RequestorRecord:
    """The viewer as XBezahldienste's payer: `name` is the family name; an organisation
    account (Mein Unternehmenskonto) pays as the organisation. Gender is not asserted by
    BundID's sign-in, so it is left out (the member is optional)."""
    address = None
    if viewer.address is not None:
        found = viewer.address
        street, number = found.street_address, None
        split = HOUSE_NUMBER.match(street or "")
        if split is not None:
            street, number = split["street"], split["number"]
        address = RequestorAddressRecord(
            street=street,
            house_number=number,
            postal_code=found.postal_code,
            city=found.locality,
            country=found.country,
        )
    return RequestorRecord(
        name=viewer.family_name,
        first_name=viewer.given_name,
        is_organization=viewer.is_organisation,
        organization_name=viewer.organisation_name if viewer.is_organisation else None,
        address=address,
    )


def booking_data(entries: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Key-value pairs for one position, sorted; raises BookingDataError beyond the bounds
    or on a repeated key (a JSON object holds each key once)."""
    pairs = list(entries)
    if len(pairs) > MAX_BOOKING_ENTRIES:
        raise BookingDataError(f"at most {MAX_BOOKING_ENTRIES} entries per position")
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise BookingDataError("each key at most once per position")
    for key, value in pairs:
        if not 0 < len(key) <= MAX_BOOKING_KEY or len(value) > MAX_BOOKING_VALUE:
            raise BookingDataError(
                f"keys 1 to {MAX_BOOKING_KEY} characters, values at most {MAX_BOOKING_VALUE}"
            )
    return tuple(sorted(pairs))
