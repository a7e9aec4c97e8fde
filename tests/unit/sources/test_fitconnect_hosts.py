"""FIT-Connect event logs across Submission API hosts: which host is asked, how often."""

from __future__ import annotations

import pytest

from sources.base import Capability, UpstreamRef
from sources.errors import SourceNotFoundError
from sources.fitconnect_hosts import CasesAcrossHosts


class FakeLog:
    """One host's event log: knows some cases; records every case asked for."""

    def __init__(self, name: str, cases: set[str]) -> None:
        self.name = name
        self.portal = None
        self.cases = cases
        self.asked: list[str] = []

    async def events(self, case_id: str, destination_id: str | None = None) -> list[str]:
        self.asked.append(case_id)
        if case_id not in self.cases:
            raise SourceNotFoundError("no case", upstream=UpstreamRef(self.name, Capability.STATUS))
        return [f"{self.name}:{case_id}"]

    async def latest(self, case_id: str, destination_id: str | None = None) -> str:
        return (await self.events(case_id, destination_id))[-1]


def across(*logs: FakeLog) -> CasesAcrossHosts:
    return CasesAcrossHosts(logs)  # type: ignore[arg-type]  # fakes of FitConnectCases


async def test_the_default_host_first_then_the_others_and_the_knowing_host_is_remembered() -> None:
    default, koeln = FakeLog("fitconnect", {"c1"}), FakeLog("fitconnect:koeln", {"c2", "c3"})
    logs = across(default, koeln)
    assert await logs.events("c1") == ["fitconnect:c1"]  # type: ignore[comparison-overlap]
    assert await logs.events("c2", "d-koeln") == ["fitconnect:koeln:c2"]  # type: ignore[comparison-overlap]
    assert (default.asked, koeln.asked) == (["c1", "c2"], ["c2"])  # one 404 at the default
    await logs.latest("c2", "d-koeln")  # the case's host: no probe
    await logs.events("c3", "d-koeln")  # the destination's host first: no probe either
    assert (default.asked, koeln.asked) == (["c1", "c2"], ["c2", "c2", "c3"])


async def test_a_case_no_host_knows_is_not_found() -> None:
    logs = across(FakeLog("fitconnect", set()), FakeLog("fitconnect:koeln", set()))
    with pytest.raises(SourceNotFoundError):
        await logs.events("gone")


def test_at_least_one_host() -> None:
    with pytest.raises(ValueError, match="at least one"):
        CasesAcrossHosts(())
