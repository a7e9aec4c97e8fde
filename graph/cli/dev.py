"""`portalgraph dev` (what `make run` starts): the topology sandbox and the gateway on the
version 2 network file it writes, with the demo citizens' account links already known.

The sandbox is imported inside the command: the product does not depend on its simulator.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import httpx
import uvicorn

from graph import server
from graph.app import create_app
from graph.ops.journal import open_journal, subject_keys
from graph.settings import Settings

BANNER = """
Portalgraph is running.
  GraphiQL:  http://{host}:{port}/graphql
  Network:   {network}

Demo sign-ins: paste one of these into GraphiQL's "Headers" tab, then ask `{{ me {{ givenName accounts {{ portal {{ name }} }} applications(first: 5) {{ totalCount }} }} }}`
(their account links are in the journal already: docs/sandbox.md "portalgraph dev").
{tokens}
Press Ctrl-C to stop.
"""
DEMO_LOGINS = ("erika", "max")


async def demo_headers(issuer: str) -> str:
    """Ready-to-paste Authorization headers for two demo citizens from the sandbox IdP."""
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        response = await client.get(issuer + "/_sandbox/demo-tokens")
        response.raise_for_status()
    lines = []
    for demo in response.json():
        if demo["login"] in DEMO_LOGINS:
            header = json.dumps({"Authorization": f"Bearer {demo['accessToken']}"})
            lines.append(f"  {demo['name']} ({demo['trustLevel']}):\n  {header}\n")
    return "\n".join(lines)


async def write_links(settings: Settings, links: Iterable[tuple[str, str]]) -> int:
    """Writes (subject, `[[portals]]` entry) account links into the gateway's journal,
    through `accounts.learn` with the configured lifetime: exactly what the gateway
    writes when an account area answers for the viewer. How many were written."""
    pseudonym = subject_keys(settings)
    lifetime = settings.journal.account_link_days * 86_400
    written = 0
    async with open_journal(settings) as journal:
        for subject, entry in links:
            await journal.accounts.learn(pseudonym(subject), entry, lifetime)
            written += 1
    return written


async def dev(settings: Settings, out: Path, seed: int, count: int | None) -> None:
    """The topology sandbox (`count` NRW municipalities, None: all 396) and the gateway on
    the version 2 file it writes, with the secrets of the env file it writes beside it."""
    from sandbox.dev_links import demo_links  # noqa: PLC0415 - only for `dev`
    from sandbox.topology_runner import TopologySandbox  # noqa: PLC0415 - only for `dev`

    sandbox = TopologySandbox(
        municipalities=count, seed=seed, network_file=out, env_file=out.with_suffix(".env")
    )
    await sandbox.start()
    host, port = settings.server.host, settings.server.port
    # Each submission names this gateway in `callback {url, secret}`: the sandbox's
    # FIT-Connect calls back there with that submission's secret, as a real one would.
    settings = replace(
        settings.override(
            network=str(out),
            callback_base_url=settings.journal.callback_base_url or f"http://{host}:{port}",
        ),
        secrets=settings.secrets.with_defaults(sandbox.env()),
    )
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        loop="none",
        log_level=settings.server.log_level,
        **server.server_options(settings),
    )
    gateway = server.GatewayServer(config)
    try:
        # Development only: the seed's demo accounts, so the printed tokens show data at once.
        await write_links(settings, demo_links(sandbox.municipalities))
        serving = asyncio.create_task(gateway.serve())
        while not gateway.started and not serving.done():  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
            await asyncio.sleep(0.05)
        if gateway.started:
            tokens = await demo_headers(sandbox.url_of("identity"))
            where = f"{out} (version 2, {len(sandbox.municipalities)} municipalities)"
            print(BANNER.format(host=host, port=port, network=where, tokens=tokens), flush=True)
        await serving
    finally:
        await sandbox.stop()
