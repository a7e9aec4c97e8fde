"""A portal's account area ("Mein Konto"): `GET /v1/me` for the bearer's own account.

Like a real upstream it accepts only IdP tokens minted for its own audience, so a
token meant for another portal (or the gateway's sign-in token) is refused with 401.
Nothing here logs tokens or personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from sandbox.citizens import Citizen
from sandbox.instrument import Instrumented

SERVICES = ("applications", "payments", "inbox")
LEEWAY = 5
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **headers: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM)


def unauthorized(detail: str) -> JSONResponse:
    return problem(
        401, "Unauthorized", detail, **{"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


def create_accounts_app(
    *,
    portal_id: str,
    audience: str,
    issuer: Callable[[], str],
    jwks: Callable[[], KeySet],
    citizens: Mapping[str, Citizen],
) -> Starlette:
    """The account area of `portal_id`; `citizens` is `citizen_index(...)` (keyed by subject)."""

    def bearer_claims(request: Request) -> dict[str, Any] | JSONResponse:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return unauthorized("bearer token required")
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": issuer()},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            decoded = jwt.decode(token.strip(), jwks(), algorithms=["RS256"])
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            # joserfc's descriptions name the failed check (e.g. the claim), never the token.
            return unauthorized(
                exc.description if isinstance(exc, JoseError) else "malformed token"
            )
        return decoded.claims

    async def me(request: Request) -> Response:
        claims = bearer_claims(request)
        if isinstance(claims, JSONResponse):
            return claims
        citizen = citizens.get(str(claims["sub"]))
        account = (
            citizen.account_at(portal_id) if citizen and citizen.subject == claims["sub"] else None
        )
        if citizen is None or account is None:
            return problem(404, "Not Found", f"no account at portal {portal_id}")
        return JSONResponse(
            {
                "accountId": account.account_id,
                "portalId": portal_id,
                "createdAt": account.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "services": list(SERVICES),
                "displayName": citizen.display_name,
            },
            headers={"Cache-Control": "no-store"},
        )

    upstream = [Route("/v1/me", me)]
    # The outer Starlette keeps the declared return type (and `.state`) for the runner.
    counted = Instrumented(Starlette(routes=upstream), routes=upstream)
    return Starlette(routes=[Mount("", app=counted)])
