"""HTTP request counts and latency, and open WebSockets, as pure ASGI middleware.

It sits outside every other middleware, so refusals made before GraphQL runs (CSRF,
body size, a bad token) are counted too. Paths become route templates: an id in a path
never becomes a label.
"""

from __future__ import annotations

import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.ops.metrics import Metrics

ROUTES = ("/graphql", "/healthz", "/healthz/upstreams", "/readyz", "/metrics", "/status")
PREFIXES = (
    ("/hooks/fitconnect/", "/hooks/fitconnect/{portal}"),
    ("/attachments/", "/attachments/{message_id}/{attachment_id}"),
    ("/graphiql/assets/", "/graphiql/assets"),
)
METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
STREAMS = ("text/event-stream", "multipart/mixed")


def route_of(path: str) -> str:
    if path in ROUTES:
        return path
    for prefix, template in PREFIXES:
        if path.startswith(prefix):
            return template
    return "other"


class HttpMetrics:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            self.metrics.websockets.inc()
            try:
                await self.app(scope, receive, send)
            finally:
                self.metrics.websockets.dec()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answer = {"status": 500, "stream": False}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                answer["stream"] = content_type.startswith(STREAMS)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = route_of(scope["path"])
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.metrics.http_requests.labels(route, method, str(answer["status"])).inc()
            if not answer["stream"]:
                self.metrics.http_seconds.labels(route).observe(time.perf_counter() - started)
