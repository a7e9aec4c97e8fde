"""Credential checks in front of sandbox upstreams whose real counterparts use no bearer token.

- `basic_check`: HTTP Basic (epay21-style payment provider); wrong or missing → 401.
- `tls_checked`: mutual TLS (ePayBL-style Konnektor); the server's TLS handshake already
  refused a connection without a client certificate signed by the sandbox's test CA
  (`sandbox.tls`), so the application has nothing left to check.
- `HeaderGate`: a required static header (the PVOG's `pvog-sud-api-client-id`); without it
  every counted path answers 401, while `/openapi.json` and `/_sandbox/*` stay open.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.auth import problem
from sandbox.instrument import CONTROL_PREFIX

OPEN_PATHS = ("/openapi.json",)
Check = Callable[[Request], dict[str, Any] | JSONResponse]


def _refused(detail: str, challenge: str) -> JSONResponse:
    return problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge})


def basic_check(username: str, password: str) -> Check:
    expected = f"{username}:{password}".encode()

    def check(request: Request) -> dict[str, Any] | JSONResponse:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            given = b""
        if scheme.lower() != "basic" or not secrets.compare_digest(given, expected):
            return _refused("HTTP Basic credentials required", 'Basic realm="xbezahldienste"')
        return {"sub": username}

    return check


def tls_checked(request: Request) -> dict[str, Any]:
    """The client certificate was verified in the handshake (ssl.CERT_REQUIRED)."""
    return {"sub": "mtls-client"}


class HeaderGate:
    """Refuses requests without `header: value` (compared in constant time)."""

    def __init__(self, app: ASGIApp, *, header: str, value: str) -> None:
        self.app, self.header, self.value = app, header.lower().encode(), value.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == self.header), b"")
        if secrets.compare_digest(given, self.value):
            await self.app(scope, receive, send)
            return
        name = self.header.decode()
        response = _refused(
            f"header {name} with the registered client id required", f'ApiKey header="{name}"'
        )
        await response(scope, receive, send)
