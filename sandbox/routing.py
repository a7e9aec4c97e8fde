"""The FIT-Connect Routing API: which destination takes a service (LeiKa key) for an area.

Routing API 2.0.0 (maschinenlesbar-org/fit-connect-cli routing-api.yaml): `GET /v1/routes`
with `leikaKey` and exactly one area parameter — `ars` (2/3/5/9/12 digits), `ags` (2/3/5/8)
or `areaId` (from `GET /v1/areas`) — answers the destination of the most local portal that
publishes the key for an area covering it; `GET /v1/info` its version. No auth. Every route
carries a `destinationSignature`: a PS512 JWS over `{submissionHost, iss, services,
destinationId, iat, jti}` issued by the Self-Service-Portal, whose key set is not on the
Routing host; the sandbox stands the SSP in at `/ssp/.well-known/jwks.json` [I: a separate
host in reality]. `submissionHost` is a bare host name: each portal's Submission API gets
`submission-api-<portal>.sandbox.invalid` [I], which the network file maps to its URL.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import pki
from sandbox.auth import json_response, page, paging, problem
from sandbox.data import PortalData
from sandbox.data_places import regions_for
from sandbox.data_types import Region
from sandbox.destination import destination_id
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.routing import routing_document

LEIKA = re.compile(r"^99\d{12}$")
ARS = re.compile(r"^(\d{2}|\d{3}|\d{5}|\d{9}|\d{12})$")
AGS = re.compile(r"^(\d{2}|\d{3}|\d{5}|\d{8})$")
AREA_ID = re.compile(r"^\d+$")
ISSUED_AT = 1767225600  # fixed: signatures stay byte-identical across runs
SSP_KEY = "self-service-portal"
SSP_KID = "fOHstLO4beBq0px-01pLJ2RxPmBDjCmlKHBO8g5W-SA"  # the form of the spec example's kid
VERSION = {"major": 2, "minor": 0, "patch": 0}

__all__ = ["create_routing_app", "destination_id", "submission_host"]


def submission_host(portal_id: str) -> str:
    """The bare host name a portal's signed routes name as `submissionHost` [I]."""
    return f"submission-api-{portal_id}.sandbox.invalid"


def area_prefix(ars: str) -> str:
    """The significant prefix of a 12-digit ARS (as the PVOG sandbox reads `ars` entries)."""
    for length in (0, 2, 3, 5, 9):
        if ars[length:] == "0" * (12 - length):
            return ars[:length]
    return ars


@dataclass(frozen=True, slots=True)
class Offer:
    """One portal publishing one LeiKa key for one area."""

    portal_id: str
    leika_key: str
    area: str
    name: str


def offers(network: Mapping[str, PortalData]) -> list[Offer]:
    return [
        Offer(portal_id, key, area, str(sd["name"]))
        for portal_id, data in network.items()
        for sd in data.descriptions
        for key in sd["leikakeys"]
        for area in sd["ars"]
    ]


def route_for(catalogue: list[Offer], leika_key: str, ars: str) -> Offer | None:
    """The most local offer whose area covers `ars`."""
    covering = [
        o for o in catalogue if o.leika_key == leika_key and ars.startswith(area_prefix(o.area))
    ]
    return max(covering, key=lambda o: len(area_prefix(o.area)), default=None)


def areas() -> dict[str, Region]:
    """Area id -> region, for every region the sandbox knows (ids are stable [I])."""
    known = {r.ars: r for portal in ("bund", "nrw") for r in regions_for(portal)}
    return {str(1000 + index): known[ars] for index, ars in enumerate(sorted(known))}


def ars_of(params: Mapping[str, str], table: Mapping[str, Region]) -> str | None:
    """The 12-digit ARS the one area parameter names; ValueError when the parameters are wrong."""
    given = [name for name in ("ars", "ags", "areaId") if name in params]
    if len(given) != 1:
        raise ValueError("exactly one area parameter: ars, ags or areaId")
    value = params[given[0]]
    if given[0] == "ars":
        if not ARS.match(value):
            raise ValueError("ars must have 2, 3, 5, 9 or 12 digits")
        return value.ljust(12, "0")
    if given[0] == "ags":
        if not AGS.match(value):
            raise ValueError("ags must have 2, 3, 5 or 8 digits")
        if len(value) < 8:
            return value.ljust(12, "0")
        # AGS = Land, RB, Kreis, Gemeinde; the ARS adds the Gemeindeverband between them.
        found = [a for a in table.values() if a.ars[:5] == value[:5] and a.ars[9:] == value[5:]]
        return found[0].ars if found else value[:5] + "0000" + value[5:]
    if not AREA_ID.match(value):
        raise ValueError("areaId must be digits")
    region = table.get(value)
    return region.ars if region else None


