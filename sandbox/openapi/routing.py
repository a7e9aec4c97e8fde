"""OpenAPI document of the FIT-Connect Routing API (reference/portalverbund.md §3.7)."""

from __future__ import annotations

from sandbox.openapi.common import (
    CACHE_CONTROL,
    JWKS,
    SANDBOX,
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
UNSIMULATED = {"type": "string", "description": "Not simulated: any value is refused with 400"}


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
                {"type": "string", "pattern": "^[0-9]{12}$"},
                "Regionalschlüssel",
                required=True,
            ),
            query("ags", UNSIMULATED, "Gemeindeschlüssel (not simulated)", deprecated=True),
            query("areaId", UNSIMULATED, "Area id (not simulated)", deprecated=True),
            *paging(),
        ],
        "responses": {
            "200": ok(envelope("routes", ref("Route")), headers=CACHE_CONTROL),
            "400": problem("Bad leikaKey or ars, more than one area parameter, or bad paging"),
        },
    }
    info = {
        "operationId": "getInfo",
        "summary": "Service version",
        "responses": {"200": ok(obj(["version"], {"version": STRING}))},
    }
    jwks = {
        "operationId": "getRoutingKeys",
        "summary": "Keys that verify destinationSignature",
        "responses": {"200": ok(JWKS, headers=CACHE_CONTROL)},
    }
    return document(
        "FIT-Connect Routing API (sandbox)",
        "Finds the destination for a LeiKa key and a region; only `ars` is simulated as the "
        "area parameter. No authentication, as in the real API.",
        {
            "/v1/routes": {"get": routes},
            "/v1/info": {"get": info},
            "/.well-known/jwks.json": {"get": jwks} | SANDBOX,
        },
        {"Route": ROUTE},
    )
