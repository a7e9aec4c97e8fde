"""Where the demo citizens have accounts, as `[[portals]]` entries: for `portalgraph dev` only.

A gateway asks only the account areas a viewer is linked to, and learns a link when an
account area answers for the viewer (docs/journal.md "Account links"). A fresh dev journal
knows none, so the demo tokens `make run` prints would show empty dashboards until a
client named each portal once. The sandbox's seed declares each demo citizen's accounts
(`sandbox.citizens.demo_citizens`); `portalgraph dev` writes exactly these links into
its journal at start, through the journal's own `accounts.learn`, as if each account
area had answered once. A real deployment has no such list: its links are learned.
"""

from __future__ import annotations

from collections.abc import Collection

from sandbox.citizens import demo_citizens
from sandbox.nrw_places import Municipality
from sandbox.scale import slug
from sandbox.topology_document import PLATFORM, SINGLE_PORTALS

DEMO_LOGINS = ("erika", "max", "lena", "firma")


def entry_of(portal_id: str, served: Collection[str]) -> str | None:
    """The `[[portals]]` entry holding the account: a single portal's own, else the
    platform's when it serves that municipality (None: not in this network)."""
    if portal_id in SINGLE_PORTALS:
        return portal_id
    return PLATFORM if portal_id in served else None


def demo_links(municipalities: Collection[Municipality]) -> list[tuple[str, str]]:
    """(subject, entry id) for every account of a demo citizen that this network serves."""
    served = {slug(m.name) for m in municipalities}
    links: list[tuple[str, str]] = []
    for citizen in demo_citizens():
        if citizen.login not in DEMO_LOGINS:
            continue
        entries = {entry_of(a.portal_id, served) for a in citizen.accounts}
        links += [(citizen.subject, entry) for entry in sorted(e for e in entries if e)]
    return links
