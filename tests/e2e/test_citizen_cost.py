"""Cost follows the citizen, end to end (issue 16 item 4): the same citizen's dashboard
makes exactly the same upstream calls, counted by every upstream's `/_sandbox/stats`,
against the topology sandbox with 4, 40 and 396 municipalities.

Per network size: a fresh topology sandbox and a fresh gateway (its own journal) on the
sandbox's version 2 network file. Erika names the four portals she has an account at
once (`me.applications(portal:)`: each asks that portal's account area, and the answer
teaches the gateway an account link); then the counters are zeroed and the dashboard
asked. Unit-level proof with counting fakes: tests/unit/graph/test_citizen_cost.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph.testing import LoopThread
from tests.helpers.citizen_network import one_network

SIZES = (4, 40, 396)


@pytest.fixture(scope="module")
def networks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Any]]:
    loop = LoopThread()
    try:
        yield {
            size: one_network(size, loop, tmp_path_factory.mktemp(f"citizen-cost-{size}"))
            for size in SIZES
        }
    finally:
        loop.close()


def test_the_dashboard_makes_the_same_upstream_calls_at_4_40_and_396(
    networks: dict[int, Any],
) -> None:
    summary, calls = networks[4]
    shown = summary[0]
    for size in SIZES[1:]:
        assert networks[size][1] == calls, size
        assert networks[size][0] == networks[4][0], size
    assert shown, "Erika's applications are shown"
    asked = set(calls)
    assert "fitconnect" in asked
    assert {"portals.bund.accounts", "portals.koeln.accounts"} <= asked
    print("\ndashboard upstream calls (same at 4 / 40 / 396):")
    for name, counted in sorted(calls.items()):
        print(f"  {name}: {sum(counted.values())} {counted}")


def test_nothing_is_asked_where_erika_has_nothing(networks: dict[int, Any]) -> None:
    calls = networks[396][1]
    accounts = {name for name in calls if name.endswith(".accounts")}
    assert accounts <= {
        "portals.bund.accounts",
        "portals.nrw.accounts",
        "portals.koeln.accounts",
        "portals.kommunalportal-nrw.accounts",
    }
    outages = networks[396][0][3]
    assert outages == [], outages


def test_learning_the_links_costs_the_same_too_with_one_exchange_per_entry(
    networks: dict[int, Any],
) -> None:
    learning = networks[4][0][4]
    assert all(networks[size][0][4] == learning for size in SIZES), "same at every size"
    print("\nlearning the four links (same at 4 / 40 / 396):", learning)
    exchanges = learning.get("identity", {}).get("POST /token", 0)
    assert exchanges <= 4, learning  # at most one RFC 8693 exchange per linked entry
    areas = {name for name in learning if name.endswith(".accounts")}
    assert areas == {
        "portals.bund.accounts",
        "portals.nrw.accounts",
        "portals.koeln.accounts",
        "portals.kommunalportal-nrw.accounts",
    }, learning
