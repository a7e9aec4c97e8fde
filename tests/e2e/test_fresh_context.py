"""No context variable of graph/ or sources/ outlives its request on a keep-alive connection.

A probe app sets every module-level `ContextVar` of graph/ and sources/ to a marker while it
reads a body over uvicorn's 64 KiB flow-control mark (python/cpython#140947 copies the
request's context into the connection's reader then), resets them, and a second request on
the same connection reports which ones it still sees. Real uvicorn, real sockets.
"""

from __future__ import annotations

import ast
import contextvars
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.app import create_app
from graph.http.fresh_context import FreshContext
from graph.http.ws_entry import Gateway
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer

ROOT = Path(__file__).resolve().parents[2]
MARK = object()


def declared_context_vars() -> dict[str, contextvars.ContextVar[Any]]:
    """Every module-level `NAME = ContextVar(...)` (annotated or not) under graph/ and sources/."""
    found: dict[str, contextvars.ContextVar[Any]] = {}
    for package in ("graph", "sources"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for node in tree.body:
                target, value = _assignment(node)
                if target is None or not _calls_context_var(value):
                    continue
                module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                found[f"{module}.{target}"] = getattr(importlib.import_module(module), target)
    return found


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    return None, None


def _calls_context_var(value: ast.expr | None) -> bool:
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "ContextVar"


VARS = declared_context_vars()


async def probe(scope: Scope, receive: Receive, send: Send) -> None:
    """Names the vars still marked; a POST marks every var while it reads and answers."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    marked = [name for name, var in VARS.items() if var.get(None) is MARK]
    # Set around the whole answer, as middleware does: uvicorn resumes reading once more
    # when the response completes, and the context of that last resume is the one kept.
    tokens = [(var, var.set(MARK)) for var in VARS.values()] if scope["method"] == "POST" else []
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": json.dumps(marked).encode()})
    for var, token in reversed(tokens):
        var.reset(token)


def marked_after_a_big_body(app: ASGIApp, loop_thread: LoopThread) -> list[str]:
    server = UvicornServer(app)
    loop_thread.call(server.start())
    try:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        with httpx.Client(base_url=server.url, limits=limits, trust_env=False) as http:
            assert http.post("/", content=b"x" * 200_000).json() == []
            marked: list[str] = http.get("/").json()
            return marked
    finally:
        loop_thread.call(server.stop())


@pytest.fixture(scope="module")
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


def test_every_declared_context_var_is_probed() -> None:
    sources = sum(
        path.read_text().count("ContextVar(")
        for package in ("graph", "sources")
        for path in (ROOT / package).rglob("*.py")
    )
    assert len(VARS) == sources, sorted(VARS)
    assert all(isinstance(var, contextvars.ContextVar) for var in VARS.values())


def test_the_probe_sees_the_leak_without_the_layer(loop_thread: LoopThread) -> None:
    marked = marked_after_a_big_body(probe, loop_thread)
    if not marked:
        pytest.skip("this Python's asyncio no longer leaks (python/cpython#140947 fixed)")
    assert sorted(marked) == sorted(VARS)


def test_no_context_var_survives_its_request(loop_thread: LoopThread) -> None:
    assert marked_after_a_big_body(FreshContext(probe), loop_thread) == []


def test_the_gateway_runs_fresh_context_outermost() -> None:
    """HTTP, WebSockets and the lifespan all pass through the one FreshContext first."""
    app = create_app(Settings.from_env({}))
    assert isinstance(app, Gateway)
    assert isinstance(app.fresh, FreshContext)
    assert app.fresh.app == app._dispatch
    layers: list[object] = [entry.cls for entry in app.user_middleware]
    assert FreshContext not in layers
