"""Dashboard benchmark: the "Mein Konto" query against the topology sandbox (network file v2,
4 municipalities, in this process) with injected latency, the viewer's links learned first.

Usage: .venv/bin/python -m bench.dashboard [--latency-ms 20] [--requests 60] [--login erika]
                                           [--journal sqlite|postgresql|both]
Prints median/p95 latency and the upstream calls one dashboard query makes. The dashboard
reads the journal once (the viewer's own submissions): `--journal` runs it on a temporary
SQLite file, on a PostgreSQL database created for the run (PORTALGRAPH_TEST_POSTGRES_URL
or postgresql://postgres@127.0.0.1:5432/postgres), or both one after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from pathlib import Path

import httpx
import orjson

from bench.journal import DEFAULT_POSTGRES, fresh_postgres
from bench.load import Http1
from bench.sandbox_file import started_sandbox
from bench.sandbox_proc import control_tls
from graph.app import create_app
from graph.settings import Settings
from graph.testing import UvicornServer
from sources.topology import load_topology

DASHBOARD = """
query Dashboard {
  me {
    applications(first: 20) { totalCount edges { node {
      id status statusHistory { time status source detail }
      service { name } payments { status amount { cents currency } redirectUrl } } } }
    inbox(unreadOnly: true) { totalCount edges { node { id subject sender isRead locked } } }
    unreadMessageCount
    outages { portalId capability code }
  }
}
"""


LEARN = "query Learn($p: ID) { me { applications(portal: $p, first: 1) { totalCount } } }"


async def learn_links(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
    """Names every portal once, so the gateway learns the viewer's account links (a
    dashboard asks only linked account areas; the Postfach needs no link)."""
    portals = (await http.post(url, json={"query": "{ portals { id } }"})).json()["data"]
    for portal in portals["portals"]:
        payload = {"query": LEARN, "variables": {"p": portal["id"]}}
        answer = (await http.post(url, json=payload, headers=headers)).json()
        assert "errors" not in answer, answer["errors"]


def learn_query(network: Path) -> bytes:
    """One operation naming a portal of every `[[portals]]` entry with an account area, so
    the gateway asks each area once and learns the viewer's links in one request (the
    municipalities of a platform share its one area: any of them will do)."""
    named = [
        entry.served_id(entry.serves[0]) if entry.serves else entry.id
        for entry in load_topology(network).portals
        if entry.accounts is not None
    ]
    fields = " ".join(
        f"p{i}: applications(portal: {json.dumps(p)}, first: 1) {{ totalCount }}"
        for i, p in enumerate(named)
    )
    return orjson.dumps({"query": f"query Learn {{ me {{ {fields} }} }}"})


async def learn_many(url: str, network: Path, tokens: list[str], concurrency: int = 8) -> None:
    """Each citizen's links learned by the gateway at `url`, `concurrency` at a time."""
    body, todo = learn_query(network), list(tokens)

    async def worker() -> None:
        connection = Http1(url)
        while todo:
            headers = f"Authorization: Bearer {todo.pop()}\r\n"
            status, answer = await connection.post("/graphql", body, headers)
            assert status == 200 and b'"errors"' not in answer, answer[:300]
        await connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def main(
    latency_ms: int, requests: int, login: str, database_url: str | None = None
) -> dict[str, object]:
    sandbox, path = await started_sandbox()
    server = UvicornServer(
        create_app(
            Settings.from_env().override(
                network=str(path),
                log_level="warning",
                database_url=database_url,
                data_dir=str(path.parent),
            )
        )
    )
    await server.start()
    tls = control_tls(sandbox.folder)
    async with httpx.AsyncClient(trust_env=False, timeout=30, verify=tls) as http:
        demo = (await http.get(sandbox.urls["identity"] + "/_sandbox/demo-tokens")).json()
        token = next(d["accessToken"] for d in demo if d["login"] == login)
        headers = {"Authorization": f"Bearer {token}"}
        await learn_links(http, server.url + "/graphql", headers)
        for name, url in sandbox.urls.items():
            if name != "identity":
                await http.put(url + "/_sandbox/faults", json={"latency_ms": latency_ms})
        await http.post(server.url + "/graphql", json={"query": DASHBOARD}, headers=headers)  # warm
        for url in sandbox.urls.values():
            await http.delete(url + "/_sandbox/stats")
        samples = []
        for n in range(requests):
            started = time.perf_counter()
            response = await http.post(
                server.url + "/graphql", json={"query": DASHBOARD}, headers=headers
            )
            samples.append(time.perf_counter() - started)
            assert "errors" not in response.json(), response.text[:300]
            if n == 0:
                calls = {}
                for name, url in sandbox.urls.items():
                    stats = (await http.get(url + "/_sandbox/stats")).json()
                    if stats["total"]:
                        calls[name] = stats["calls"]
    await server.stop()
    await sandbox.stop()
    samples.sort()
    return {
        "journal": "sqlite" if database_url is None else "postgresql",
        "login": login,
        "injected_latency_ms": latency_ms,
        "requests": requests,
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1000, 1),
        "upstream_calls_per_query": calls,
    }


async def compare(args: argparse.Namespace) -> list[dict[str, object]]:
    results = []
    if args.journal in ("sqlite", "both"):
        results.append(await main(args.latency_ms, args.requests, args.login))
    if args.journal in ("postgresql", "both"):
        server = os.environ.get("PORTALGRAPH_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
        async with fresh_postgres(server) as url:
            results.append(await main(args.latency_ms, args.requests, args.login, url))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--login", default="erika")
    parser.add_argument("--journal", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(compare(args)), indent=2))
