"""The upstream adapters of the network (file version 2): central services once, the rest by id.

Built once by the composition root (graph/wiring/); the per-request loaders and
actions, the live hub and the submission desk read them. Protocols only: nothing here
knows which standard an adapter speaks.

- `directory`: the one PVOG Suchdienst (cached); it does the ARS hierarchy itself, so a
  search is one upstream call whatever the number of portals.
- `portals`: every Portal of the graph, platforms expanded per municipality (lazy).
- `account_areas`, `postboxes`: by `[[portals]]` ENTRY id (a platform is one adapter for
  all its municipalities); `account_area(portal_id)` / `postbox(portal_id)` find the
  entry's adapter for any portal it serves.
- `case_events`: the one FIT-Connect event log.
- `payments`: by payment provider id; `tenants` picks provider and tenant for an ARS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.domain.submitting import SubmissionDesk
from graph.domain.uploads import NoVirusScan
from sources.base import (
    AccountArea,
    Capability,
    CaseEvents,
    PaymentProvider,
    PortalRecord,
    Postbox,
    ServiceDirectory,
    VirusScanner,
)
from sources.base.portal_directory import PortalDirectory
from sources.base.tenants import TenantIndex
from sources.base.topology import PaymentTenantRecord


@dataclass(frozen=True, slots=True)
class Adapters:
    directory: ServiceDirectory | None = None
    portals: PortalDirectory = field(default_factory=lambda: PortalDirectory(()))
    account_areas: Mapping[str, AccountArea] = field(default_factory=dict)  # by entry id
    postboxes: Mapping[str, Postbox] = field(default_factory=dict)  # by entry id
    # Entry ids whose inbox every signed-in viewer has (the BundID Postfach, `every_viewer`).
    every_viewer_inboxes: frozenset[str] = frozenset()
    case_events: CaseEvents | None = None
    payments: Mapping[str, PaymentProvider] = field(default_factory=dict)  # by provider id
    tenants: TenantIndex = field(default_factory=lambda: TenantIndex(()))
    submission_desk: SubmissionDesk | None = None
    scanner: VirusScanner = field(default_factory=NoVirusScan)

    def entry_id(self, portal_id: str) -> str | None:
        """The `[[portals]]` entry behind a portal id (a municipality -> its platform)."""
        entry = self.portals.entry_of(portal_id)
        return None if entry is None else entry.id

    def account_area(self, portal_id: str) -> AccountArea | None:
        """The account area of a portal (or of an entry id): its entry's adapter."""
        found = self.account_areas.get(portal_id)
        entry_id = self.entry_id(portal_id) if found is None else None
        return found if entry_id is None else self.account_areas.get(entry_id)

    def postbox(self, portal_id: str) -> Postbox | None:
        """The inbox of a portal (or of an entry id): its entry's adapter."""
        found = self.postboxes.get(portal_id)
        entry_id = self.entry_id(portal_id) if found is None else None
        return found if entry_id is None else self.postboxes.get(entry_id)

    def payment_provider(self, portal_id: str) -> PaymentProvider | None:
        """The provider serving a portal (by provider id, else by the portal's ARS tenant)."""
        found = self.payments.get(portal_id)
        portal = self.portals.get(portal_id) if found is None else None
        choice = self.payment_tenant(portal.ars) if portal is not None else None
        return choice[0] if choice is not None else found

    def payment_tenant(self, ars: str) -> tuple[PaymentProvider, PaymentTenantRecord] | None:
        """The provider adapter and tenant serving an authority's ARS (most specific prefix)."""
        choice = self.tenants.choose(ars)
        if choice is None:
            return None
        provider = self.payments.get(choice[0].id)
        return None if provider is None else (provider, choice[1])

    def capabilities(self, portal: PortalRecord) -> tuple[Capability, ...]:
        """What a portal offers in the graph: the central services reach every portal (its
        texts are in the PVOG, FIT-Connect takes its applications), payments where a tenant
        covers its ARS, an account area and an inbox where its entry has one."""
        offered = set(portal.capabilities)
        if self.directory is not None:
            offered.add(Capability.SERVICES)
        if self.case_events is not None:
            offered.add(Capability.STATUS)
        if self.submission_desk is not None:
            offered.add(Capability.SUBMISSIONS)
        if self.payment_tenant(portal.ars) is not None:
            offered.add(Capability.PAYMENTS)
        return tuple(c for c in Capability if c in offered)
