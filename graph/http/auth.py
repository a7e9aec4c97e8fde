"""Bearer authentication as pure ASGI middleware, modelled on Starlette's AuthenticationMiddleware.

It wraps the app and delegates: a request without an `Authorization` header passes
through anonymous (unless the route requires a sign-in), one with a valid bearer token
passes with its viewer in `scope["state"]["viewer"]`, and a bad one is answered 401 in
the GraphQL error shape (in the client's language) before any operation starts.
WebSocket clients authenticate in `connection_init` instead (graph/http/view.py), with
the same `authenticate`; attachment links authenticate by their signature
(graph/http/downloads.py).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.context import VIEWER_KEY, GatewayState
from graph.domain.errors import UnauthenticatedError
from graph.domain.messages import HEADER as LANGUAGE_HEADER, language
from graph.http.errors import public_error_response
from graph.http.introspection import is_introspection_request
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


def refuse(exc: UnauthenticatedError, scope: Scope) -> ASGIApp:
    """The 401 for `exc`, worded in the language the request asks for."""
    return public_error_response(401, exc, language(Headers(scope=scope).get(LANGUAGE_HEADER)))


class BearerAuth:
    """`docs`: with GraphiQL on (development), a bad token still lets introspection run."""

    def __init__(self, app: ASGIApp, *, required: bool = False, docs: bool = False) -> None:
        self.app = app
        self.required = required
        self.docs = docs

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
            if self.docs and not self.required:
                request = Request(scope, receive)
                if await is_introspection_request(request):
                    # The schema is public in development: the docs pane loads anonymously.
                    await self.app(scope, _replay(await request.body(), receive), send)
                    return
            await refuse(exc, scope)(scope, receive, send)
            return
        scope.setdefault("state", {})[VIEWER_KEY] = viewer
        await self.app(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, once; then whatever the client sends next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
