"""Every Portal of the graph, from `[[portals]]` entries: platforms expanded per municipality.

Kommunalportal.NRW is one entry serving ~396 municipalities, and each of them is a
Portal (`portals(tier: MUNICIPAL)` lists it, `portal(id:)` finds it). Expansion is lazy:
start-up builds one small index (id -> entry), a `PortalRecord` is made the first time
it is asked for, and the endpoint tables are shared by every municipality of a platform.
Names come from the entry, else from `names` (the municipality directory: PVOG
locations, or the sandbox's list), else "<platform> <ARS>".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from sources.base.portals import EndpointRecord, PortalRecord
from sources.base.topology import PortalEntryRecord, ServedMunicipality
from sources.base.vocabulary import FEDERAL_ARS, Capability, Tier, ars_prefix


class PortalDirectory:
    __slots__ = ("_built", "_by_ars", "_endpoints", "_entries", "_ids", "_names")

    def __init__(
        self, entries: tuple[PortalEntryRecord, ...], names: Mapping[str, str] | None = None
    ) -> None:
        self._entries = entries
        self._names: Mapping[str, str] = names or {}
        self._ids: dict[str, tuple[PortalEntryRecord, ServedMunicipality | None]] = {}
        self._by_ars: dict[str, str] = {}
        self._built: dict[str, PortalRecord] = {}
        self._endpoints: dict[str, dict[Capability, EndpointRecord]] = {}
        for entry in entries:
            if not entry.is_platform:
                self._ids[entry.id] = (entry, None)
                self._by_ars.setdefault(str(entry.ars), entry.id)
            for served in entry.serves:
                portal_id = entry.served_id(served)
                self._ids[portal_id] = (entry, served)
                self._by_ars.setdefault(served.ars, portal_id)
            if entry.ars_prefix is not None:
                # Prefix platforms serve whatever the directory knows below the prefix.
                for ars in self._names:
                    if ars.startswith(entry.ars_prefix) and ars not in self._by_ars:
                        portal_id = f"{entry.id}-{ars}"
                        self._ids[portal_id] = (entry, ServedMunicipality(ars=ars))
                        self._by_ars[ars] = portal_id

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, portal_id: str) -> PortalRecord | None:
        built = self._built.get(portal_id)
        if built is not None:
            return built
        found = self._ids.get(portal_id)
        if found is None:
            return None
        record = self._build(portal_id, *found)
        self._built[portal_id] = record
        return record

    def for_ars(self, ars: str) -> PortalRecord | None:
        """The portal of exactly this 12-digit ARS (no inheritance: that is the PVOG's job)."""
        portal_id = self._by_ars.get(ars)
        return None if portal_id is None else self.get(portal_id)

    def covering(self, ars: str) -> PortalRecord | None:
        """The portal of this ARS, else of the nearest area above it (Kreis, Regierungsbezirk,
        Land, Bund): whose text a description with this ARS is."""
        for length in (12, 9, 5, 3, 2):
            found = self.for_ars(ars[:length].ljust(12, "0"))
            if found is not None:
                return found
        return self.for_ars(FEDERAL_ARS)

    def origin(self, areas: tuple[str, ...]) -> str | None:
        """The portal id a service description belongs to, from its own ARS list: the most
        local portal covering one of them (None: no portal of the network covers it)."""
        found = [p for p in map(self.covering, areas) if p is not None]
        if not found:
            return None
        return max(found, key=lambda p: len(ars_prefix(p.ars))).id

    def named_by(self, entry_id: str, named: str | None) -> str:
        """The portal a record of entry `entry_id`'s API is about. A platform's record may
        name the municipality (its portal id or 12-digit ARS): that Portal when the entry
        serves it; otherwise, or when the record names none, the entry itself."""
        if named is None:
            return entry_id
        portal_id = named if named in self._ids else self._by_ars.get(named)
        if portal_id is None or self._ids[portal_id][0].id != entry_id:
            return entry_id  # not one of this entry's: a record never moves to another's
        return portal_id

    def entry_of(self, portal_id: str) -> PortalEntryRecord | None:
        """The `[[portals]]` entry (and so the API clients) behind a portal id."""
        found = self._ids.get(portal_id)
        return None if found is None else found[0]

    def __iter__(self) -> Iterator[PortalRecord]:
        for portal_id in self._ids:
            record = self.get(portal_id)
            if record is not None:
                yield record

    def by_tier(self, tier: Tier) -> Iterator[PortalRecord]:
        return (portal for portal in self if portal.tier is tier)

    def _build(
        self, portal_id: str, entry: PortalEntryRecord, served: ServedMunicipality | None
    ) -> PortalRecord:
        endpoints = self._endpoints.get(entry.id)
        if endpoints is None:
            endpoints = self._endpoints[entry.id] = _endpoints(entry)
        if served is None:
            name, ars, website = entry.name, str(entry.ars), entry.website
        else:
            ars = served.ars
            known = served.name or self._names.get(ars)
            name = known or f"{entry.name} {ars}"
            website = served.website or _website(entry, ars, known)
        return PortalRecord(
            id=portal_id,
            name=name,
            tier=entry.tier,
            ars=ars,
            website=website,
            # One dict per entry, shared by all its municipalities; nothing mutates records.
            endpoints=endpoints,
        )


def _endpoints(entry: PortalEntryRecord) -> dict[Capability, EndpointRecord]:
    found: dict[Capability, EndpointRecord] = {}
    for capability, api in ((Capability.ACCOUNTS, entry.accounts), (Capability.INBOX, entry.inbox)):
        if api is not None:
            found[capability] = EndpointRecord(url=api.url, adapter=api.adapter)
    return found


def _website(entry: PortalEntryRecord, ars: str, name: str | None) -> str | None:
    template = entry.website_template
    if template is None or (name is None and "{slug}" in template):
        return entry.website  # no guessed subdomain for a municipality without a name
    return template.format(slug=slug(name or ""), ars=ars)


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(name: str) -> str:
    """`Mülheim an der Ruhr` -> `muelheim-an-der-ruhr` (the Kommunalportal.NRW subdomain style)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(_UMLAUTS)).strip("-")
