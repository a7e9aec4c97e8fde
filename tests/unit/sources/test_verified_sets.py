"""A SET's signature is checked once per token while its keys stay the same; a rotation
re-checks it, a failure is never kept (sources/_verified_sets.py)."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc import jws

from sources._verified_sets import VerifiedSet, VerifiedSets
from sources.base import ApplicationStatus, Capability, UpstreamRef
from sources.fitconnect import FitConnectCases
from tests.helpers.mock_upstream import mocked
from tests.unit.sources.test_fitconnect import (
    BASE,
    CASE,
    DESTINATION,
    DESTINATION_KEY,
    PORTAL,
    ZUSTELLDIENST,
    Zustelldienst,
    key,
    lifecycle,
    set_token,
)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every signature check the adapter makes (the token checked)."""
    seen: list[str] = []
    real = jws.deserialize_compact

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(jws, "deserialize_compact", counted)
    return seen


def adapter() -> tuple[Zustelldienst, FitConnectCases]:
    mock = Zustelldienst()
    upstream, bearer = mocked(mock, BASE, UpstreamRef("koeln", Capability.STATUS))
    return mock, FitConnectCases(PORTAL, upstream, bearer)


async def test_the_same_set_is_verified_once(checks: list[str]) -> None:
    mock, cases = adapter()
    mock.log = lifecycle("accept-submission", DESTINATION_KEY, DESTINATION)
    first = await cases.events(CASE, DESTINATION)
    assert len(checks) == 4
    for _ in range(3):
        assert await cases.events(CASE, DESTINATION) == first
        assert (await cases.latest(CASE, DESTINATION)) == first[-1]
    assert len(checks) == 4  # every later read took the kept claims
    assert cases.verified_sets.hits == 4 * 3 + 3  # events() reads all four, latest() the newest


async def test_a_kept_set_still_passes_the_case_and_destination_checks(checks: list[str]) -> None:
    mock, cases = adapter()
    mock.log = lifecycle("accept-submission", DESTINATION_KEY, DESTINATION)
    assert len(await cases.events(CASE, DESTINATION)) == 4
    # The same tokens read for another destination or another case do not count.
    assert len(await cases.events(CASE, None)) == 3
    other_case = "00000000-0000-4000-8000-000000000000"
    assert [await cases.verified(t, other_case, DESTINATION) for t in mock.log] == [None] * 4
    assert cases.rejected_events == 1 + 4
    assert len(checks) == 4


async def test_a_rotated_key_set_verifies_again_and_drops_withdrawn_keys(
    checks: list[str],
) -> None:
    mock, cases = adapter()
    mock.log = lifecycle("accept-submission", DESTINATION_KEY, DESTINATION)
    assert len(await cases.events(CASE, DESTINATION)) == 4
    cases.keys.max_age = cases.keys.min_refresh_interval = 0.0  # the next read refreshes
    # The same keys republished: a new key set, so the three SETs it signed are re-checked.
    assert len(await cases.events(CASE, DESTINATION)) == 4
    assert len(checks) == 4 + 3
    # Rotated: the Zustelldienst withdrew its key; SETs it signed no longer verify.
    mock.signers = [key("zd-key-2")]
    events = await cases.events(CASE, DESTINATION)
    assert [e.status for e in events] == [ApplicationStatus.RECEIVED]
    assert cases.rejected_events == 3


async def test_a_refetched_destination_key_verifies_again(checks: list[str]) -> None:
    mock, cases = adapter()
    mock.log = lifecycle("reject-submission", DESTINATION_KEY, DESTINATION)
    await cases.latest(CASE, DESTINATION)
    cases._destination_keys.clear()  # evicted (or lost): fetched anew, a new key object
    latest = await cases.latest(CASE, DESTINATION)
    assert latest is not None
    assert latest.status is ApplicationStatus.REJECTED
    assert checks.count(mock.log[-1]) == 2


async def test_a_failed_verification_is_not_kept(checks: list[str]) -> None:
    mock, cases = adapter()
    forged = set_token("notify-submission", key("zd-key-1"), BASE, at=1)  # the kid, not the key
    mock.log = [forged]
    for _ in range(2):
        assert await cases.events(CASE, DESTINATION) == []
    assert checks == [forged, forged]
    assert cases.rejected_events == 2
    assert len(cases.verified_sets) == 0


def test_the_least_recently_used_entry_goes_first() -> None:
    kept = VerifiedSets(limit=2)
    entry = VerifiedSet(BASE, ZUSTELLDIENST.kid, object(), {})
    for token in ("a", "b"):
        kept.remember(token, entry)
    assert kept.get("a") is entry  # "a" used: "b" is now the oldest
    kept.remember("c", entry)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (entry, None, entry)
    assert kept.still_valid(entry, entry.keys)
    assert not kept.still_valid(entry, object())
