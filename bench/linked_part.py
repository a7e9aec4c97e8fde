"""The http part's linked dashboard: citizens whose account links were learned first.

The gateway learns a citizen's links by one operation naming a portal of each account
area (bench/dashboard.py `learn_query`), into its journal; the floor by asking each area
`GET /v1/me` (bench/floor_citizen.py). Only then does a dashboard ask the linked account
areas, FIT-Connect's event logs of the shown applications, their payment providers and
the PVOG's texts besides the BundID Postfach. The citizens are others than the unlinked
dashboard's, so its rows keep measuring citizens without links.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bench.dashboard import learn_many
from bench.procs import Gateway, Sandbox
from bench.scenarios import FloorProc, calls_ratio, one_by_one

SCENARIO = "dashboard (linked)"


@dataclass
class LinkedCitizens:
    pool: list[str]  # measured: links learned by both sides just before
    learning: list[str]  # the checked citizens' tokens that learn their links
    check: list[str]  # the same citizens signed in again: the check's tokens are fresh


def linked_citizens(
    sandbox: Sandbox, citizens: int, taken: set[str], *, smoke: bool
) -> LinkedCitizens:
    """Other citizens than `taken` (the unlinked dashboard's), each signed in."""
    rng = random.Random(21)
    pool_size, check_size = (20, 4) if smoke else (300, 8)
    logins: list[str] = []
    while len(logins) < pool_size + check_size:
        login = f"buerger{rng.randrange(1, citizens - 4):06d}"
        if login not in taken and login not in logins:
            logins.append(login)
    tokens = [sandbox.token(login) for login in logins]
    again = [sandbox.token(login) for login in logins[pool_size:]]
    return LinkedCitizens(tokens[:pool_size], tokens[pool_size:], again)


async def learn(gateway: Gateway, floor: FloorProc, sandbox: Sandbox, tokens: list[str]) -> int:
    """Both sides learn the citizens' links; the floor's count of links."""
    await learn_many(gateway.url, sandbox.network, tokens)
    return int(floor.run(op="learn", tokens=tokens)["linked"])


async def linked_calls(
    sandbox: Sandbox, gateway: Gateway, floor: FloorProc, linked: LinkedCitizens, warm: str
) -> dict[str, Any]:
    """Upstream calls of the linked dashboard, gateway ÷ floor, route by route: links
    learned with one sign-in, counted with a fresh one (so the token exchanges count)."""
    sandbox.latency(0)
    await learn(gateway, floor, sandbox, [warm, *linked.learning])
    await one_by_one(gateway, "dashboard", [warm])  # warm: keys, hosts, service tokens
    floor.run(op="dashboard", concurrency=1, seconds=60, limit=1, seed=0, tokens=[warm])
    sandbox.reset_stats()
    await one_by_one(gateway, "dashboard", linked.check)
    gateway_calls = sandbox.stats()
    sandbox.reset_stats()
    check = linked.check
    floor.run(op="dashboard", concurrency=1, seconds=60, limit=len(check), seed=0, tokens=check)
    return calls_ratio(gateway_calls, sandbox.stats())
