"""OpenAPI document of the FIT-Connect Routing API (reference/portalverbund.md §3.7)."""

from __future__ import annotations

from sandbox.openapi.common import (
    CACHE_CONTROL,
    STRING,
    Doc,
    document,
    envelope,
    obj,
    ok,
    paging,
    problem,
    query,
    ref,
)

ROUTE = obj(
    ["destinationId", "destinationSignature", "destinationName", "destinationShortName", "origin"],
    {
        "destinationId": {"type": "string", "format": "uuid"},
        "destinationSignature": {
            "type": "string",
            "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
            "description": "Compact JWS (PS512) over submissionHost, iss, services, "
            "destinationId, iat, jti",
        },
        "destinationName": STRING,
        "destinationShortName": STRING,
        "origin": {"const": "PVOG"},
    },
)
AREA = obj(["id", "name", "type"], {"id": STRING, "name": STRING, "type": STRING})
INTEGER = {"type": "integer"}


def routing_document() -> Doc:
    routes = {
        "operationId": "findDestinations",
        "summary": "The destination that takes a service (LeiKa key) for an area",
        "parameters": [
            query(
                "leikaKey",
                {"type": "string", "pattern": "^99[0-9]{12}$"},
                "LeiKa key",
                required=True,
            ),
            query(
                "ars",
                {"type": "string", "pattern": r"^(\d{2}|\d{3}|\d{5}|\d{9}|\d{12})$"},
                "Regionalschlüssel (exactly one of ars, ags, areaId)",
            ),
            query(
                "ags",
                {"type": "string", "pattern": r"^(\d{2}|\d{3}|\d{5}|\d{8})$"},
                "Gemeindeschlüssel",
            ),
            query("areaId", {"type": "string", "pattern": r"^\d{1,}"}, "Area id from /v1/areas"),
            *paging(),
        ],
        "responses": {
            "200": ok(envelope("routes", ref("Route")), headers=CACHE_CONTROL),
            "400": problem("Bad leikaKey or area, not exactly one area parameter, or bad paging"),
        },
    }
    search_areas = {
        "operationId": "findAreas",
        "summary": "Areas by name or postal code (`*` wildcard), every term matching",
        "parameters": [
            query(
                "areaSearchexpression",
                {"type": "array", "items": STRING, "minItems": 1, "maxItems": 10},
                "Search terms",
                required=True,
                explode=True,
            ),
            *paging(),
        ],
        "responses": {
            "200": ok(envelope("areas", ref("Area")), headers=CACHE_CONTROL),
            "400": problem("No or bad search terms, or bad paging"),
        },
    }
    info = {
        "operationId": "getInfo",
        "summary": "Service version",
        "responses": {
            "200": ok(
                obj(
                    ["version"],
                    {
                        "version": obj(
                            ["major", "minor", "patch"],
                            {"major": INTEGER, "minor": INTEGER, "patch": INTEGER},
                        )
                    },
                )
            )
        },
    }
    return document(
        "FIT-Connect Routing API (sandbox)",
        "Finds the destination for a LeiKa key and an area (ars, ags or areaId) and searches "
        "areas. No authentication, as in the real API. The Self-Service-Portal key set that "
        "verifies destinationSignature is a sandbox stand-in at /ssp/.well-known/jwks.json.",
        {
            "/v1/routes": {"get": routes},
            "/v1/areas": {"get": search_areas},
            "/v1/info": {"get": info},
        },
        {"Route": ROUTE, "Area": AREA},
    )
