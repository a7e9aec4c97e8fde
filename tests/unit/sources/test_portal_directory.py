"""Platforms expand into one Portal per municipality, lazily and cheaply."""

from __future__ import annotations

import time
import tracemalloc

from sources.base import Capability, Tier
from sources.base.portal_directory import PortalDirectory, slug
from sources.base.topology import PortalApiRecord, PortalEntryRecord, ServedMunicipality

ACCOUNTS = PortalApiRecord(url="https://api.kommunalportal.example/accounts", adapter="knrw")


def platform(count: int) -> PortalEntryRecord:
    served = tuple(ServedMunicipality(ars=f"05162{i:04d}{i:03d}") for i in range(count))
    return PortalEntryRecord(
        id="knrw",
        name="Kommunalportal.NRW",
        tier=Tier.MUNICIPAL,
        ars=None,
        serves=served,
        website_template="https://{slug}.kommunalportal.nrw",
        accounts=ACCOUNTS,
    )


NRW = PortalEntryRecord(id="nrw", name="Serviceportal NRW", tier=Tier.STATE, ars="050000000000")


def test_each_served_municipality_is_a_portal_with_the_platform_api() -> None:
    entry = PortalEntryRecord(
        id="knrw",
        name="Kommunalportal.NRW",
        tier=Tier.MUNICIPAL,
        ars=None,
        serves=(
            ServedMunicipality(ars="051620008008", id="dormagen", name="Dormagen"),
            ServedMunicipality(ars="051170000000"),
        ),
        website_template="https://{slug}.kommunalportal.nrw",
        accounts=ACCOUNTS,
    )
    directory = PortalDirectory((NRW, entry), names={"051170000000": "Mülheim an der Ruhr"})
    assert len(directory) == 3
    dormagen = directory.get("dormagen")
    assert dormagen is not None
    assert (dormagen.name, dormagen.ars, dormagen.tier) == (
        "Dormagen",
        "051620008008",
        Tier.MUNICIPAL,
    )
    assert dormagen.website == "https://dormagen.kommunalportal.nrw"
    assert dormagen.endpoints[Capability.ACCOUNTS].adapter == "knrw"
    muelheim = directory.for_ars("051170000000")
    assert muelheim is not None
    assert muelheim.id == "knrw-051170000000"
    assert muelheim.website == "https://muelheim-an-der-ruhr.kommunalportal.nrw"
    assert muelheim.endpoints is dormagen.endpoints  # shared, not copied per municipality
    assert directory.entry_of("dormagen") is entry
    assert [p.id for p in directory.by_tier(Tier.STATE)] == ["nrw"]
    assert directory.get("knrw") is None  # the platform itself is not a portal
    assert directory.get("dormagen") is dormagen  # built once


def test_a_municipality_without_a_name_gets_no_guessed_subdomain() -> None:
    directory = PortalDirectory((platform(1),))
    only = next(iter(directory))
    assert only.name == f"Kommunalportal.NRW {only.ars}"
    assert only.website is None


def test_a_prefix_platform_serves_what_the_directory_knows_below_the_prefix() -> None:
    entry = PortalEntryRecord(
        id="knrw", name="Kommunalportal.NRW", tier=Tier.MUNICIPAL, ars=None, ars_prefix="05162"
    )
    names = {"051620008008": "Dormagen", "051620024024": "Neuss", "053150000000": "Köln"}
    directory = PortalDirectory((entry,), names=names)
    assert sorted(p.name for p in directory) == ["Dormagen", "Neuss"]
    assert directory.for_ars("053150000000") is None


def test_396_municipalities_cost_no_start_up_time() -> None:
    entry = platform(396)
    tracemalloc.start()
    started = time.perf_counter()
    directory = PortalDirectory((NRW, entry))
    indexed = time.perf_counter() - started
    index_memory = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    portals = list(directory)
    expanded = time.perf_counter() - started
    tracemalloc.stop()
    assert len(portals) == 397
    # Generous bounds for a shared 2-core machine; measured ≈ 0.1 ms and ≈ 1 ms.
    assert indexed < 0.05, indexed
    assert expanded < 0.1, expanded
    assert index_memory < 200_000, index_memory


def test_slugs_follow_the_subdomain_style() -> None:
    assert slug("Mülheim an der Ruhr") == "muelheim-an-der-ruhr"
    assert slug("Bad Münstereifel") == "bad-muenstereifel"
    assert slug("Weißenthurm") == "weissenthurm"
