"""Case routes: a callback names only the case; the route names who follows it."""

from __future__ import annotations

import pytest

from sources.journal import Journal
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