def matches(region: Region, terms: list[str]) -> bool:
    """Every search term (`*` as wildcard) names a word of the region's name or a postal code."""
    words = [w.casefold() for w in re.split(r"[\s()/,-]+", region.name) if w] + region.zips.split()
    return all(
        any(re.fullmatch(re.escape(t.casefold()).replace(r"\*", ".*"), w) for w in words)
        for t in terms
    )


class RoutingService:
    def __init__(self, catalogue: list[Offer], portal_names: Mapping[str, str]) -> None:
        self.catalogue = catalogue
        self.portal_names = portal_names
        self.areas = areas()

    @staticmethod
    def key() -> pki.KeyPair:
        return pki.key_pair(SSP_KEY, kid=SSP_KID, alg="PS512")

    def route(self, offer: Offer, ssp: str) -> dict[str, Any]:
        target = destination_id(offer.portal_id)
        claims = {
            "submissionHost": submission_host(offer.portal_id),
            "iss": ssp,
            "services": [
                {
                    "gebietIDs": [
                        f"urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:{offer.area}"
                    ],
                    "leistungIDs": [f"urn:de:fim:leika:leistung:{offer.leika_key}"],
                }
            ],
            "destinationId": target,
            "iat": ISSUED_AT,
            "jti": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{target}/{offer.leika_key}/{offer.area}")),
        }
        header = {"kid": SSP_KID, "typ": "jwt", "alg": "PS512"}
        payload = json.dumps(claims, separators=(",", ":")).encode()
        name = self.portal_names.get(offer.portal_id, offer.portal_id)
        return {
            "destinationId": target,
            "destinationSignature": jws.serialize_compact(
                header, payload, self.key().private, algorithms=["PS512"]
            ),
            "destinationName": f"{offer.name} – {name}",
            "destinationShortName": offer.portal_id,
            "origin": "PVOG",
        }


def create_routing_app(
    *, network: Mapping[str, PortalData], submission_hosts: Callable[[str], str | None]
) -> Starlette:
    """The Routing API; `submission_hosts(portal_id)` is that portal's Submission API base URL
    (None: no Submission API, so no route to it)."""
    names = {portal_id: data.portal.name for portal_id, data in network.items()}
    service = RoutingService(offers(network), names)
    pki.prepare(SSP_KEY, kid=SSP_KID, alg="PS512")

    async def routes(request: Request) -> Response:
        params = request.query_params
        leika = params.get("leikaKey", "")
        if not LEIKA.match(leika):
            return problem(400, "Bad Request", "leikaKey must match ^99\\d{12}$")
        try:
            ars = ars_of(params, service.areas)
        except ValueError as exc:
            return problem(400, "Bad Request", str(exc))
        paged = paging(request)
        if isinstance(paged, JSONResponse):
            return paged
        offer = route_for(service.catalogue, leika, ars) if ars else None
        found = []
        if offer and submission_hosts(offer.portal_id):
            ssp = str(request.base_url).rstrip("/") + "/ssp"
            found = [await asyncio.to_thread(service.route, offer, ssp)]
        return json_response(page(found, *paged, key="routes"))

    async def search_areas(request: Request) -> Response:
        terms = request.query_params.getlist("areaSearchexpression")
        if not terms or len(terms) > 10 or any(len(t.replace("*", "")) < 2 for t in terms):
            return problem(400, "Bad Request", "1 to 10 areaSearchexpression of 2+ characters")
        paged = paging(request)
        if isinstance(paged, JSONResponse):
            return paged
        found = [
            {"id": area_id, "name": region.name, "type": region.kind}
            for area_id, region in service.areas.items()
            if matches(region, terms)
        ]
        return json_response(page(found, *paged, key="areas"))

    async def info(request: Request) -> Response:
        return JSONResponse({"version": VERSION})

    async def ssp_keys(request: Request) -> Response:
        jwk = await asyncio.to_thread(lambda: service.key().public)
        return JSONResponse({"keys": [jwk]}, headers={"Cache-Control": "public, max-age=300"})

    upstream = [
        Route("/v1/routes", routes),
        Route("/v1/areas", search_areas),
        Route("/v1/info", info),
    ]
    helpers = [Route("/ssp/.well-known/jwks.json", ssp_keys)]
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    return with_openapi(routing_document, counted, helpers)
