"""Erika's things in the fake citizen world: two sent cases, their account links, a payment.

The scene tests/unit/graph/test_citizen_cost.py and bench/citizen_cost.py start from; on
a real journal (SQLite, migrated) and the counting fake upstreams of citizen_world.py.
"""

from __future__ import annotations

from sources.base import PaymentItemRecord, PaymentRequestRecord
from sources.journal import Journal
from tests.helpers.citizen_world import DORMAGEN, KOELN, send, world

ERIKA = "key-erika"  # the fake gateway's pseudonym of subject "erika"


def request(request_id: str = "req-1") -> PaymentRequestRecord:
    item = PaymentItemRecord("1", "Hundesteuer", None, 1, 2500)
    return PaymentRequestRecord(
        request_id, "Hundesteuer", "Hundesteuer", "https://x.invalid", (item,), 2500
    )


async def erika_has_things(journal: Journal, count: int, *, platform: bool = True) -> None:
    """Two sent cases (Köln, Dormagen), links to their account areas, one payment."""
    network = world(count, journal, platform=platform)
    koeln, dormagen = (network.adapters.portals.for_ars(ars) for ars in (KOELN, DORMAGEN))
    assert koeln is not None
    assert dormagen is not None
    await send(journal, ERIKA, 1, koeln.id, KOELN)
    case = await send(journal, ERIKA, 2, dormagen.id, DORMAGEN)
    for portal in (koeln, dormagen):
        entry_id = network.adapters.entry_id(portal.id)
        assert entry_id is not None
        await journal.accounts.learn(ERIKA, entry_id, 3600)
    actions = network.view("erika-token").context.actions
    await actions.start_payment(ERIKA, case, DORMAGEN, request())
