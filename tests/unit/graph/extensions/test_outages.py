"""`outages` resolves after every other field, without polling: a schema of slow nested fields."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import strawberry

from graph.domain.outages import OutageLog
from graph.extensions.field_hooks import bind_field_hooks
from graph.extensions.outages import FieldsInFlight, OutageReport
from sources.base import Capability, UpstreamRef
from sources.errors import SourceUnavailableError
from sources.transport import deadline_after

PAYMENTS = UpstreamRef("koeln", Capability.PAYMENTS)


@dataclass
class Ctx:
    outages: OutageLog = field(default_factory=OutageLog)
    in_flight: FieldsInFlight = field(default_factory=FieldsInFlight)


@strawberry.type
class Leaf:
    @strawberry.field
    async def value(self, info: strawberry.Info[Ctx, None]) -> int:
        # Far more event-loop rounds than the old spin loop waited (ten rounds of sleep(0)).
        for _ in range(50):
            await asyncio.sleep(0)
        info.context.outages.record(SourceUnavailableError("down", upstream=PAYMENTS))
        return 1


@strawberry.type
class Branch:
    @strawberry.field
    async def leaves(self) -> list[Leaf]:
        await asyncio.sleep(0.01)
        return [Leaf(), Leaf()]


@strawberry.type
class Query:
    @strawberry.field
    async def outages(self, info: strawberry.Info[Ctx, None]) -> list[str]:
        await info.context.in_flight.others_done()
        return [str(e.upstream) for e in info.context.outages.entries]

    @strawberry.field
    async def branch(self) -> Branch:
        await asyncio.sleep(0)
        return Branch()

    @strawberry.field
    def plain(self) -> int:
        return 7


schema = strawberry.Schema(Query, extensions=[OutageReport])
bind_field_hooks(schema._schema)


async def test_outages_selected_first_wait_for_nested_fields_that_fail_later() -> None:
    context = Ctx()
    result = await schema.execute(
        "{ outages first: outages branch { leaves { value } } plain }", context_value=context
    )
    assert result.data == {
        "outages": ["koeln/payments"],
        "first": ["koeln/payments"],
        "branch": {"leaves": [{"value": 1}, {"value": 1}]},
        "plain": 7,
    }
    assert [e.extensions for e in result.errors or []] == [
        {"code": "UPSTREAM_UNAVAILABLE", "portalId": "koeln", "capability": "PAYMENTS"}
    ]
    assert (context.in_flight.pending, context.in_flight.waiting) == (0, 0)


async def test_operations_without_outages_are_not_counted() -> None:
    context = Ctx()
    result = await schema.execute("{ branch { leaves { value } } }", context_value=context)
    assert result.data == {"branch": {"leaves": [{"value": 1}, {"value": 1}]}}
    assert not context.in_flight.counting
    assert [e.extensions["code"] for e in result.errors or [] if e.extensions] == [
        "UPSTREAM_UNAVAILABLE"
    ]


async def test_an_abandoned_resolution_holds_the_outages_only_until_the_deadline() -> None:
    in_flight = FieldsInFlight()
    in_flight.counting = True
    never: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    abandoned = in_flight.track(never)  # graphql-core never awaits it
    with deadline_after(0.05):
        await asyncio.wait_for(in_flight.others_done(), timeout=2)
    assert (in_flight.pending, in_flight.waiting) == (1, 0)
    abandoned.close()  # type: ignore[attr-defined]  # a coroutine; closed so it is not reported
