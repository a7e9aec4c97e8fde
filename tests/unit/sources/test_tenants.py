from __future__ import annotations

import pytest

from sources.base.tenants import TenantIndex, choose_tenant
from sources.base.topology import PaymentKind, PaymentProviderRecord, PaymentTenantRecord


def provider(provider_id: str, *prefixes: str) -> PaymentProviderRecord:
    tenants = tuple(PaymentTenantRecord(p, f"{provider_id}-o", f"e{p}") for p in prefixes)
    return PaymentProviderRecord(
        provider_id, provider_id, PaymentKind.XBEZAHLDIENSTE, "https://p.example", tenants
    )


PROVIDERS = (provider("epaybl", "05", "05162"), provider("epay21", "051620008008", "06"))


@pytest.mark.parametrize(
    ("ars", "expected"),
    [
        ("051620008008", ("epay21", "051620008008")),  # the municipality's own tenant
        ("051620024024", ("epaybl", "05162")),  # the Kreis
        ("053150000000", ("epaybl", "05")),  # the Land
        ("064150000000", ("epay21", "06")),
        ("091620000000", None),  # nobody
        ("05162", ("epaybl", "05162")),  # a shorter area key works too
    ],
)
def test_the_most_specific_prefix_wins_across_providers(
    ars: str, expected: tuple[str, str] | None
) -> None:
    found = choose_tenant(PROVIDERS, ars)
    assert (None if found is None else (found[0].id, found[1].ars_prefix)) == expected


def test_the_index_counts_prefixes_and_keeps_the_first_of_a_duplicate() -> None:
    index = TenantIndex((*PROVIDERS, provider("late", "05")))
    assert len(index) == 4
    found = index.choose("057110000000")
    assert found is not None
    assert found[0].id == "epaybl"
