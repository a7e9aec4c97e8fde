"""Bearer authentication as pure ASGI middleware, modelled on Starlette's AuthenticationMiddleware.

It wraps the app and delegates: a request without an `Authorization` header passes
through anonymous (unless the route requires a sign-in), one with a valid bearer token
passes with its viewer in `scope["state"]["viewer"]`, and a bad one is answered 401 in
the GraphQL error shape before any operation starts. WebSocket clients authenticate in
`connection_init` instead (graph/http/view.py), with the same `authenticate`.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.context import VIEWER_KEY, GatewayState
from graph.domain.errors import UnauthenticatedError
from graph.http.errors import public_error_response
from sources.base import ViewerRecord


async def authenticate(gateway: GatewayState, authorization: str) -> ViewerRecord:
    """The viewer of an `Authorization` header; UnauthenticatedError for anything else."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthenticatedError("Send the access token as 'Authorization: Bearer <token>'.")
    if gateway.verifier is None:
        raise UnauthenticatedError("Sign-in is not configured on this gateway.")
    return await gateway.verifier.verify(token.strip())


def viewer_of(connection: HTTPConnection) -> ViewerRecord | None:
    viewer = connection.scope.get("state", {}).get(VIEWER_KEY)
    return viewer if isinstance(viewer, ViewerRecord) else None


class BearerAuth:
    def __init__(self, app: ASGIApp, *, required: bool = False) -> None:
        self.app = app
        self.required = required

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authorization = Headers(scope=scope).get("authorization")
        if authorization is None and not self.required:
            await self.app(scope, receive, send)
            return
        try:
            gateway = GatewayState.of(HTTPConnection(scope))
            viewer = await authenticate(gateway, authorization or "")
        except UnauthenticatedError as exc:
            await public_error_response(401, exc)(scope, receive, send)
            return
        scope.setdefault("state", {})[VIEWER_KEY] = viewer
        await self.app(scope, receive, send)
