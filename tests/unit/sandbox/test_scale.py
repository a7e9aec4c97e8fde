"""NRW at real scale: 396 municipalities in the real ARS structure, one local service each."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from sandbox.nrw_places import KREISE, REGIERUNGSBEZIRKE, nrw_municipalities
from sandbox.scale import (
    DOG_TAX_KEY,
    local_services,
    location,
    sample_municipalities,
    serves_toml,
)
from sources.base import Tier
from sources.base.portal_directory import PortalDirectory
from sources.topology import parse_topology

ROOT = Path(__file__).resolve().parents[3]


def test_all_396_municipalities_follow_the_real_ars_structure() -> None:
    every = nrw_municipalities()
    assert len(every) == 396
    assert len({m.ars for m in every}) == 396
    assert len({m.name for m in every}) == 396
    for m in every:
        assert len(m.ars) == 12
        assert m.ars.isdigit()
        assert m.ars[:2] == "05"
        assert m.ars[:3] in REGIERUNGSBEZIRKE
        if m.kreisfrei:
            assert m.ars.endswith("0000000")
            assert not m.invented
        else:
            # NRW has no Gemeindeverbände: Verband = "0" + the Gemeinde number
            assert m.ars[5] == "0"
            assert m.ars[6:9] == m.ars[9:]
        assert m.ags == m.ars[:5] + m.ars[9:]
    per_kreis = Counter(m.kreis for m in every)
    assert per_kreis == {key: count or 1 for key, _, count in KREISE}
    assert sum(1 for m in every if m.kreisfrei) == 22
    assert len(KREISE) - 22 == 31


def test_towns_the_catalogue_names_keep_their_real_keys_and_the_rest_is_marked_invented() -> None:
    by_name = {m.name: m for m in nrw_municipalities()}
    assert by_name["Dormagen"].ars == "051620008008"
    assert by_name["Köln"].ars == "053150000000"
    assert not by_name["Neuss"].invented
    assert sum(m.invented for m in nrw_municipalities()) == 396 - 22 - 8


def test_shrinking_keeps_the_anchors_and_spreads_over_the_kreise() -> None:
    four = sample_municipalities(4)
    assert {"Köln", "Dormagen"} <= {m.name for m in four}
    assert len(four) == 4
    forty = sample_municipalities(40)
    assert len(forty) == 40
    assert len({m.kreis for m in forty}) >= 30
    assert len({m.ars[:3] for m in forty}) == 5  # every Regierungsbezirk
    assert sample_municipalities(40) == forty  # deterministic
    assert sample_municipalities(None) == sample_municipalities(10_000) == nrw_municipalities()
    assert [m.ars for m in forty] == sorted(m.ars for m in forty)
    with pytest.raises(ValueError, match="at least 1"):
        sample_municipalities(0)


def test_one_locally_described_service_per_municipality_in_the_pvog_shape() -> None:
    every = sample_municipalities()
    services = local_services(every)
    assert len(services) == 396
    assert len({s["id"] for s in services}) == 396
    for service, municipality in zip(services, every, strict=True):
        assert service["ars"] == [municipality.ars]  # most local wins by the description's ARS
        assert service["leikakeys"] == [DOG_TAX_KEY]
        codes = [d["code"] for d in service["details"]]
        assert {"24", "98", "93"} <= set(codes)
        assert service["organisations"][0]["role"]["name"] == "Zuständige Stelle"
    assert len({s["details"][2]["text"] for s in services}) > 10  # fees set per statute
    row = location(every[0])
    assert set(row) >= {"ars", "ags", "name", "gemeinde"}


def test_the_platform_entry_serves_every_municipality_through_the_v2_parser() -> None:
    example = (ROOT / "docs" / "network-v2.example.toml").read_text(encoding="utf-8")
    head, _, tail = example.partition("serves = [")
    text = head + serves_toml(sample_municipalities()) + tail[tail.index("\n]\n") + 3 :]
    started = time.perf_counter()
    topology = parse_topology(text)
    directory = PortalDirectory(topology.portals)
    municipal = list(directory.by_tier(Tier.MUNICIPAL))
    elapsed = time.perf_counter() - started
    assert len(municipal) == 396
    dormagen = directory.get("dormagen")
    assert dormagen is not None
    assert dormagen.website == "https://dormagen.kommunalportal.nrw"
    assert elapsed < 1.0, elapsed  # measured ≈ 25 ms on the 2-core machine


def test_generating_all_396_is_quick() -> None:
    started = time.perf_counter()
    every = sample_municipalities()
    local_services(every)
    [location(m) for m in every]
    serves_toml(every)
    assert time.perf_counter() - started < 0.5  # measured ≈ 5 ms
