"""Portalgraph against Hive Gateway + GraphQL Mesh: same sandbox, same load, same data.

Workloads (issue 21), each at concurrency 1 and 16, both gateways on the gateway's core
and Portalgraph's caches off:
- pass: one search at the PVOG (the federal descriptions, every one: one call);
- join: the same plus each item's responsible authority (one batched call on both);
- multi: the federal, the NRW and the Köln search in one operation (three calls).
- page5: the federal search asking for 5 items (Portalgraph still downloads up to 500;
  Hive asks the directory for 5): the cost of not passing the page size upstream.

Before measuring, each workload runs once on each side: the answers must name the same
descriptions (and authorities), and the sandbox must count the same upstream calls.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from bench.floor_topology import sandbox_env
from bench.load import Http1, closed_loop, summary
from bench.peer_proc import PEER_DIR, compose, hive_gateway, missing
from bench.procs import Gateway, Sandbox
from bench.scenarios import SEARCH_ARS
from sandbox.topology_document import PVOG_CLIENT_ENV

FEDERAL, NRW = "000000000000", "050000000000"
WORKLOADS = ("pass", "join", "multi", "page5")
# multi: the federal, the NRW and the Köln search in one operation (three PVOG calls).
REGIONS = {"bund": FEDERAL, "nrw": NRW, "koeln": SEARCH_ARS}
_NODE = "pvogId name"
_JOINED = "pvogId name responsibleAuthority { name }"


def _ours(alias: str, ars: str, first: int, node: str) -> str:
    return f'{alias}: services(ars: "{ars}", first: {first}) {{ edges {{ node {{ {node} }} }} }}'


PORTALGRAPH = {
    "pass": f"{{ {_ours('bund', FEDERAL, 100, _NODE)} }}",
    "join": f"{{ {_ours('bund', FEDERAL, 100, _JOINED)} }}",
    "multi": "{ " + " ".join(_ours(a, ars, 100, _NODE) for a, ars in REGIONS.items()) + " }",
    "page5": f"{{ {_ours('bund', FEDERAL, 5, _NODE)} }}",
}


def _hive_search(alias: str, ars: str, size: int, joined: bool) -> str:
    authority = " responsibleAuthority { title }" if joined else ""
    return (
        f'{alias}: pvog_searchServiceDescriptions(ars: "{ars}", size: {size}, '
        "useArsHierarchy: true) "
        "{ ... on pvog_searchServiceDescriptions_200_response { serviceDescriptions "
        f"{{ content {{ id name{authority} }} }} }} }}"
    )


HIVE = {
    "pass": f"{{ {_hive_search('bund', FEDERAL, 500, False)} }}",
    "join": f"{{ {_hive_search('bund', FEDERAL, 500, True)} }}",
    "multi": "{ " + " ".join(_hive_search(a, ars, 500, False) for a, ars in REGIONS.items()) + " }",
    "page5": f"{{ {_hive_search('bund', FEDERAL, 5, False)} }}",
}


def body(side: str, workload: str) -> bytes:
    return orjson.dumps({"query": (HIVE if side == "hive" else PORTALGRAPH)[workload]})


def items(side: str, answer: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(PVOG id, name, authority name) per item of either gateway's answer."""
    data = answer["data"]
    if side == "portalgraph":
        return [
            (n["pvogId"], n["name"], (n.get("responsibleAuthority") or {}).get("name"))
            for search in data.values()
            for n in (e["node"] for e in search["edges"])
        ]
    return [
        (n["id"], n["name"], (n.get("responsibleAuthority") or {}).get("title"))
        for search in data.values()
        for n in search["serviceDescriptions"]["content"]
    ]


async def answer_of(gateway: Gateway, payload: bytes) -> tuple[dict[str, Any], int]:
    connection = Http1(gateway.url)
    status, raw = await connection.post("/graphql", payload)
    await connection.close()
    assert status == 200, raw[:300]
    parsed: dict[str, Any] = orjson.loads(raw)
    assert not parsed.get("errors"), parsed["errors"]
    return parsed, len(raw)


