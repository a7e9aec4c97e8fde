"""Teach a gateway where a demo citizen has accounts, as a client would (e2e tests).

The gateway asks only the account areas a viewer is linked to (docs/journal.md "Account
links"); a fresh gateway (fresh journal) knows none. Naming a portal once
(`me.applications(portal:)`) asks that portal's account area, and its answer teaches the
link. The sandbox's Erika has accounts at Bund, NRW, Köln and Dormagen (served by
Kommunalportal.NRW); Max at Bund, NRW and Dormagen; Lena at Bund, NRW and Köln; the
organisation "firma" at Bund and Köln. The shared `gateway` fixture learns all four once
(`learn_demo_links`), as a frontend would by naming each portal once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

LEARN = "query Learn($p: ID) { me { applications(portal: $p, first: 1) { totalCount } } }"
PORTALS = "query { portals(tier: MUNICIPAL) { id ars } }"
DORMAGEN = "051620008008"
# Where each demo citizen (sandbox.citizens.demo_citizens) has an account.
DEMO_ACCOUNTS = {
    "erika": ("bund", "nrw", "koeln", "dormagen"),
    "max": ("bund", "nrw", "dormagen"),
    "lena": ("bund", "nrw", "koeln"),
    "firma": ("bund", "koeln"),
}


class Queries(Protocol):
    def query(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]: ...


def portal_of(gateway: Queries, ars: str) -> str:
    """The id of the municipal portal with this ARS (a platform's municipality included)."""
    portals = gateway.query(PORTALS)["data"]["portals"]
    return str(next(p["id"] for p in portals if p["ars"] == ars))


def learn_links(gateway: Queries, token: str, portals: Iterable[str] | None = None) -> None:
    """Names each portal once for the viewer (default: Bund, NRW, Köln and Dormagen)."""
    chosen = portals or ("bund", "nrw", "koeln", portal_of(gateway, DORMAGEN))
    for portal in chosen:
        body = gateway.query(LEARN, {"p": portal}, token=token)
        assert "errors" not in body, body


def learn_demo_links(gateway: Queries, token_of: Callable[[str], str]) -> None:
    """Learns every demo citizen's links (`token_of(login)` signs the citizen in)."""
    dormagen = portal_of(gateway, DORMAGEN)
    for login, portals in DEMO_ACCOUNTS.items():
        chosen = [dormagen if p == "dormagen" else p for p in portals]
        learn_links(gateway, token_of(login), chosen)
