"""The peer's workloads ask the one PVOG the same things on both sides (network file v2)."""

from __future__ import annotations

import re

from bench.peer_report import peer_section
from bench.peer_suite import HIVE, PORTALGRAPH, REGIONS, WORKLOADS, items


def regions_of(query: str) -> list[tuple[str, str]]:
    """(alias, ARS) of each search in an operation, in order."""
    return re.findall(r'(\w+): \w+\(ars: "(\d{12})"', query)


def test_both_sides_search_the_same_regions_under_the_same_aliases() -> None:
    for workload in WORKLOADS:
        assert regions_of(PORTALGRAPH[workload]) == regions_of(HIVE[workload])
    assert regions_of(HIVE["multi"]) == list(REGIONS.items())
    assert len(set(REGIONS.values())) == 3


def test_hive_asks_with_the_ars_hierarchy_as_portalgraph_does() -> None:
    # Portalgraph's PVOG client sends useArsHierarchy=true (the v2 network file says so).
    assert all("useArsHierarchy: true" in HIVE[w] for w in WORKLOADS)


def test_items_of_every_alias_are_compared() -> None:
    ours = {
        "data": {
            "bund": {"edges": [{"node": {"pvogId": "1", "name": "A"}}]},
            "koeln": {
                "edges": [{"node": {"pvogId": "2", "name": "B", "responsibleAuthority": None}}]
            },
        }
    }
    theirs = {
        "data": {
            "bund": {"serviceDescriptions": {"content": [{"id": "1", "name": "A"}]}},
            "koeln": {
                "serviceDescriptions": {
                    "content": [{"id": "2", "name": "B", "responsibleAuthority": {"title": "X"}}]
                }
            },
        }
    }
    assert items("portalgraph", ours) == [("1", "A", None), ("2", "B", None)]
    assert items("hive", theirs) == [("1", "A", None), ("2", "B", "X")]


def test_the_report_gives_each_sides_calls_warm_and_first() -> None:
    check = {
        "portalgraph_items": 31,
        "hive_items": 31,
        "portalgraph_bytes": 4705,
        "hive_bytes": 4359,
        "upstream_calls": 32,
        "portalgraph_upstream_calls": 10,
        "portalgraph_first_calls": 12,
        "hive_first_calls": 32,
    }
    peer = {
        "loadavg": [(0.5, 0.5, 0.5), (0.6, 0.5, 0.5)],
        "versions": {"node": "v20"},
        "rows": [],
        "checks": {"join": check},
        "rss_kib": {"portalgraph": {"VmRSS": 1024}, "hive": {"VmRSS": 2048}},
        "cold_start_s": {"portalgraph": 1.0, "hive": 1.5},
    }
    lines = peer_section(peer, ["bench"])
    assert "| join | 31 / 31 | 4705 / 4359 | 10 / 32 (12 / 32) |" in lines
