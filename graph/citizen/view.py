"""The viewer's own data, asked only where they have something (docs/topology.md
"Cost follows the citizen, not the network").

Which upstreams a query about one citizen may call comes from the journal
(graph/domain/holdings.py): FIT-Connect for each of their cases, the account areas and
inboxes of the `[[portals]]` entries they are linked to, each payment at its own
provider. Nothing here iterates the portals of the network: the same viewer costs the
same upstream calls with 4 municipalities as with 396.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from graph.domain.holdings import Holdings, payments_of
from graph.domain.own_applications import merge_own
from graph.domain.status import merged_history
from sources.base import AccountRecord, ApplicationRecord, MessageRecord
from sources.base.cases import PaymentLinkRecord, PaymentRecord, StatusEventRecord

if TYPE_CHECKING:
    from graph.context import Context


class CitizenView:
    __slots__ = ("context",)

    def __init__(self, context: Context) -> None:
        self.context = context

    def subject_key(self) -> str | None:
        """The viewer's journal pseudonym; None when anonymous or without a journal (made
        once per request: `Context.subject_key`)."""
        return self.context.subject_key()

    async def holdings(self) -> Holdings:
        """What the journal knows the viewer has (one read per request)."""
        key = self.subject_key()
        return Holdings() if key is None else await self.context.loaders.holdings(key)

    def written(self) -> None:
        """The journal changed for the viewer in this request (a submission): read it again."""
        key = self.subject_key()
        if key is not None:
            self.context.loaders.reread_holdings(key)

    def _entry_id(self, portal_id: str) -> str | None:
        """The `[[portals]]` entry of a portal; a platform's records may name the entry."""
        adapters = self.context.gateway.adapters
        if portal_id in adapters.account_areas or portal_id in adapters.postboxes:
            return portal_id
        return adapters.entry_id(portal_id)

    async def linked_entries(self, portal_id: str | None = None) -> list[str]:
        """The `[[portals]]` entries to ask for the viewer: every one with a valid account
        link, or only the named portal's. A named portal whose entry is not linked yet is
        asked once whether the viewer has an account there (the client named it)."""
        holdings = await self.holdings()
        if portal_id is None:
            return sorted(holdings.linked)
        entry_id = self._entry_id(portal_id)
        if entry_id is None:
            return []
        if entry_id in holdings.linked or await self.check_account(entry_id, holdings):
            return [entry_id]
        return []

    async def inbox_entries(self, portal_id: str | None = None) -> list[str]:
        """The entries whose inboxes to ask: the linked ones (or the named portal's), plus
        an inbox every signed-in viewer has (the BundID Postfach, `every_viewer = true`),
        which needs no account link: a citizen who only ever submitted through Köln still
        reads the authority's answers there."""
        common = self.context.gateway.adapters.every_viewer_inboxes
        if portal_id is None:
            return sorted({*await self.linked_entries(), *common})
        if self._entry_id(portal_id) in common:
            return [str(self._entry_id(portal_id))]
        return await self.linked_entries(portal_id)

    async def check_account(self, entry_id: str, holdings: Holdings | None = None) -> bool:
        """Asks one account area whether the viewer has an account there and learns (or
        forgets) the link by its answer. False where the entry has no account area."""
        context = self.context
        if context.viewer is None or entry_id not in context.gateway.adapters.account_areas:
            return False
        found = await self._ask_accounts([entry_id], holdings or await self.holdings())
        return found.get(entry_id) is not None

    async def accounts(self) -> list[AccountRecord]:
        """The viewer's accounts at the linked entries; a link whose account area now says
        "no account" is forgotten, one that answers is kept alive."""
        holdings = await self.holdings()
        found = await self._ask_accounts(sorted(holdings.linked), holdings)
        return [account for account in found.values() if account is not None]

    async def _ask_accounts(
        self, entry_ids: list[str], holdings: Holdings
    ) -> dict[str, AccountRecord | None]:
        context = self.context
        found = await context.loaders.accounts(context.token(), entry_ids)
        known = {link.upstream_id: link for link in holdings.links}
        key = self.subject_key()
        for entry_id, account in found.items():
            has_account = account is not None
            await context.actions.account_answered(key, entry_id, has_account, known.get(entry_id))
        return found

    async def _seen_at(self, entry_ids: set[str | None], holdings: Holdings) -> None:
        """Linked entries that answered with the viewer's data: their links stay alive
        (a write at most once per half lifetime; no extra upstream call)."""
        known = {link.upstream_id: link for link in holdings.links}
        for entry_id in sorted(e for e in entry_ids if e in known):
            await self.context.actions.account_answered(
                self.subject_key(), entry_id, True, known[entry_id]
            )

    async def applications(self, portal_id: str | None = None) -> list[ApplicationRecord]:
        """The linked account areas' lists merged with the journal's entries (of one
        portal, or all)."""
        entries = await self.linked_entries(portal_id)
        listed = await self.context.loaders.applications(self.context.token(), entries)
        holdings = await self.holdings()
        await self._seen_at({self._entry_id(a.portal_id) for a in listed}, holdings)
        merged = merge_own(listed, holdings.entries)
        return [a for a in merged if portal_id in (None, a.portal_id)]

    async def find_application(
        self, portal_id: str, application_id: str
    ) -> ApplicationRecord | None:
        """One of the viewer's applications; None for anything that is not theirs."""
        viewer = self.context.viewer
        if viewer is None:
            return None
        holdings = await self.holdings()
        entry_id = self._entry_id(portal_id)
        listed: list[ApplicationRecord] = []
        if entry_id is not None and entry_id in holdings.linked:
            listed = await self.context.loaders.applications(viewer.token, [entry_id])
        found = merge_own(listed, holdings.entries)
        return next((a for a in found if (a.portal_id, a.id) == (portal_id, application_id)), None)

    async def application_history(self, record: ApplicationRecord) -> list[StatusEventRecord]:
        """The case's FIT-Connect events, plus the Statusmonitor updates naming the
        application in the viewer's linked inboxes. Not only the portal's own entry: the
        authority writes status_v6 to the BundID Postfach, one inbox for the applications
        of every portal (docs/topology.md), and a Köln entry has none of its own."""
        inboxes = await self.inbox_entries()
        loaders = self.context.loaders
        events, updates = await asyncio.gather(
            loaders.case_events(record.case_id, record.destination_id),
            loaders.status_updates(self.context.token(), inboxes),
        )
        own = [u for u in updates if u.application_id == record.id]
        return merged_history(events, own)

    async def application_named(
        self, portal_id: str, application_id: str
    ) -> ApplicationRecord | None:
        """The application a message names: of the message's own portal, else of any
        portal the viewer has applications at — the BundID Postfach (the Bund entry's
        inbox) holds the messages of every portal's applications."""
        found = await self.find_application(portal_id, application_id)
        if found is not None or self.context.viewer is None:
            return found
        return next((a for a in await self.applications() if a.id == application_id), None)

    async def payment_links(self, record: ApplicationRecord) -> list[PaymentLinkRecord]:
        """The application's transactions (journal and account area), each naming its
        provider; one the account area lists alone goes to the tenant of the portal's ARS."""
        gateway = self.context.gateway
        portal = gateway.portals.get(record.portal_id)
        choice = gateway.adapters.tenants.choose(portal.ars) if portal else None
        return payments_of(record, await self.holdings(), choice[0].id if choice else None)

    async def application_payments(self, record: ApplicationRecord) -> list[PaymentRecord]:
        """The application's transactions, each at its own provider and tenant."""
        return await self.context.loaders.payments(await self.payment_links(record))

    async def messages(self, portal_id: str | None = None) -> list[MessageRecord]:
        """The messages in the viewer's inboxes (of one portal, or all)."""
        entries = await self.inbox_entries(portal_id)
        found = await self.context.loaders.messages(self.context.token(), entries)
        await self._seen_at({self._entry_id(m.portal_id) for m in found}, await self.holdings())
        return [m for m in found if portal_id in (None, m.portal_id)]

    async def application_messages(
        self, portal_id: str, application_id: str
    ) -> list[MessageRecord]:
        """The thread of one application: the messages naming it in the application
        portal's inbox and in every linked one (the BundID Postfach holds the messages of
        every portal's applications, the portal's own entry may have no inbox)."""
        entries = {*await self.inbox_entries(portal_id), *await self.inbox_entries()}
        found = await self.context.loaders.messages(self.context.token(), sorted(entries))
        return [m for m in found if m.application_id == application_id]

    async def find_message(self, portal_id: str, message_id: str) -> MessageRecord | None:
        """One of the viewer's messages; None for anything that is not theirs."""
        viewer = self.context.viewer
        entry_id = self._entry_id(portal_id)
        if viewer is None or entry_id is None or entry_id not in await self.inbox_entries():
            return None
        found = await self.context.loaders.messages(viewer.token, [entry_id])
        return next((m for m in found if (m.portal_id, m.id) == (portal_id, message_id)), None)
