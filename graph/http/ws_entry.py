"""The WebSocket entry: a socket goes past the HTTP middleware, straight to what it needs.

Starlette runs every connection through its whole middleware stack, and for a WebSocket
each layer's suspended coroutine frame (and its closures) stays alive as long as the
socket: ~10 KiB of every idle subscription (docs/benchmarks.md, issue 21), though no
layer but two acted on a socket. CSRF refusal and security headers, CORS, the body idle
timeout and Starlette's error middleware pass a socket through; the request deadline is
only cleared for it. `Gateway` dispatches by scope type at the outermost layer, and
`SocketEntry` does, in one frame, what every socket went through before:
- the open-sockets gauge (graph/ops/http_metrics.py keeps counting HTTP);
- the request id on its log lines (graph/ops/logging.py);
- no request deadline, whatever context the connection's task was copied from
  (graph/http/deadline.py, python/cpython#140947);
- the GraphQL path alone (any other closes, as Starlette's router closed it);
- at most PORTALGRAPH_WS_MAX_PER_CLIENT sockets per client address (ws_limits.py).
The origin check and authentication on `connection_init` are the view's
(graph/http/view.py), as before.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Gauge
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.http.fresh_context import FreshContext
from graph.http.ws_limits import ClientSockets
from graph.ops.logging import request_id, request_id_of
from sources.transport import no_deadline

TOO_MANY_SOCKETS = {"type": "websocket.close", "code": 1008, "reason": "Too many sockets"}
NOT_FOUND = {"type": "websocket.close", "code": 1000, "reason": ""}  # Starlette's answer


class Gateway(Starlette):
    """Starlette for HTTP and lifespan; a WebSocket goes to `sockets` instead. Both, and
    the lifespan, run inside `FreshContext`: a socket upgraded on a keep-alive connection
    must not inherit what an earlier request there left behind either."""

    def __init__(self, *, sockets: ASGIApp, **starlette: Any) -> None:
        super().__init__(**starlette)
        self.sockets = sockets
        self.fresh = FreshContext(self._dispatch)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.fresh(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope["app"] = self
            await self.sockets(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class SocketEntry:
    """Pure ASGI for WebSocket scopes: the checks above, then the GraphQL view."""

    __slots__ = ("clients", "gauge", "path", "view")

    def __init__(self, view: ASGIApp, *, path: str, per_client: int, gauge: Gauge) -> None:
        self.view = view
        self.path = path
        self.clients = ClientSockets(per_client)
        self.gauge = gauge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.gauge.inc()
        try:
            if route_path(scope) != self.path:
                await send(NOT_FOUND)
                return
            client = (scope.get("client") or ("unknown", 0))[0]
            if not self.clients.admit(client):
                await send(TOO_MANY_SOCKETS)
                return
            # This task's own context: set for the socket's life, nothing to reset.
            request_id.set(request_id_of(scope))
            no_deadline()
            try:
                await self.view(scope, receive, send)
            finally:
                self.clients.release(client)
        finally:
            self.gauge.dec()


def route_path(scope: Scope) -> str:
    """The path below the app's mount point (`root_path`), as Starlette's router sees it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("/", ""):
        return path[len(root) :]
    return path
