"""The one PVOG Suchdienst of the topology sandbox: Bund, NRW and every municipality in one index.

The real Suchdienst holds every editorial office's descriptions and does the ARS
inheritance itself (`useArsHierarchy=true`): a Köln search answers the Bund's, NRW's and
Köln's texts, each with its own `ars`. `central_catalogue` merges the hand-written
catalogue of `sandbox.data` (Bund, NRW with the Rhein-Kreis Neuss, Köln, Dormagen) with
one locally described service per further municipality (`sandbox.scale`) into one
`PortalData`, which `sandbox.pvog.PvogUpstream` serves unchanged. `central_pvog` puts the
Suchdienst's client-id header in front (`sandbox.gates.HeaderGate`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp

from sandbox.data import JSON, PortalData, build_network
from sandbox.data_places import LEVEL_ARS
from sandbox.data_types import Portal
from sandbox.gates import HeaderGate
from sandbox.nrw_places import Municipality
from sandbox.pvog import PvogUpstream
from sandbox.scale import MANDANT, local_service, location

CLIENT_ID_HEADER = "pvog-sud-api-client-id"
SUCHDIENST = Portal(
    "pvog",
    "PVOG Suchdienst (Sandbox)",
    "FEDERAL",
    "000000000000",
    "https://pvog.fitko.net/suchdienst/api",
    "",
    "",
    "",
    "",
)
# The hand-written catalogue describes these municipalities at length already.
DESCRIBED = frozenset(LEVEL_ARS[level] for level in "KD")


def central_catalogue(municipalities: Iterable[Municipality], seed: int) -> PortalData:
    portals = build_network(seed).values()
    descriptions: list[JSON] = [sd for data in portals for sd in data.descriptions]
    organisations: dict[str, JSON] = {}
    for data in portals:
        organisations.update(data.organisations)
    locations: dict[str, JSON] = {}
    for data in portals:
        locations.update((row["ars"], row) for row in data.locations)
    for index, municipality in enumerate(municipalities):
        if municipality.ars not in locations:
            locations[municipality.ars] = _location(municipality)
        if municipality.ars in DESCRIBED:
            continue
        office = _office(municipality, index)
        organisations[office["id"]] = office
        descriptions.append(_described(municipality, index, office))
    descriptions.sort(key=lambda sd: (sd["name"], sd["id"]))
    return PortalData(
        portal=SUCHDIENST,
        descriptions=tuple(descriptions),
        by_id={sd["id"]: sd for sd in descriptions},
        organisations=organisations,
        locations=tuple(sorted(locations.values(), key=lambda row: row["ars"])),
    )


def central_pvog(data: PortalData, *, seed: int, client_id: str) -> ASGIApp:
    """The Suchdienst app; every counted path needs `pvog-sud-api-client-id: <client_id>`."""
    return HeaderGate(PvogUpstream(data, seed=seed).app, header=CLIENT_ID_HEADER, value=client_id)


def _location(municipality: Municipality) -> JSON:
    kind = "Kreisfreie Stadt" if municipality.kreisfrei else "Gemeinde"
    return location(municipality) | {"type": kind, "zip": []}


def _office(municipality: Municipality, index: int) -> JSON:
    title = f"Steueramt {municipality.name}"
    return {
        "id": f"{MANDANT}.OE.{900000 + index}",
        "title": title,
        "lastUpdate": "2026-01-15T08:00:00Z",
        "location": {
            "addresses": [{"type": "Hausanschrift", "street": "Rathausplatz 1", "city": title}],
            "communications": [],
        },
        "internetAddresses": [],
        "additionalInformation": [],
    }


def _described(municipality: Municipality, index: int, office: JSON) -> JSON:
    found: dict[str, Any] = local_service(municipality, index)
    found["organisationIds"] = [office["id"]]
    found["organisations"] = [{"title": office["title"], "role": {"name": "Zuständige Stelle"}}]
    found["sourcePortals"] = [
        {"title": "Kommunalportal.NRW", "uri": found["onlineServiceLinks"][0]["uri"]}
    ]
    found["keywords"] = ["Hundesteuer", "Hund", "Hundemarke", municipality.name]
    return found
