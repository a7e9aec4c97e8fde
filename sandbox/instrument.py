"""Call statistics and fault injection for every sandbox upstream, as a pure ASGI wrapper.

Control API (never counted, never faulted): GET/DELETE /_sandbox/stats,
GET/PUT/DELETE /_sandbox/faults (a `FaultConfig`, sandbox/fault_config.py). See docs/sandbox.md.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.fault_config import FaultConfig

CONTROL_PREFIX = "/_sandbox/"
DEFAULT_MALFORMED = b'[{"id": "truncated'


def problem(status: int, detail: str, *, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An RFC 7807 problem response, the error shape PVOG and FIT-Connect use."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


def release(app: ASGIApp) -> None:
    """End the stalled (timeout-fault) requests of every Instrumented inside `app`.

    Servers call this before shutting down, so a 60-second stall does not hold them up.
    """
    if isinstance(app, Instrumented):
        app.released.set()
    for route in getattr(app, "routes", ()):
        inner = getattr(route, "app", None)
        if inner is not None:
            release(inner)


class Instrumented:
    """Wraps an upstream ASGI app: counts calls per route template and injects faults.

    `routes` name the templates for the stats keys ("GET /v6/servicedescriptions/{id}/detail");
    `malformed` maps path prefixes to the truncated body served for them under a malformed fault.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute] = (),
        seed: int = 2026,
        malformed: Mapping[str, bytes] | None = None,
        timeout_seconds: float = 60.0,
        query_keys: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.routes = tuple(routes)
        self.seed = seed
        self.malformed = dict(malformed or {})
        self.timeout_seconds = timeout_seconds
        self.calls: dict[str, int] = {}
        # Calls also counted with these query parameters (e.g. the PVOG's page and size).
        self.query_keys = tuple(query_keys)
        self.queries: dict[str, int] = {}
        self.faults = FaultConfig()
        self.rng = random.Random(seed)
        self.released = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            response = await self._control(Request(scope, receive))
            await response(scope, receive, send)
            return
        key = f"{scope['method']} {self._template(scope)}"
        self.calls[key] = self.calls.get(key, 0) + 1
        if self.query_keys:
            self._count_query(key, scope)
        faults = self.faults
        hit = (
            faults.active
            and path.startswith(faults.path_prefix or "/")
            and self.rng.random() < faults.share
        )
        if not hit:
            await self.app(scope, receive, send)
            return
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.timeout:
            outcome, receive = await self._stall(receive)
            if outcome == "disconnected":
                return
            if outcome == "released":
                response = problem(503, "the sandbox is shutting down")
                await response(scope, receive, send)
                return
        if faults.status is not None:
            headers = (
                {"Retry-After": str(faults.retry_after)} if faults.retry_after is not None else None
            )
            response = problem(faults.status, "fault injected by the sandbox", headers=headers)
        elif faults.malformed:
            response = Response(self._malformed_body(path), media_type="application/json")
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    def _count_query(self, key: str, scope: Scope) -> None:
        params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        asked = "&".join(f"{k}={params[k][0]}" for k in self.query_keys if k in params)
        if asked:
            self.queries[f"{key}?{asked}"] = self.queries.get(f"{key}?{asked}", 0) + 1

    def _template(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match != Match.NONE:
                return str(getattr(route, "path", scope["path"]))
        return str(scope["path"])

    def _malformed_body(self, path: str) -> bytes:
        prefixes = sorted((p for p in self.malformed if path.startswith(p)), key=len, reverse=True)
        return self.malformed[prefixes[0]] if prefixes else DEFAULT_MALFORMED

    async def _stall(self, receive: Receive) -> tuple[str, Receive]:
        """Hold the request for timeout_seconds; end early on disconnect or release()."""
        buffered: list[Message] = []
        while True:  # drain the body so that the next receive() reports a disconnect
            message = await receive()
            if message["type"] == "http.disconnect":
                return "disconnected", receive
            buffered.append(message)
            if not message.get("more_body"):
                break
        waiter = asyncio.ensure_future(receive())
        released = asyncio.ensure_future(self.released.wait())
        done, _ = await asyncio.wait(
            {waiter, released}, timeout=self.timeout_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        for task in (waiter, released):
            if task not in done:
                task.cancel()
        if waiter in done:
            message = waiter.result()
            if message["type"] == "http.disconnect":
                return "disconnected", receive
            buffered.append(message)
        if released in done:
            return "released", receive

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        return "elapsed", replay

    async def _control(self, request: Request) -> Response:
        name = request.url.path.removeprefix(CONTROL_PREFIX).rstrip("/")
        handlers = {
            ("stats", "GET"): self._get_stats,
            ("stats", "DELETE"): self._reset_stats,
            ("faults", "GET"): self._get_faults,
            ("faults", "PUT"): self._put_faults,
            ("faults", "DELETE"): self._clear_faults,
        }
        handler = handlers.get((name, request.method))
        if handler is not None:
            return await handler(request)
        if name in ("stats", "faults"):
            return problem(405, f"{request.method} is not supported on {request.url.path}")
        return problem(404, f"no sandbox control endpoint {request.url.path}")

    async def _get_stats(self, request: Request) -> Response:
        stats: dict[str, Any] = {
            "total": sum(self.calls.values()),
            "calls": dict(sorted(self.calls.items())),
        }
        if self.query_keys:
            stats["queries"] = dict(sorted(self.queries.items()))
        return JSONResponse(stats)

    async def _reset_stats(self, request: Request) -> Response:
        self.calls.clear()
        self.queries.clear()
        return await self._get_stats(request)

    async def _get_faults(self, request: Request) -> Response:
        return JSONResponse(asdict(self.faults))

    async def _put_faults(self, request: Request) -> Response:
        try:
            config = FaultConfig.parse(await request.json())
        except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
            return problem(400, str(exc))
        return self._set_faults(config)

    async def _clear_faults(self, request: Request) -> Response:
        return self._set_faults(FaultConfig())

    def _set_faults(self, config: FaultConfig) -> Response:
        self.faults = config
        # A fresh generator per configuration makes `share` reproducible run to run.
        self.rng = random.Random(self.seed)
        return JSONResponse(asdict(config))
