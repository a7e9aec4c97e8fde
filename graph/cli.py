"""`portalgraph` command line: serve, sandbox, dev (both), check-config, migrate, journal.

The sandbox is imported only by the commands that run it (`sandbox`, `dev`): the product
does not depend on its simulator.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import shutil
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import uvicorn

from graph import config_check, server
from graph.app import create_app
from graph.domain.ids import from_global_id
from graph.ops import journal_commands
from graph.ops.logging import log_config
from graph.schema import schema
from graph.settings import Settings, SettingsError
from sources.journal import JournalError
from sources.network import NetworkConfigError
from sources.topology import load_topology

if TYPE_CHECKING:
    from sandbox.runner import SandboxNetwork

BANNER = """
Portalgraph is running.
  GraphiQL:  http://{host}:{port}/graphql
  Network:   {network}

Demo sign-ins: paste one of these into GraphiQL's "Headers" tab, then ask `{{ me {{ givenName applications(portal: "bund") {{ totalCount }} accounts {{ portal {{ name }} }} }} }}`
(a fresh gateway learns a citizen's account links when a portal is named: docs/frontend.md "Tokens").
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portalgraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the gateway (settings from PORTALGRAPH_* variables)")
    commands.add_parser("check-config", help="validate settings and the network file")
    commands.add_parser("schema", help="print the schema (SDL) frontends build against")
    commands.add_parser("migrate", help="apply the journal's database migrations")
    journal = commands.add_parser("journal", help="journal maintenance (docs/journal.md)")
    journal.add_argument(
        "action",
        choices=["purge", "rotate-keys"],
        help="purge: delete entries beyond PORTALGRAPH_JOURNAL_RETENTION_DAYS;"
        " rotate-keys: re-encrypt callback secrets with the current journal key",
    )
    for name, text in (
        ("sandbox", "run the simulated upstream network"),
        ("dev", "sandbox + gateway"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--seed", type=int, default=2026)
        command.add_argument("--base-port", type=int, default=None)
        command.add_argument("--network-out", default=None, help="where to write network.toml")
        if name == "dev":
            command.add_argument(
                "--municipalities",
                type=municipality_count,
                default=None,
                metavar="N|all",
                help="NRW municipalities in the topology sandbox (default: all 396)",
            )
        if name == "sandbox":
            command.add_argument(
                "action", nargs="?", choices=["advance"], help="advance: move a demo case on"
            )
            command.add_argument("application", nargs="?", help="application ID (global or raw)")
            command.add_argument(
                "--callbacks", default=None, help="gateway base URL for FIT-Connect callbacks"
            )
            command.add_argument(
                "--municipalities",
                type=municipality_count,
                default=False,
                metavar="N|all",
                help="run the topology sandbox (network file v2) with N of NRW's 396"
                " municipalities; writes the network file and an env file for `serve`",
            )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO; upstream URLs are operational detail, not news.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        commands_of_settings: dict[str, Callable[[Settings], int]] = {
            "check-config": check_config,
            "schema": lambda _settings: print_schema(),
            "serve": serve,
            "migrate": lambda s: asyncio.run(journal_commands.migrate(s)),
            "journal": lambda s: asyncio.run(journal_commands.maintain(s, args.action)),
        }
        if args.command in commands_of_settings:
            return commands_of_settings[args.command](settings)
        if args.command == "sandbox" and args.action == "advance":
            return advance(settings, args.application)
        out = Path(args.network_out or settings.server.network)
        if args.command == "sandbox" and args.municipalities is not False:
            running_topology = topology_only(out, args.seed, args.municipalities, args.callbacks)
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(running_topology)
            return 0
        running = (
            dev(settings, out, args.seed, args.municipalities)
            if args.command == "dev"
            else sandbox_only(settings, out, args.seed, args.base_port, args.callbacks)
        )
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(running)
        return 0
    except (SettingsError, NetworkConfigError, JournalError) as exc:
        print(f"portalgraph: {exc}", file=sys.stderr)
        return 2


def print_schema() -> int:
    """The SDL, for codegen where production has introspection off."""
    print(schema.as_str())
    return 0


def advance(settings: Settings, application: str | None) -> int:
    """Ask the running sandbox to move a demo application to its next status."""
    if not application:
        print("portalgraph: sandbox advance needs an application ID", file=sys.stderr)
        return 2
    fitconnect = load_topology(settings.server.network).fitconnect
    try:
        type_name, parts = from_global_id(application)
        raw_id = parts[1] if type_name == "Application" else ""
    except ValueError:
        raw_id = application
    with httpx.Client(timeout=10, trust_env=False) as client:
        for url in dict.fromkeys(
            [fitconnect.submission_url, *fitconnect.submission_hosts.values()]
        ):
            response = client.post(f"{url.rstrip('/')}/_sandbox/applications/{raw_id}/advance")
            if response.status_code != 404:
                print(json.dumps(response.json(), ensure_ascii=False))
                return 0 if response.is_success else 1
    print(f"portalgraph: no sandbox portal knows application {application}", file=sys.stderr)
    return 1


def check_config(settings: Settings) -> int:
    report = config_check.check(settings)
    print("\n".join(report.lines))
    for warning in report.warnings:
        print(f"portalgraph: warning: {warning}", file=sys.stderr)
    for problem in report.problems:
        print(f"portalgraph: {problem}", file=sys.stderr)
    return 2 if report.problems else 0


def serve(settings: Settings) -> int:
    where = settings.server
    load_topology(where.network)  # fail fast with a clear message, before forking workers
    if not settings.is_production:  # once, not by every worker at the same moment
        asyncio.run(journal_commands.migrate(settings, quiet=True))
    config = uvicorn.Config(
        "graph.app:create_app",
        factory=True,
        host=where.host,
        port=where.port,
        workers=server.worker_count(where.workers),
        loop="uvloop",
        log_level=where.log_level,
        log_config=log_config(where.log_level),  # JSON lines, no tokens or personal data
        timeout_graceful_shutdown=math.ceil(settings.ops.shutdown_grace),
        # permessage-deflate keeps a zlib compressor and decompressor per WebSocket, about
        # 45 KiB of an idle subscription's memory (bench/RESULTS.md); GraphQL frames are small.
        ws_per_message_deflate=False,
        **server.server_options(settings),  # proxies, frame and head limits (issue 18)
    )
    server.run(config)
    return 0


async def start_sandbox(out: Path, seed: int, base_port: int | None) -> SandboxNetwork:
    from sandbox.runner import SandboxNetwork  # noqa: PLC0415 - the sandbox only when asked

    network = SandboxNetwork(seed=seed, base_port=base_port)
    await network.start()
    await asyncio.to_thread(out.write_text, network.network_toml(), encoding="utf-8")
    return network


async def sandbox_only(
    settings: Settings, out: Path, seed: int, base_port: int | None, callbacks: str | None = None
) -> None:
    network = await start_sandbox(out, seed, base_port)
    network.callbacks.url = callbacks  # e.g. one gateway replica in deploy/compose.yaml
    print(f"Sandbox running; network file written to {out}")
    try:
        await asyncio.Event().wait()
    finally:
        await network.stop()


def municipality_count(raw: str) -> int | None:
    """`--municipalities`: a count from 1, or `all` (None: all 396)."""
    if raw == "all":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"a number from 1, or all (got {raw!r})")
    return int(raw)


async def topology_only(out: Path, seed: int, count: int | None, callbacks: str | None) -> None:
    """The topology sandbox until Ctrl-C; prints demo tokens and where the files are."""
    from sandbox.topology_runner import TopologySandbox  # noqa: PLC0415 - only when asked

    env_file = out.with_suffix(".env")
    # The TLS files beside the network file: a gateway in another container reads them.
    # They live as long as the sandbox (its keys are new on each start): removed on stop.
    files = out.parent / "sandbox-files"
    sandbox = TopologySandbox(
        municipalities=count, seed=seed, network_file=out, env_file=env_file, folder=files
    )
    await sandbox.start()
    sandbox.callbacks.url = callbacks
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            response = await client.get(sandbox.url_of("identity") + "/_sandbox/demo-tokens")
            response.raise_for_status()
        print("Topology sandbox running (network file version 2):")
        for name, url in sandbox.urls.items():
            print(f"  {name:<38} {url}")
        print("Demo citizens (Authorization: Bearer <token>):")
        for demo in response.json():
            print(f"  {demo['login']:<8} {demo['trustLevel']:<20} {demo['accessToken']}")
        print(f"Network file: {out}\nEnv file:     {env_file}")
        print(f"Gateway: set -a; . {env_file}; set +a; portalgraph serve", flush=True)
        stopped = asyncio.Event()
        # SIGTERM ends it as cleanly as Ctrl-C (the temporary TLS keys are removed); only
        # the main thread may set signal handlers.
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        await stopped.wait()
    finally:
        await sandbox.stop()
        shutil.rmtree(files / "tls", ignore_errors=True)


async def dev(settings: Settings, out: Path, seed: int, count: int | None) -> None:
    """The topology sandbox (`count` NRW municipalities, None: all 396) and the gateway on
    the version 2 file it writes, with the secrets of the env file it writes beside it."""
    from sandbox.topology_runner import TopologySandbox  # noqa: PLC0415 - only for `dev`

    sandbox = TopologySandbox(
        municipalities=count, seed=seed, network_file=out, env_file=out.with_suffix(".env")
    )
    await sandbox.start()
    settings = replace(
        settings.override(network=str(out)),
        secrets=settings.secrets.with_defaults(sandbox.env()),
    )
    host, port = settings.server.host, settings.server.port
    sandbox.callbacks.url = f"http://{host}:{port}"
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


if __name__ == "__main__":
    raise SystemExit(main())
