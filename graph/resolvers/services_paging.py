"""A service search paged on the directory itself: Relay `first`/`after`/`last`/`before`
become the PVOG's `page`/`size` (sources.base.plan_pages), so `first: 5` asks for 5 hits,
not every hit, and `totalCount` is the directory's own count of hits.

Cursors are positions in the directory's answer, so they stay valid from page to page.
Most local wins inside the hits fetched for a page: a less local text of a service shown
on the same page is left out (the page then holds fewer edges than asked for) and its
position folds into the cursor of the edge before it, so `after: endCursor` never shows
it again. `totalCount` counts the directory's hits, such texts included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from graph.context import Info
from graph.domain.merge import merge_most_local
from graph.resolvers.pagination import Page, encode_cursor
from graph.types.connection import Connection, Edge, PageInfo
from graph.types.portal import Outage
from graph.types.service import Service
from sources.base import (
    SMALLEST_PAGE,
    PortalRecord,
    ServiceQuery,
    ServiceRecord,
    plan_pages,
)


def window(page: Page, total: int | None) -> tuple[int, int]:
    """Positions `start` .. `stop - 1` a Relay page asks for (Relay's slicing algorithm).

    `total` is needed only for `last` without `before` (the end of the list).
    """
    start = page.after + 1 if page.after is not None else 0
    if page.first is not None:
        stop = start + page.first
        if page.before is not None:
            stop = min(stop, page.before)
    else:
        end = page.before if page.before is not None else total
        if end is None:
            raise ValueError("paging backwards from the end needs the total")
        stop = end
        if page.last is not None:
            start = max(start, stop - page.last)
    if total is not None:
        stop = min(stop, total)
    return start, max(stop, start)


async def paged_services(
    info: Info,
    portal_id: str,
    query: ServiceQuery,
    *,
    list_name: str,
    page: Page,
    portals: Mapping[str, PortalRecord],
    outages: Callable[[], list[Outage]],
) -> Connection[Service]:
    """One page of a search at the one directory that serves it."""
    loaders = info.context.loaders
    total: int | None = None
    if page.first is None and page.before is None:  # `last` from the end: ask the total
        probe = await loaders.search_page(portal_id, replace(query, page=0, size=SMALLEST_PAGE))
        if probe is None:
            return _empty(outages())
        total = probe.total
    start, stop = window(page, total)
    plan = plan_pages(start, stop - start)
    answers = await asyncio.gather(
        *(loaders.search_page(portal_id, replace(query, page=p, size=s)) for p, s in plan)
    )
    if any(answer is None for answer in answers):
        return _empty(outages())
    pages = [answer for answer in answers if answer is not None]
    total = pages[0].total
    stop = min(stop, total)
    hits = [
        (answer.page * answer.size + i, record)
        for answer in pages
        for i, record in enumerate(answer.services)
        if start <= answer.page * answer.size + i < stop
    ]
    views = info.context.gateway.portals
    edges = [
        Edge(
            cursor=encode_cursor(list_name, position),
            node=Service.from_record(r, views[r.portal_id]),
        )
        for position, r in _most_local(hits, portals, stop)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=stop < total,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
        outages=outages(),
    )


def _most_local(
    hits: Sequence[tuple[int, ServiceRecord]], portals: Mapping[str, PortalRecord], stop: int
) -> list[tuple[int, ServiceRecord]]:
    """The hits most local wins keeps, in the directory's order; each carries the last
    position before the next kept hit (the window's last position for the last one)."""
    winners = {(r.portal_id, r.id) for r in merge_most_local([r for _, r in hits], portals)}
    kept = [(position, r) for position, r in hits if (r.portal_id, r.id) in winners]
    following = [position - 1 for position, _ in kept[1:]] + [stop - 1]
    return [(end, record) for (_, record), end in zip(kept, following, strict=True)]


def _empty(outages: list[Outage]) -> Connection[Service]:
    info = PageInfo(
        has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
    )
    return Connection(edges=[], page_info=info, total_count=0, outages=outages)
