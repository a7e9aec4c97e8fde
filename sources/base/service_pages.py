"""Paging a directory search on the upstream: which `page`/`size` requests cover a window.

The PVOG Suchdienst pages its search with `page` (from 0) and `size`; a live-tested client
reports that `size` must be at least 5 (SNTIQ-Team/amtsgraph `pipeline/pvog_client.py`),
and the gateway asks for at most 500 per page. A client's Relay window (hits `offset` to
`offset + limit`) becomes one upstream request whenever a page size between `limit` and
twice it puts the whole window on one page (always for the usual `first: n` paging, where
each `after` cursor ends a multiple of n), else two consecutive pages. Directories that
cannot page are asked for every hit once, and the page is cut from that list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from sources.base.services import ServiceDirectory, ServicePageRecord, ServiceQuery, hit_of

SMALLEST_PAGE = 5  # the PVOG refuses `size` below 5 (live-tested client, see above)
LARGEST_PAGE = 500  # the largest page the gateway asks the PVOG for


def plan_pages(
    offset: int, limit: int, *, smallest: int = SMALLEST_PAGE, largest: int = LARGEST_PAGE
) -> tuple[tuple[int, int], ...]:
    """The (page, size) requests that cover hits `offset` .. `offset + limit - 1`.

    A `limit` of 0 still asks for the page holding `offset` (for the total). One request
    when a size from `limit` (at least `smallest`) to twice it holds the whole window on
    one page, the smallest such size; otherwise two consecutive pages of the first size.
    """
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    want = min(max(limit, smallest), largest)
    last = offset + max(limit, 1) - 1
    for size in range(want, min(2 * want, largest) + 1):
        if offset // size == last // size:
            return ((offset // size, size),)
    return ((offset // want, want), (offset // want + 1, want))


async def page_of(directory: ServiceDirectory, query: ServiceQuery) -> ServicePageRecord:
    """One page of a search: from the upstream where the directory pages, else cut from
    the directory's whole answer (asked with the default page size)."""
    # An attribute look-up, not isinstance() on the runtime-checkable Protocol: that checks
    # every member of the Protocol on each call, 2-4 % of a search's CPU (issue 21).
    paged: Callable[[ServiceQuery], Awaitable[ServicePageRecord]] | None = getattr(
        directory, "search_page", None
    )
    if paged is not None:
        return await paged(query)
    hits = await directory.search(replace(query, page=0, size=LARGEST_PAGE))
    start = query.page * query.size
    return ServicePageRecord(
        tuple(map(hit_of, hits[start : start + query.size])), len(hits), query.page, query.size
    )
