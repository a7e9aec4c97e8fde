"""OpenAPI document of the status upstream: FIT-Connect Submission API v1 event log (§3.2, §3.5)."""

from __future__ import annotations

from sandbox.openapi.common import (
    BEARER_JWT,
    CACHE_CONTROL,
    FIT_CONNECT_JWK,
    FIT_CONNECT_JWKS,
    Doc,
    document,
    envelope,
    ok,
    paging,
    path,
    problem,
    ref,
    unauthorized,
)

COMPACT_JWS = {
    "type": "string",
    "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
    "description": "Security Event Token (compact JWS, PS512, typ secevent+jwt)",
}


def status_document() -> Doc:
    events = {
        "operationId": "getCaseEvents",
        "summary": "The event log of a case (SETs, oldest first)",
        "parameters": [path("caseId", {"type": "string"}, "Case id (UUID)"), *paging()],
        "responses": {
            "200": ok(ref("EventLog"), headers=CACHE_CONTROL),
            "400": problem("limit or offset out of range"),
            "401": unauthorized(),
            "404": problem("Unknown case, or a case of another portal"),
        },
    }
    jwks = {
        "operationId": "getZustelldienstKeys",
        "summary": "Public keys of the Zustelldienst that signs its SETs (PS512)",
        "security": [],
        "responses": {"200": ok(FIT_CONNECT_JWKS, headers=CACHE_CONTROL)},
    }
    key = {
        "operationId": "getDestinationKey",
        "summary": "A public key of a destination; its signing key verifies the SETs it writes",
        "security": [],
        "parameters": [
            path("destinationId", {"type": "string"}),
            path("keyId", {"type": "string"}),
        ],
        "responses": {
            "200": ok(FIT_CONNECT_JWK, headers=CACHE_CONTROL),
            "404": problem("Unknown destination or key"),
        },
    }
    return document(
        "FIT-Connect Submission API – case events (sandbox)",
        "The part of the FIT-Connect Submission API v1 a sender uses to follow a case. "
        "Needs a client-credentials token for urn:portalgraph:fitconnect:<portal>.",
        {
            "/v1/cases/{caseId}/events": {"get": events},
            "/v1/destinations/{destinationId}/keys/{keyId}": {"get": key},
            "/.well-known/jwks.json": {"get": jwks},
        },
        {"EventLog": envelope("eventLog", COMPACT_JWS)},
        security_schemes={"bearerAuth": BEARER_JWT},
        security=[{"bearerAuth": []}],
    )
