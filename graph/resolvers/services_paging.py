"""A service search paged on the one PVOG: `first`/`after` and `last`/`before` become the
Suchdienst's `page`/`size`, and a page holds as many *services* as asked for.

The PVOG answers texts (with `useArsHierarchy` the Bund's, the Land's and the municipality's
text of one service), so a page reads on until it has found `first` + 1 services (the one
more proves `hasNextPage`) or the answer ends, and shows each service once, at the position
of its most local text (graph.domain.merge_pages): a cursor is that position, the next page
reads on right after it, and no service shows up on two pages.

Cost per page: at most MAX_CALLS search calls; usually two (one page of about twice as many
texts as services asked for, as many for a federal search, and one look-up of the LeiKa keys
on it, or the rest of the answer when that is no larger), one when the answer is small
enough to be read whole. A page out of calls ends early, `hasNextPage` true. `totalCount` is exact when the page read the whole
answer, otherwise the PVOG's number of texts, an upper bound of the number of services.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from graph.context import Info
from graph.domain.merge_pages import (
    FEDERAL_TEXTS_PER_SERVICE,
    TEXTS_PER_SERVICE,
    decide,
    page_at,
    service_key,
    take,
    texts_to_read,
)
from graph.resolvers.pagination import Page, encode_cursor
from graph.resolvers.services_scan import AnswerRead, lookup_size
from graph.types.connection import Connection, Edge, LazyEdge, PageInfo
from graph.types.portal import Outage
from graph.types.service import Service
from sources.base import FEDERAL_ARS, SMALLEST_PAGE, ServiceQuery

MAX_CALLS = 6  # upstream search calls per page at most (reads, look-ups, the total's probe)


async def paged_services(
    info: Info,
    query: ServiceQuery,
    *,
    list_name: str,
    page: Page,
    outages: Callable[[], list[Outage]],
) -> Connection[Service]:
    """One page of a search at the network's PVOG directory."""
    answer = AnswerRead(info.context.loaders, query, MAX_CALLS)
    forwards = page.last is None
    wanted = page.first if page.first is not None else page.last or 0
    low = page.after + 1 if page.after is not None else 0
    high = page.before  # exclusive; None: the end of the answer
    if not forwards and high is None:  # `last` from the end: ask the total first
        if not await answer.read_page(0, SMALLEST_PAGE):
            return _empty(outages())
        high = answer.total
    shown, more = await _scan(answer, low, high, wanted, forwards=forwards)
    if answer.failed:
        return _empty(outages())
    views = info.context.gateway.portals
    edges: list[Edge[Service]] = [
        LazyEdge(
            Service.from_hit(hit, views[hit.portal_id]), partial(encode_cursor, list_name, position)
        )
        for position in sorted(shown)
        for hit in [answer.texts[position].record]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            # Paging towards one end, the other side holds the cursor's service (if any).
            has_next_page=(more or page.before is not None)
            if forwards
            else page.before is not None,
            has_previous_page=(low > 0) if forwards else more,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=_total(answer),
        outages=outages(),
    )


async def _scan(
    answer: AnswerRead, low: int, high: int | None, wanted: int, *, forwards: bool
) -> tuple[list[int], bool]:
    """The positions of up to `wanted` services from `low` (forwards) or below `high`
    (backwards), and whether another follows in that direction."""
    while True:
        end = high if answer.total is None or high is None else min(high, answer.total)
        end = answer.total if end is None else end
        reach = _reach(answer, low, end, forwards=forwards)
        order = range(low, reach) if forwards else range(reach, end or 0)
        order = order if forwards else order[::-1]
        decided = decide(answer.texts.values(), answer.looked_up, whole=answer.whole)
        verdicts = {p: decided.get(p, False) for p in order}  # read, but of no network portal
        shown, more = take(order, verdicts, wanted)
        done = (end is not None and reach >= end) if forwards else reach <= low
        if more or (more is False and done and answer.total is not None):
            return shown, bool(more)
        if answer.spent:
            # Out of budget: the page stops before what is still open; texts remain.
            return shown, True
        if more is None:
            keys = _open_keys(answer, order, verdicts, wanted)
            if forwards and _cheaper_to_read_whole(answer, reach, len(keys)) and answer.total:
                await answer.read_page(*page_at(reach, answer.total - reach, forwards=True))
            elif not await answer.look_up(keys):
                return shown, not answer.failed
            continue
        guess = FEDERAL_TEXTS_PER_SERVICE if answer.query.ars == FEDERAL_ARS else TEXTS_PER_SERVICE
        count = texts_to_read(wanted + 1 - len(shown), len(shown), len(order), guess=guess)
        await answer.read_page(*page_at(reach, count, forwards=forwards))


def _reach(answer: AnswerRead, low: int, end: int | None, *, forwards: bool) -> int:
    """Forwards: the first position from `low` not read yet; backwards: the lowest position
    read without a gap below `end` (texts are read in one direction, so no gaps arise)."""
    if forwards:
        position = low
        while position in answer.read and (end is None or position < end):
            position += 1
        return position
    position = end or 0
    while position - 1 in answer.read and position > low:
        position -= 1
    return position


def _cheaper_to_read_whole(answer: AnswerRead, reach: int, keys: int) -> bool:
    """Whether reading the rest of the answer costs no more texts than a look-up would:
    when everything before `reach` is read, the whole answer then decides every text
    (and gives the exact `totalCount`)."""
    if answer.total is None or any(p not in answer.read for p in range(reach)):
        return False
    return answer.total - reach <= lookup_size(keys)


def _open_keys(
    answer: AnswerRead, order: range, verdicts: dict[int, bool | None], wanted: int
) -> list[str]:
    """The LeiKa keys to look up: those of the undecided texts among the first `wanted` + 1
    candidates along the paging direction (more would be looked up in vain)."""
    keys: list[str] = []
    candidates = 0
    for position in order:
        if verdicts[position] is False:
            continue
        candidates += 1
        if verdicts[position] is None:
            keys.append(service_key(answer.texts[position].record))
        if candidates > wanted:
            break
    return keys


def _total(answer: AnswerRead) -> int:
    """Exact when the whole answer was read (each service once), otherwise the PVOG's
    count of texts: an upper bound, a service with a Bund and a Köln text counts twice."""
    if not answer.whole:
        return answer.total or 0
    decided = decide(answer.texts.values(), {}, whole=True)
    return sum(1 for verdict in decided.values() if verdict)


def _empty(outages: list[Outage]) -> Connection[Service]:
    info = PageInfo(
        has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
    )
    return Connection(edges=[], page_info=info, total_count=0, outages=outages)
