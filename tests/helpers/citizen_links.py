"""Teach a gateway where a demo citizen has accounts, as a client would (e2e tests).

The gateway asks only the account areas a viewer is linked to (docs/journal.md "Account
links"); a fresh gateway (fresh journal) knows none. Naming a portal once
(`me.applications(portal:)`) asks that portal's account area, and its answer teaches the
link. The sandbox's Erika has accounts at Bund, NRW, Köln and Dormagen (served by
Kommunalportal.NRW); Max at Bund, NRW and Dormagen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

LEARN = "query Learn($p: ID) { me { applications(portal: $p, first: 1) { totalCount } } }"
PORTALS = "query { portals(tier: MUNICIPAL) { id ars } }"
DORMAGEN = "051620008008"


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
