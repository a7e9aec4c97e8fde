"""CORS for browser frontends on other origins (a dev server, the portal's web app).

The allowed request headers are the ones client libraries and tracing add on their own:
a preflight that refuses one of them fails every request of that app, with nothing but a
console message to go on.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket

from graph.domain.messages import HEADER as LANGUAGE_HEADER, language, localise
from graph.http.errors import error_response
from sources.base import ErrorCode

ORIGINS_SETTING = "PORTALGRAPH_CORS_ORIGINS"
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "Accept-Language",
    "X-Request-ID",
    # Apollo Client's `clientAwareness` (name and version of the app).
    "apollographql-client-name",
    "apollographql-client-version",
    # W3C Trace Context and Baggage (OpenTelemetry's fetch instrumentation), Sentry.
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
)
EXPOSED_HEADERS = ("X-Request-ID", "Retry-After", "WWW-Authenticate", "Portalgraph-Schema-Version")


ORIGIN_REFUSED = f"Disallowed CORS origin — add the origin to {ORIGINS_SETTING}"
DENIAL_EXTENSION = "websocket.http.response"  # ASGI: an HTTP answer instead of the upgrade


def refusal_message(failures: str) -> str:
    """What a refused cross-origin request is told: what failed, and the setting for origins."""
    message = f"Disallowed CORS {failures}"
    if "origin" in failures:
        message += f" — add the origin to {ORIGINS_SETTING}"
    return message


def origin_refusal(headers: Headers) -> JSONResponse:
    """The typed refusal of an origin not in PORTALGRAPH_CORS_ORIGINS, in the client's language."""
    message = localise(refusal_message("origin"), language(headers.get(LANGUAGE_HEADER)))
    return error_response(403, message, ErrorCode.CORS_REFUSED, headers={"Vary": "Origin"})


async def refuse_websocket_origin(websocket: WebSocket) -> None:
    """Refuse a WebSocket handshake from a foreign origin with a 403 and a JSON error body.

    Uses the ASGI WebSocket Denial Response extension (uvicorn offers it with both of its
    WebSocket implementations); a server without it answers the close with a bare 403.
    """
    if DENIAL_EXTENSION in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(origin_refusal(websocket.headers))
    else:
        await websocket.close(code=1008, reason=ORIGIN_REFUSED)


class GatewayCORS(CORSMiddleware):
    """Starlette's CORS, with a refused preflight that says which setting admits it."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        failures = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        message = localise(
            refusal_message(failures), language(request_headers.get(LANGUAGE_HEADER))
        )
        return error_response(400, message, ErrorCode.CORS_REFUSED, headers={"Vary": "Origin"})


def cors_middleware(origins: Sequence[str], extra_headers: Sequence[str] = ()) -> Middleware:
    return Middleware(
        GatewayCORS,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=[*ALLOWED_HEADERS, *extra_headers],
        expose_headers=list(EXPOSED_HEADERS),
        max_age=600,
    )
