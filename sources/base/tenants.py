"""Which payment tenant serves a place: the most specific ARS prefix wins.

A payment provider has many tenants (XBezahldienste `originatorId`/`endPointId`), each
configured for an ARS prefix of 2–12 digits: `05` for everything in NRW that has no
own tenant, `05162` for the Rhein-Kreis Neuss, `051620008008` for Dormagen alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from sources.base.topology import PaymentProviderRecord, PaymentTenantRecord

Choice = tuple[PaymentProviderRecord, PaymentTenantRecord]


class TenantIndex:
    """All tenants of all providers by prefix; a lookup costs at most 11 dict probes."""

    __slots__ = ("_by_prefix",)

    def __init__(self, providers: Iterable[PaymentProviderRecord]) -> None:
        self._by_prefix: dict[str, Choice] = {}
        for provider in providers:
            for tenant in provider.tenants:
                # First in file order wins a (rejected-by-the-parser) duplicate prefix.
                self._by_prefix.setdefault(tenant.ars_prefix, (provider, tenant))

    def choose(self, ars: str) -> Choice | None:
        """The provider and tenant for a 12-digit ARS (or a shorter area key), or None."""
        for length in range(min(len(ars), 12), 1, -1):
            found = self._by_prefix.get(ars[:length])
            if found is not None:
                return found
        return None

    def __len__(self) -> int:
        return len(self._by_prefix)


def choose_tenant(providers: Iterable[PaymentProviderRecord], ars: str) -> Choice | None:
    """One-off form of `TenantIndex(providers).choose(ars)`."""
    return TenantIndex(providers).choose(ars)
