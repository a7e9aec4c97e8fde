"""Case routes: a callback names only the case; the route names who follows it."""

from __future__ import annotations

import pytest

from sources.journal import Journal
from sources.journal.routes import REFRESH, RouteUpdate
from tests.unit.sources.journal.conftest import Clock

RENDER = {"applicationId": "app-1", "caseId": "case-1", "serviceName": "Reisepass"}


async def test_a_route_is_found_by_its_case_and_listed_for_its_subject(journal: Journal) -> None:
    await journal.routes.upsert("fitconnect", "case-1", "s", "aud-s", RENDER)
    await journal.routes.upsert("fitconnect", "case-2", "s", "aud-s", {"caseId": "case-2"})
    await journal.routes.upsert("fitconnect", "case-9", "t", "aud-t", {"caseId": "case-9"})
    [route] = await journal.routes.lookup("fitconnect", "case-1")
    assert (route.subject_key, route.audience, route.data) == ("s", "aud-s", RENDER)
    assert await journal.routes.lookup("other-portal", "case-1") == []
    assert [r.case_id for r in await journal.routes.for_subject("s")] == ["case-1", "case-2"]


async def test_upsert_refreshes_a_route_instead_of_adding_one(
    journal: Journal, clock: Clock
) -> None:
    await journal.routes.upsert("fitconnect", "case-1", "s", "aud-old", RENDER)
    clock.advance(60)
    await journal.routes.upsert("fitconnect", "case-1", "s", "aud-new", {"caseId": "case-1"})
    [route] = await journal.routes.lookup("fitconnect", "case-1")
    assert (route.audience, route.data, route.updated_at) == (
        "aud-new",
        {"caseId": "case-1"},
        clock.now,
    )


async def test_removing_a_route_answers_whether_there_was_one(journal: Journal) -> None:
    await journal.routes.upsert("fitconnect", "case-1", "s", "aud", RENDER)
    assert await journal.routes.remove("fitconnect", "case-1", "s") is True
    assert await journal.routes.remove("fitconnect", "case-1", "s") is False
    assert await journal.routes.lookup("fitconnect", "case-1") == []


async def test_route_data_is_kept_small(journal: Journal) -> None:
    with pytest.raises(ValueError, match="4096 bytes"):
        await journal.routes.upsert("fitconnect", "case-1", "s", "aud", {"x": "y" * 5000})


async def test_upsert_all_writes_new_and_changed_routes_and_skips_unchanged_ones(
    journal: Journal, clock: Clock
) -> None:
    first = [
        RouteUpdate("fitconnect", "case-1", "s", "aud-s", RENDER),
        RouteUpdate("fitconnect", "case-2", "s", "aud-s", {"caseId": "case-2"}),
    ]
    assert await journal.routes.upsert_all(first) == 2
    written_at = clock.now
    clock.advance(60)
    again = [
        *first,  # unchanged, refreshed a minute ago: skipped
        RouteUpdate("fitconnect", "case-2", "s", "aud-s", {"caseId": "case-2", "x": 1}),
        RouteUpdate("fitconnect", "case-3", "t", "aud-t", {"caseId": "case-3"}),
    ]
    assert await journal.routes.upsert_all(again) == 2  # case-2 changed (the last wins), case-3
    routes = {r.case_id: r for r in await journal.routes.for_subject("s")}
    assert routes["case-1"].updated_at == written_at
    assert (routes["case-2"].data, routes["case-2"].updated_at) == (
        {"caseId": "case-2", "x": 1},
        clock.now,
    )
    assert [r.audience for r in await journal.routes.lookup("fitconnect", "case-3")] == ["aud-t"]


async def test_upsert_all_refreshes_an_unchanged_route_once_it_is_old(
    journal: Journal, clock: Clock
) -> None:
    route = RouteUpdate("fitconnect", "case-1", "s", "aud-s", RENDER)
    assert await journal.routes.upsert_all([route]) == 1
    clock.advance(REFRESH.total_seconds() + 1)
    assert await journal.routes.upsert_all([route]) == 1
    [stored] = await journal.routes.lookup("fitconnect", "case-1")
    assert stored.updated_at == clock.now  # retention counts from here


async def test_upsert_all_checks_every_route_before_writing_any(journal: Journal) -> None:
    good = RouteUpdate("fitconnect", "case-1", "s", "aud", RENDER)
    with pytest.raises(ValueError, match="4096 bytes"):
        await journal.routes.upsert_all([good, RouteUpdate("f", "c", "s", "a", {"x": "y" * 5000})])
    assert await journal.routes.lookup("fitconnect", "case-1") == []
