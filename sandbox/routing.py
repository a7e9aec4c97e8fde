"""The FIT-Connect Routing API: which destination takes a service (LeiKa key) for a region.

`GET /v1/routes?leikaKey=&ars=` answers with the destination of the most local portal that
publishes the key for an area covering the ARS (reference/portalverbund.md §3.7). Every route
carries a `destinationSignature`, a PS512 JWS over `{submissionHost, iss, services,
destinationId, iat, jti}`, verifiable with `/.well-known/jwks.json` (RSA 2048 [I]).
Destination ids are UUIDs derived from the portal id [I]; no auth, as in the real API.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import json_response, page, paging, problem
from sandbox.data import PortalData
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.routing import routing_document

LEIKA = re.compile(r"^99\d{12}$")
ARS12 = re.compile(r"^\d{12}$")
ISSUED_AT = 1767225600  # fixed: signatures stay byte-identical across runs


def destination_id(portal_id: str) -> str:
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"https://sandbox.portalgraph/destinations/{portal_id}")
    )


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


class RoutingService:
    def __init__(self, catalogue: list[Offer], portal_names: Mapping[str, str]) -> None:
        self.catalogue = catalogue
        self.portal_names = portal_names
        self.kid = "routing-ps512"
        self._key: RSAKey | None = None

    @property
    def key(self) -> RSAKey:
        if self._key is None:
            self._key = RSAKey.generate_key(2048, parameters={"kid": self.kid, "alg": "PS512"})
        return self._key

    def jwks(self) -> dict[str, Any]:
        public = dict(self.key.as_dict(private=False))
        return {
            "keys": [
                public | {"kid": self.kid, "alg": "PS512", "use": "sig", "key_ops": ["verify"]}
            ]
        }

    def route(self, offer: Offer, issuer: str, submission_host: str) -> dict[str, Any]:
        target = destination_id(offer.portal_id)
        claims = {
            "submissionHost": submission_host,
            "iss": issuer,
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
        header = {"alg": "PS512", "kid": self.kid}
        payload = json.dumps(claims, separators=(",", ":")).encode()
        name = self.portal_names.get(offer.portal_id, offer.portal_id)
        return {
            "destinationId": target,
            "destinationSignature": jws.serialize_compact(
                header, payload, self.key, algorithms=["PS512"]
            ),
            "destinationName": f"{offer.name} – {name}",
            "destinationShortName": offer.portal_id,
            "origin": "PVOG",
        }


def create_routing_app(
    *, network: Mapping[str, PortalData], submission_hosts: Callable[[str], str | None]
) -> Starlette:
    """The Routing API; `submission_hosts(portal_id)` is that portal's Submission API base URL."""
    names = {portal_id: data.portal.name for portal_id, data in network.items()}
    service = RoutingService(offers(network), names)

    async def routes(request: Request) -> Response:
        params = request.query_params
        leika, ars = params.get("leikaKey", ""), params.get("ars", "")
        if not LEIKA.match(leika):
            return problem(400, "Bad Request", "leikaKey must match ^99\\d{12}$")
        if not ARS12.match(ars) or {"ags", "areaId"} & set(params):
            return problem(400, "Bad Request", "exactly one area parameter: ars (12 digits)")
        paged = paging(request)
        if isinstance(paged, JSONResponse):
            return paged
        offer = route_for(service.catalogue, leika, ars)
        host = submission_hosts(offer.portal_id) if offer else None
        issuer = str(request.base_url).rstrip("/")
        found = [service.route(offer, issuer, host)] if offer and host else []
        return json_response(page(found, *paged, key="routes"))

    async def keys(request: Request) -> Response:
        return JSONResponse(service.jwks(), headers={"Cache-Control": "public, max-age=300"})

    async def info(request: Request) -> Response:
        return JSONResponse({"version": "1.0.0-sandbox"})

    upstream = [
        Route("/v1/routes", routes),
        Route("/v1/info", info),
        Route("/.well-known/jwks.json", keys),
    ]
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    return with_openapi(routing_document, counted)
