"""What one citizen has: the keys that decide which upstreams a query about them may call.

docs/topology.md "Cost follows the citizen, not the network": the gateway asks only where
the citizen has something, never every portal of the network. Everything it knows comes
from the journal (one read per request):

- the FIT-Connect **cases** of the submissions it sent for them (case id, destination);
- the `[[portals]]` **entries** whose account area answered for them (learned account
  links, until they expire): only these account areas and inboxes are asked;
- the **payment links** of the transactions started through it (provider, tenant,
  transaction id): only these transactions are fetched, each at its own provider.

Nothing here grows with the number of portals in the network file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sources.base import ApplicationRecord, PaymentLinkRecord
from sources.journal import AccountLink, PaymentLink, SubmissionEntry


@dataclass(frozen=True, slots=True)
class Holdings:
    entries: tuple[SubmissionEntry, ...] = ()
    links: tuple[AccountLink, ...] = ()
    payments: tuple[PaymentLink, ...] = ()

    @property
    def linked(self) -> frozenset[str]:
        """The portal entry ids (account areas, inboxes) the viewer has a valid link to."""
        return frozenset(link.upstream_id for link in self.links)

    def payment_links(self, application_id: str) -> tuple[PaymentLinkRecord, ...]:
        """The journal's transactions of one application (those with a transaction id)."""
        return tuple(
            as_link(p)
            for p in self.payments
            if p.application_id == application_id and p.transaction_id
        )


def as_link(stored: PaymentLink) -> PaymentLinkRecord:
    """A completed journal payment link as the adapters' link (provider included)."""
    return PaymentLinkRecord(
        str(stored.transaction_id),
        stored.originator_id,
        stored.end_point_id,
        stored.request_id,
        stored.provider_id,
    )


def payments_of(
    record: ApplicationRecord, holdings: Holdings, provider_for_ars: str | None
) -> list[PaymentLinkRecord]:
    """An application's transactions: the journal's, plus those its account area lists.

    The journal names each transaction's provider; a link an account area lists without
    one is asked at `provider_for_ars` (the provider whose tenant serves the portal's ARS),
    or not at all when there is none. One entry per transaction id, the journal's first.
    """
    found: dict[str, PaymentLinkRecord] = {}
    listed = (
        link if link.provider_id else replace(link, provider_id=provider_for_ars)
        for link in record.payments
    )
    for link in (*holdings.payment_links(record.id), *listed):
        if link.provider_id is not None:
            found.setdefault(link.transaction_id, link)
    return list(found.values())


def needs_refresh(link: AccountLink | None, now: datetime, ttl: timedelta) -> bool:
    """Whether an answering account area should (re)write the viewer's link: when there is
    none, or when half its lifetime has passed (so a busy viewer costs no write per query)."""
    return link is None or now >= link.learned_at + ttl / 2
