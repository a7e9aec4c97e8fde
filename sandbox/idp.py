"""OIDC identity provider standing in for BundID brokered into OIDC (the common portal setup).

Serves discovery, JWKS and a token endpoint (its grants: sandbox/idp_grants.py; its keys:
sandbox/idp_keys.py). `/_sandbox/*` helpers let tests mint tokens and rotate keys.

The issuer URL is known only once the server has bound its port, so the app takes a
zero-argument callable (`Issuer` is a ready-made mutable holder) and reads it per request.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from joserfc.errors import JoseError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.citizens import Citizen
from sandbox.idp_grants import GRANTS, NO_STORE, IdentityProvider, OAuthError
from sandbox.idp_keys import KeyRing
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.idp import idp_document

PUBLIC_CLIENTS = frozenset({"portalgraph-graphiql"})
DEMO_TTL = 8 * 3600  # a working day of clicking around in GraphiQL


def routes(idp: IdentityProvider) -> tuple[list[Route], list[Route]]:
    """(upstream routes, sandbox helper routes)."""

    async def discovery(request: Request) -> Response:
        issuer = idp.issuer()
        return JSONResponse(
            {
                "issuer": issuer,
                "jwks_uri": f"{issuer}/jwks",
                "token_endpoint": f"{issuer}/token",
                "grant_types_supported": list(GRANTS),
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",
                ],
                "response_types_supported": ["token"],
                "subject_types_supported": ["pairwise"],  # bPK2 differs per service provider
                "id_token_signing_alg_values_supported": ["RS256"],
                "acr_values_supported": [f"STORK-QAA-Level-{n}" for n in range(1, 5)],
            }
        )

    async def jwks(request: Request) -> Response:
        # Short max-age: rotation tests rely on verifiers refetching on an unknown kid anyway.
        headers = {"Cache-Control": "public, max-age=300"}
        return JSONResponse(dict(idp.keys.public_jwks()), headers=headers)

    async def token(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/x-www-form-urlencoded":
            return OAuthError("invalid_request", "form-encoded body required").response()
        form = dict(parse_qsl((await request.body()).decode(errors="replace")))
        grant = GRANTS.get(form.get("grant_type", ""))
        try:
            if grant is None:
                raise OAuthError("unsupported_grant_type", "grant_type not supported")
            return JSONResponse(grant(idp, request, form), headers=NO_STORE)
        except OAuthError as exc:
            return exc.response()

    async def demo_tokens(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "login": c.login,
                    "name": c.display_name,
                    "trustLevel": c.acr,
                    "accessToken": idp.sign_in(c, "portalgraph-graphiql", DEMO_TTL),
                }
                for c in idp.demo
            ],
            headers=NO_STORE,
        )

    async def sign(request: Request) -> Response:
        try:
            body = await request.json()
            claims, header = body["claims"], body.get("header") or {}
            if not isinstance(claims, dict) or not isinstance(header, dict):
                raise TypeError("claims and header must be objects")
            if body.get("key", "current") not in {"current", "retiring"}:
                raise ValueError("key must be 'current' or 'retiring'")
            token = idp.keys.sign(claims, header, retiring=body.get("key") == "retiring")
        except (JoseError, ValueError, TypeError, KeyError, AttributeError) as exc:
            return JSONResponse({"error": "invalid_request", "error_description": str(exc)}, 400)
        return JSONResponse({"token": token})

    async def rotate(request: Request) -> Response:
        idp.keys.rotate()
        return JSONResponse(
            {
                "current": idp.keys.current.kid,
                "published": [idp.keys.current.kid, idp.keys.retiring.kid],
            }
        )

    upstream = [
        Route("/.well-known/openid-configuration", discovery),
        Route("/jwks", jwks),
        Route("/token", token, methods=["POST"]),
    ]
    helpers = [
        Route("/_sandbox/demo-tokens", demo_tokens),
        Route("/_sandbox/sign", sign, methods=["POST"]),
        Route("/_sandbox/rotate", rotate, methods=["POST"]),
    ]
    return upstream, helpers


def create_idp_app(
    *,
    issuer_holder: Callable[[], str],
    citizens: list[Citizen],
    clients: dict[str, str],
    portal_audiences: set[str],
    gateway_audience: str = "portalgraph",
    keys: KeyRing | None = None,
    public_clients: frozenset[str] = PUBLIC_CLIENTS,
) -> Starlette:
    """The IdP app. Pass `keys` to share the ring with account areas (their JWKS callable)."""
    ring = keys or KeyRing()
    idp = IdentityProvider(
        issuer_holder, citizens, clients, portal_audiences, gateway_audience, ring, public_clients
    )
    upstream, helpers = routes(idp)
    # Instrumented answers every /_sandbox/ path itself, so the IdP's own helpers are routed
    # before it: they stay uncounted and unfaulted, while stats/faults reach the wrapper.
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    app = with_openapi(idp_document, counted, helpers)
    app.state.keys = ring
    return app
