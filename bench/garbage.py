"""Per-request garbage: what only the cyclic collector frees, and which cycles hold it.

`python -m bench.garbage [--requests N] [--workloads pass,join,multi,dashboard]` starts the
sandbox (its own process), builds the gateway app in this process (caches off, as the
peer comparison) and calls it as ASGI directly, so only the gateway's own objects count
(uvicorn's per-connection objects are left out). Per workload: warm up, then with the
collector disabled and DEBUG_SAVEALL set, N requests; `gc.collect()` then finds every
object that reference counting could not free. The report gives objects per request,
the most common types, and for a few of them one reference cycle each (shortest path
back to itself through the garbage, with the attribute or key that links each step).
Last, the CPU of N requests with the collector on (default thresholds) against off.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from bench.dashboard import DASHBOARD
from bench.garbage_cycles import explain, type_name
from bench.peer_suite import PORTALGRAPH
from bench.procs import Sandbox, end_all, gateway_env
from graph.app import create_app
from graph.settings import Settings

BUILTIN = ("tuple", "list", "dict", "cell", "function", "method", "set", "frozenset")
EXPLAINED = 12  # most common non-builtin types whose cycle is shown
CYCLE_RUN = 3  # requests in the (slower) cycle analysis run


class AsgiCaller:
    """POST /graphql straight into the ASGI app: no sockets, no HTTP client objects."""

    def __init__(self, app: Any, state: Mapping[str, Any] | None = None) -> None:
        self.app = app
        self.state = state or {}  # what the lifespan yielded, as uvicorn hands it on

    async def post(self, body: bytes, token: str | None) -> bytes:
        headers = [(b"content-type", b"application/json"), (b"host", b"127.0.0.1")]
        if token:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": dict(self.state),
        }
        sent = False
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return b"".join(chunks)


async def collected(caller: AsgiCaller, body: bytes, token: str | None, n: int) -> list[Any]:
    """What the collector finds after n requests made with it off (DEBUG_SAVEALL keeps it)."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(n):
            await caller.post(body, token)
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


async def measure(caller: AsgiCaller, body: bytes, token: str | None, n: int) -> dict[str, Any]:
    for _ in range(20):  # warm: parser/validation caches, pools, lazy imports
        answer = await caller.post(body, token)
        assert b'"errors"' not in answer, answer[:300]
    garbage = await collected(caller, body, token, n)
    found = len(garbage)
    types = Counter(type_name(o) for o in garbage)
    del garbage
    # Cycles on a short run: one request's garbage is small enough to walk.
    few = await collected(caller, body, token, CYCLE_RUN)
    ids = {id(o) for o in few}
    cycles: dict[str, list[str]] = {}
    sample = None
    for name, _count in types.most_common():
        if len(cycles) >= EXPLAINED:
            break
        sample = next((o for o in few if type_name(o) == name), None)
        if name not in BUILTIN and sample is not None:
            cycles[name] = explain(sample, ids)
    del few, sample
    timing = {}
    for label, enabled in (("gc_on", True), ("gc_off", False)):
        gc.collect()
        if not enabled:
            gc.disable()
        started = time.process_time()
        for _ in range(n):
            await caller.post(body, token)
        timing[label] = (time.process_time() - started) / n * 1000
        gc.enable()
    return {
        "objects_per_request": found / n,
        "top_types": [(t, c / n) for t, c in types.most_common(25)],
        "cycles": cycles,
        "cpu_ms_per_request": timing,
    }


async def run(sandbox: Sandbox, workloads: list[str], n: int) -> dict[str, Any]:
    env = gateway_env(
        sandbox.network, 8000, PORTALGRAPH_CACHE="off", PORTALGRAPH_RESPONSE_CACHE="off"
    )
    os.environ.update(env)  # the network file names its secrets by environment variable
    app = create_app(Settings.from_env(env))
    token = sandbox.token("erika")
    out: dict[str, Any] = {}
    async with app.router.lifespan_context(app) as state:
        caller = AsgiCaller(app, state)
        for workload in workloads:
            if workload == "dashboard":
                out[workload] = await measure(caller, orjson.dumps({"query": DASHBOARD}), token, n)
            else:
                query = {"query": PORTALGRAPH[workload]}
                out[workload] = await measure(caller, orjson.dumps(query), None, n)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.garbage")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workloads", default="pass,join,multi,dashboard")
    parser.add_argument("--json", type=Path, default=None)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portalgraph-garbage-") as tmp:
        sandbox = Sandbox(Path(tmp), 40, topology=4)
        try:
            import uvloop  # noqa: PLC0415 - the gateway's loop, as in `portalgraph serve`

            figures = uvloop.run(run(sandbox, opts.workloads.split(","), opts.requests))
        finally:
            sandbox.stop()
            end_all()
    if opts.json is not None:
        opts.json.write_text(json.dumps(figures, indent=1))
    for workload, found in figures.items():
        cpu = found["cpu_ms_per_request"]
        print(
            f"\n{workload}: {found['objects_per_request']:.0f} objects per request left to the "
            f"cyclic collector; CPU ms/request gc on {cpu['gc_on']:.2f}, off {cpu['gc_off']:.2f}"
        )
        print("  " + ", ".join(f"{t} {c:.0f}" for t, c in found["top_types"][:15]))
        for name, lines in found["cycles"].items():
            print(f"  - {name}:")
            for line in lines:
                print(f"      {line}")


if __name__ == "__main__":
    main()
