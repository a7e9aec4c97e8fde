"""The XBezahldienste payer and booking data: who pays comes from the sign-in only."""

from __future__ import annotations

import pytest

from graph.domain.payer import BookingDataError, booking_data, requestor_of
from sources.base import PostalAddressRecord, TrustLevel, ViewerRecord


def viewer(street: str | None, *, organisation: str | None = None) -> ViewerRecord:
    address = PostalAddressRecord(street, "51147", "Köln", "DE")
    return ViewerRecord(
        "sub", TrustLevel.HIGH, ("eID",), "Erika", "Mustermann", None, address, None, None,
        organisation is not None, organisation, 0.0, token="t",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("street", "expected"),
    [
        ("Heidestraße 17", ("Heidestraße", "17")),
        ("Am Markt 3a", ("Am Markt", "3a")),
        ("Neusser Straße 12-14", ("Neusser Straße", "12-14")),
        ("Auf dem Hügel", ("Auf dem Hügel", None)),
        (None, (None, None)),
    ],
)
def test_the_payer_is_the_viewer_with_street_and_house_number(
    street: str | None, expected: tuple[str | None, str | None]
) -> None:
    payer = requestor_of(viewer(street))
    assert (payer.name, payer.first_name, payer.gender) == ("Mustermann", "Erika", None)
    assert payer.address is not None
    assert (payer.address.street, payer.address.house_number) == expected
    assert (payer.address.postal_code, payer.address.city) == ("51147", "Köln")


def test_an_organisation_account_pays_as_the_organisation() -> None:
    payer = requestor_of(viewer("Industriestraße 8", organisation="Rheinische Backwaren GmbH"))
    assert (payer.is_organization, payer.organization_name) == (True, "Rheinische Backwaren GmbH")


def test_booking_data_is_sorted_and_bounded() -> None:
    assert booking_data([("b", "2"), ("a", "1")]) == (("a", "1"), ("b", "2"))
    for bad in (
        [("k", "1"), ("k", "2")],
        [("", "x")],
        [("k", "x" * 251)],
        [(str(n), "") for n in range(21)],
    ):
        with pytest.raises(BookingDataError):
            booking_data(bad)
