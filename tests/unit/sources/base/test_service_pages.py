"""Relay windows onto PVOG `page`/`size` requests, and paging a directory that cannot."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from sources.base import (
    OrganisationRecord,
    PortalRecord,
    RegionRecord,
    ServiceQuery,
    ServiceRecord,
    Tier,
    page_of,
    plan_pages,
)
from tests.helpers.records import service_record

PORTAL = PortalRecord("bund", "Bund", Tier.FEDERAL, "000000000000", None, {})


def covered(plan: tuple[tuple[int, int], ...]) -> range:
    page, size = plan[0]
    last_page, last_size = plan[-1]
    return range(page * size, (last_page + 1) * last_size)


@pytest.mark.parametrize(
    ("offset", "limit", "plan"),
    [
        (0, 5, ((0, 5),)),  # first: 5 is one request of size 5
        (5, 5, ((1, 5),)),  # after the 5th hit: the next page of 5
        (300, 100, ((3, 100),)),
        (0, 3, ((0, 5),)),  # the PVOG answers no size below 5
        (0, 0, ((0, 5),)),  # nothing asked: still one page, for the total
        (7, 5, ((1, 6),)),  # odd windows: the smallest size that holds them on one page
        (3, 3, ((0, 6),)),
    ],
)
def test_a_window_becomes_the_fewest_and_smallest_pages(
    offset: int, limit: int, plan: tuple[tuple[int, int], ...]
) -> None:
    assert plan_pages(offset, limit) == plan


@pytest.mark.parametrize("limit", [1, 5, 20, 100])
def test_every_window_is_covered_by_at_most_two_pages_near_its_size(limit: int) -> None:
    for offset in range(0, 1300, 7):
        plan = plan_pages(offset, limit)
        assert len(plan) <= 2
        assert all(5 <= size <= max(2 * limit, 5) for _, size in plan)
        assert offset in covered(plan)
        assert offset + limit - 1 in covered(plan)


def test_the_largest_page_bounds_the_size() -> None:
    assert plan_pages(0, 900) == ((0, 500), (1, 500))
    with pytest.raises(ValueError, match="negative"):
        plan_pages(-1, 5)


def record(number: int) -> ServiceRecord:
    return service_record("bund", f"B.LB.{number}", f"Leistung {number}")


class WholeListDirectory:
    """A plugged directory without upstream paging: it answers every hit at once."""

    portal = PORTAL

    def __init__(self, count: int) -> None:
        self.records = [record(i) for i in range(count)]
        self.asked: list[ServiceQuery] = []

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        self.asked.append(query)
        return self.records

    async def service(self, service_id: str) -> ServiceRecord | None:
        return None

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]:
        return {}

    async def regions(self, text: str) -> list[RegionRecord]:
        return []


def test_a_page_is_cut_from_a_directory_that_cannot_page() -> None:
    directory = WholeListDirectory(12)
    page = asyncio.run(page_of(directory, ServiceQuery("000000000000", page=2, size=5)))
    assert [r.id for r in page.services] == ["B.LB.10", "B.LB.11"]
    assert (page.total, page.page, page.size) == (12, 2, 5)
    assert directory.asked == [ServiceQuery("000000000000", page=0, size=500)]
