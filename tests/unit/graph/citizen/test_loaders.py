"""The viewer's loaders (graph/citizen/loaders.py) with fake adapters: which keys each
upstream receives. The journal-driven choice of keys is in test_citizen_cost.py."""

from __future__ import annotations

import asyncio

from graph.citizen.loaders import CitizenLoaders
from graph.domain.adapters import Adapters
from graph.domain.outages import OutageLog
from sources.base import Capability, PaymentLinkRecord, UpstreamRef
from sources.errors import SourceUnavailableError
from tests.unit.graph.test_loaders import FakeAccounts, FakePayments


def loaders(**adapters: object) -> tuple[CitizenLoaders, OutageLog]:
    outages = OutageLog()
    return CitizenLoaders(outages, Adapters(**adapters)), outages  # type: ignore[arg-type]  # fakes


async def test_payments_go_to_their_provider_and_missing_ones_drop_out() -> None:
    provider = FakePayments("koeln")
    load, _ = loaders(payments={"epaybl": provider})
    links = [PaymentLinkRecord(t, "o", "e", None, "epaybl") for t in ("T1", "gone", "T2")]
    found = await load.payments([*links, PaymentLinkRecord("T3", "o", "e", None, "other")])
    assert [p.transaction_id for p in found] == ["T1", "T2"]
    assert provider.asked == ["T1", "gone", "T2"]  # no provider "other": nobody is asked
    assert await load.payments([PaymentLinkRecord("T4", "o", "e")]) == []  # provider unknown


async def test_the_viewers_lists_are_keyed_by_token_so_nothing_is_shared() -> None:
    area = FakeAccounts("koeln")
    load, _ = loaders(account_areas={"koeln": area})
    await asyncio.gather(
        load.applications("token-a", ["koeln"]),
        load.applications("token-b", ["koeln"]),
        load.applications("token-a", ["koeln"]),
    )
    assert area.tokens == ["token-a", "token-b"]


class DownAccounts(FakeAccounts):
    async def account(self, subject_token: str) -> None:
        raise SourceUnavailableError("down", upstream=UpstreamRef("kp", Capability.ACCOUNTS))


async def test_a_failing_account_area_is_an_outage_and_missing_from_the_answer() -> None:
    load, outages = loaders(account_areas={"kp": DownAccounts("koeln"), "b": FakeAccounts("koeln")})
    assert await load.accounts("t", ["kp", "b", "not-an-entry"]) == {"b": None}
    assert [str(e.upstream) for e in outages.entries] == ["kp/accounts"]
