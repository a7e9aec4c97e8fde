"""Bearer-token checks and error shapes shared by the sandbox upstreams behind the IdP.

Every upstream accepts only RS256 JWTs of the sandbox IdP (current or retiring key) minted
for its own audience: citizen-facing ones (account area, Postfach) get exchanged tokens
whose `sub` selects the data, service ones (FIT-Connect, XBezahldienste) get
client-credentials tokens. Nothing here logs tokens or personal data.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.requests import Request
from starlette.responses import JSONResponse

LEEWAY = 5
PROBLEM = "application/problem+json"
NO_STORE = {"Cache-Control": "no-store"}
MAX_LIMIT = 500


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """RFC 7807 problem; `extra` adds members such as XBezahldienste's `functionalCode`."""
    headers = extra.pop("headers", None)
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail} | extra
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM)


def unauthorized(detail: str) -> JSONResponse:
    return problem(
        401,
        "Unauthorized",
        detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


class BearerCheck:
    """Validates `Authorization: Bearer` against one audience; the issuer is read per request."""

    def __init__(
        self, *, issuer: Callable[[], str], jwks: Callable[[], KeySet], audience: str
    ) -> None:
        self.issuer, self.jwks, self.audience = issuer, jwks, audience

    def __call__(self, request: Request) -> dict[str, Any] | JSONResponse:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return unauthorized("bearer token required")
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer()},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            decoded = jwt.decode(token.strip(), self.jwks(), algorithms=["RS256"])
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            # joserfc's descriptions name the failed check (e.g. the claim), never the token.
            return unauthorized(
                exc.description if isinstance(exc, JoseError) else "malformed token"
            )
        return decoded.claims


def paging(request: Request, default: int = 100) -> tuple[int, int] | JSONResponse:
    """`limit` (1..500) and `offset` (>= 0) query parameters, or a 400 problem."""
    try:
        limit = int(request.query_params.get("limit", default))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        return problem(400, "Bad Request", "limit and offset must be integers")
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        return problem(400, "Bad Request", f"limit must be 1..{MAX_LIMIT} and offset >= 0")
    return limit, offset


def page(items: list[Any], limit: int, offset: int, key: str) -> dict[str, Any]:
    """The FIT-Connect list envelope `{count, offset, totalCount, <key>}` (also used by [I] lists)."""
    chunk = items[offset : offset + limit]
    return {"count": len(chunk), "offset": offset, "totalCount": len(items), key: chunk}


def iso(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    return _iso(timestamp)


# A heavy citizen's status updates format the same few thousand instants on every call:
# strftime was 30 % of the sandbox's CPU on such a dashboard (docs/benchmarks.md).
@functools.lru_cache(maxsize=65536)
def _iso(timestamp: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def json_response(body: Mapping[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(dict(body), status, headers=NO_STORE)


def mounted_base(request: Request) -> str:
    """The base URL of the API that serves the request, with the prefix it is mounted under.

    Starlette's `request.base_url` names the server's root; one FIT-Connect server hosts each
    Submission API host under `/zustelldienst/<group>` (its `root_path` inside the mount)."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}{root}"