async def verify(sandbox: Sandbox, portalgraph: Gateway, hive: Gateway) -> dict[str, Any]:
    """Same descriptions and upstream calls on both sides, per workload, once warm:
    Portalgraph looks up a keyless hit's LeiKa keys (a detail call) once per process, on
    the first request (`first_calls`); every later request makes the steady calls."""
    checks: dict[str, Any] = {}
    for workload in WORKLOADS:
        seen: dict[str, Any] = {}
        for side, gateway in (("portalgraph", portalgraph), ("hive", hive)):
            sandbox.reset_stats()
            await answer_of(gateway, body(side, workload))
            first = sandbox.stats()
            sandbox.reset_stats()
            answer, size = await answer_of(gateway, body(side, workload))
            calls = sandbox.stats()
            seen[side] = {"items": items(side, answer), "bytes": size, "calls": calls}
            seen[side]["first_calls"] = sum(first.values())
        ours, peer = seen["portalgraph"]["items"], seen["hive"]["items"]
        if workload == "multi":
            # Portalgraph merges the tiers (most local description per LeiKa key wins);
            # Hive returns each directory's list: ours must be a subset of theirs.
            assert set(ours) <= set(peer), set(ours) - set(peer)
        else:
            assert Counter(ours) == Counter(peer), (workload, ours[:3], peer[:3])
        assert all(a for _, _, a in ours) or workload != "join", "authority missing"
        ours_calls, peer_calls = seen["portalgraph"]["calls"], seen["hive"]["calls"]
        if workload in ("pass", "multi"):
            assert ours_calls == peer_calls, (workload, seen)
        # Otherwise the calls differ by design, both recorded: in join the PVOG's
        # organisation detail takes one `q`, so Hive asks once per item and Portalgraph
        # once per distinct authority; in page5 Portalgraph pages on the PVOG and reads
        # one text more than shown (it proves hasNextPage), then looks up the LeiKa keys.
        checks[workload] = {
            "portalgraph_items": len(ours),
            "hive_items": len(peer),
            "portalgraph_bytes": seen["portalgraph"]["bytes"],
            "hive_bytes": seen["hive"]["bytes"],
            "upstream_calls": sum(peer_calls.values()),  # Hive's
            "portalgraph_upstream_calls": sum(ours_calls.values()),
            "portalgraph_first_calls": seen["portalgraph"]["first_calls"],
            "hive_first_calls": seen["hive"]["first_calls"],
        }
    return checks


async def load_run(
    gateway: Gateway, payload: bytes, *, concurrency: int, seconds: float
) -> dict[str, float]:
    """Closed-loop load on one gateway; its CPU (from /proc) per answered request."""
    connections = [Http1(gateway.url) for _ in range(concurrency)]

    async def work(worker: int, _n: int) -> bool:
        status, answer = await connections[worker].post("/graphql", payload)
        return status == 200 and b'"errors"' not in answer

    cpu = gateway.cpu_s()
    run = await closed_loop(work, concurrency, seconds, 1_000_000)
    used = gateway.cpu_s() - cpu
    for connection in connections:
        await connection.close()
    return {**summary(run), "cpu_ms_per_req": used / max(len(run.latencies), 1) * 1000}


async def peer_rows(
    portalgraph: Gateway, hive: Gateway, *, seconds: float, reps: int
) -> list[dict[str, Any]]:
    """Alternating sides per repetition, so drifting machine load hits both alike."""
    rows: list[dict[str, Any]] = []
    for workload in WORKLOADS:
        for c in (1, 16):
            for side, gateway in (("portalgraph", portalgraph), ("hive", hive)):
                await load_run(gateway, body(side, workload), concurrency=c, seconds=0.3)  # warm
            for _ in range(reps):
                for side, gateway in (("portalgraph", portalgraph), ("hive", hive)):
                    figures = await load_run(
                        gateway, body(side, workload), concurrency=c, seconds=seconds
                    )
                    rows.append({"workload": workload, "c": c, "side": side, **figures})
    return rows


async def peer_figures(
    sandbox: Sandbox, work: Path, *, seconds: float, reps: int
) -> dict[str, Any]:
    """The whole peer comparison, or why it was skipped."""
    why = missing()
    if why is not None:
        return {"skipped": why}
    sandbox.latency(0)
    supergraph = compose(sandbox.urls, sandbox_env(sandbox.network.parent)[PVOG_CLIENT_ENV], work)
    portalgraph = Gateway(
        sandbox.network, None, PORTALGRAPH_CACHE="off", PORTALGRAPH_RESPONSE_CACHE="off"
    )
    hive = hive_gateway(sandbox.network, supergraph)
    load_before = os.getloadavg()
    try:
        checks = await verify(sandbox, portalgraph, hive)
        rows = await peer_rows(portalgraph, hive, seconds=seconds, reps=reps)
        rss = {"portalgraph": portalgraph.mem_kib(), "hive": hive.mem_kib()}
    finally:
        portalgraph.stop()
        hive.stop()
    return {
        "checks": checks,
        "rows": rows,
        "rss_kib": rss,
        "cold_start_s": {"portalgraph": portalgraph.cold_start_s, "hive": hive.cold_start_s},
        "loadavg": [load_before, os.getloadavg()],
        "versions": versions(),
    }


def versions() -> dict[str, str]:
    lock = json.loads((PEER_DIR / "package-lock.json").read_text())
    node = subprocess.run(
        ["node", "--version"],  # noqa: S607 - node from PATH, as `make bench` uses it
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    names = ("@graphql-hive/gateway", "@graphql-mesh/compose-cli", "@omnigraph/openapi")
    return {n: lock["packages"][f"node_modules/{n}"]["version"] for n in names} | {"node": node}
