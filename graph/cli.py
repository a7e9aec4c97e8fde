"""`portalgraph` command line: serve, sandbox, dev (both) and check-config."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

import httpx
import uvicorn

from graph.app import create_app
from graph.settings import Settings, SettingsError
from sandbox.runner import IDENTITY, IDP_SECRET, IDP_SECRET_ENV, SandboxNetwork
from sources.network import NetworkConfigError, load_network

BANNER = """
Portalgraph is running.
  GraphiQL:  http://{host}:{port}/graphql
  Network:   {network}

Demo sign-ins: paste one of these into GraphiQL's "Headers" tab, then ask `{{ me {{ givenName accounts {{ portal {{ name }} }} }} }}`.
{tokens}
Press Ctrl-C to stop.
"""
DEMO_LOGINS = ("erika", "max")


async def demo_headers(network: SandboxNetwork) -> str:
    """Ready-to-paste Authorization headers for two demo citizens from the sandbox IdP."""
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        response = await client.get(network.urls[IDENTITY] + "/_sandbox/demo-tokens")
        response.raise_for_status()
    lines = []
    for demo in response.json():
        if demo["login"] in DEMO_LOGINS:
            header = json.dumps({"Authorization": f"Bearer {demo['accessToken']}"})
            lines.append(f"  {demo['name']} ({demo['trustLevel']}):\n  {header}\n")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portalgraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the gateway (settings from PORTALGRAPH_* variables)")
    commands.add_parser("check-config", help="validate settings and the network file")
    for name, text in (
        ("sandbox", "run the simulated upstream network"),
        ("dev", "sandbox + gateway"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--seed", type=int, default=2026)
        command.add_argument("--base-port", type=int, default=None)
        command.add_argument("--network-out", default=None, help="where to write network.toml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO; upstream URLs are operational detail, not news.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        if args.command == "check-config":
            return check_config(settings)
        if args.command == "serve":
            return serve(settings)
        out = Path(args.network_out or settings.network)
        run = dev if args.command == "dev" else sandbox_only
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run(settings, out, args.seed, args.base_port))
        return 0
    except (SettingsError, NetworkConfigError) as exc:
        print(f"portalgraph: {exc}", file=sys.stderr)
        return 2


def check_config(settings: Settings) -> int:
    network = load_network(settings.network)
    print(
        f"settings ok (profile {settings.profile}); {network.source}: {len(network.portals)} portals"
    )
    for portal in network.portals:
        capabilities = ", ".join(c.value for c in portal.capabilities) or "none"
        print(f"  {portal.id:<12} {portal.tier.value:<10} {portal.ars}  {capabilities}")
    return 0


def serve(settings: Settings) -> int:
    load_network(settings.network)  # fail fast with a clear message, before forking workers
    uvicorn.run(
        "graph.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        log_level=settings.log_level,
        timeout_graceful_shutdown=20,
    )
    return 0


async def start_sandbox(out: Path, seed: int, base_port: int | None) -> SandboxNetwork:
    network = SandboxNetwork(seed=seed, base_port=base_port)
    await network.start()
    await asyncio.to_thread(out.write_text, network.network_toml(), encoding="utf-8")
    return network


async def sandbox_only(settings: Settings, out: Path, seed: int, base_port: int | None) -> None:
    network = await start_sandbox(out, seed, base_port)
    print(f"Sandbox running; network file written to {out}")
    try:
        await asyncio.Event().wait()
    finally:
        await network.stop()


async def dev(settings: Settings, out: Path, seed: int, base_port: int | None) -> None:
    os.environ.setdefault(IDP_SECRET_ENV, IDP_SECRET)
    network = await start_sandbox(out, seed, base_port)
    settings = replace(settings, network=str(out))
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="none",
        log_level=settings.log_level,
    )
    server = uvicorn.Server(config)
    try:
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
            await asyncio.sleep(0.05)
        if server.started:
            tokens = await demo_headers(network)
            print(
                BANNER.format(host=settings.host, port=settings.port, network=out, tokens=tokens),
                flush=True,
            )
        await serving
    finally:
        await network.stop()


if __name__ == "__main__":
    raise SystemExit(main())
