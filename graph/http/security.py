"""HTTP hardening in front of the app: CSRF refusal, CORS allow-list, security headers.

A browser sends "simple" requests (GET, or POST as text/plain, form-urlencoded or
multipart) cross-site without a CORS preflight, carrying whatever ambient credentials it
has. A simple POST may only run an operation if it also carries a header no HTML form
can set, the rule Apollo Server and Router use.

GET is allowed without that header (docs/frontend.md "CSRF and GET"): the gateway reads
credentials from the Authorization header only, which a browser never adds to a forged
request, so a cross-site GET runs anonymously; GET never runs a mutation (405), and the
answer is unreadable to a page on an origin outside PORTALGRAPH_CORS_ORIGINS. That is what
lets urql's and Apollo's default GET queries work without a custom header.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.domain.messages import HEADER as LANGUAGE_HEADER, language, localise
from graph.http.cors import cors_middleware
from graph.http.errors import error_response
from graph.ops.logging import RequestIdMiddleware
from graph.version import SCHEMA_VERSION, VERSION_HEADER
from sources.base import ErrorCode

SIMPLE_CONTENT_TYPES = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
PREFLIGHT_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight", "graphql-preflight")
HTML_POLICY = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# GraphiQL's editors set inline styles, hence 'unsafe-inline' for styles (docs/graphiql.md).
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "strict-transport-security": "max-age=31536000",
}
NONCE_KEY = "csp_nonce"
_HTML = re.compile(r"^text/html\b")


def csrf_refusal(scope: Scope) -> str | None:
    """Why this request may not run an operation without a preflight header, or None."""
    headers = Headers(scope=scope)
    if any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS):
        return None
    if scope["method"] == "POST":
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if not content_type or content_type in SIMPLE_CONTENT_TYPES:
            return f"POST with Content-Type {content_type or '(none)'}"
    return None


class SecurityHeaders:
    """Pure ASGI: refuses CSRF-able requests to the GraphQL path, adds headers to every answer."""

    def __init__(self, app: ASGIApp, *, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A fresh nonce per response; the GraphiQL page reads it from the scope.
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})[NONCE_KEY] = nonce
        is_graphql = scope["path"] == self.graphql_path

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                html = _HTML.match(headers.get("content-type", ""))
                policy = HTML_POLICY.format(nonce=nonce) if html else API_POLICY
                headers["content-security-policy"] = policy
                if is_graphql:
                    # Answers may hold personal data: no shared or browser cache keeps them.
                    headers.setdefault("cache-control", "no-store")
                    headers.setdefault(VERSION_HEADER, SCHEMA_VERSION)
            await send(message)

        reason = csrf_refusal(scope) if is_graphql else None
        if reason is not None:
            response = error_response(
                400,
                localise(
                    f"Refused {reason}: send the header"
                    " 'GraphQL-Preflight: 1' (or Apollo-Require-Preflight).",
                    language(Headers(scope=scope).get(LANGUAGE_HEADER)),
                ),
                ErrorCode.CSRF_PREFLIGHT_REQUIRED,
            )
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def security_middleware(cors_origins: Sequence[str]) -> list[Middleware]:
    """Outermost first: request id, then headers and CSRF, then CORS."""
    return [
        Middleware(RequestIdMiddleware),
        Middleware(SecurityHeaders),
        cors_middleware(cors_origins, extra_headers=PREFLIGHT_HEADERS),
    ]
