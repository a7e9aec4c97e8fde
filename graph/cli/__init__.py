"""`portalgraph` command line: serve, sandbox, dev (both), check-config, migrate, journal.

One module per concern: `serve` (serve, check-config, schema), `sandbox` (the simulated
upstreams and `sandbox advance`), `dev` (sandbox + gateway, `make run`). The sandbox is
imported only by the commands that run it (`sandbox`, `dev`): the product does not
depend on its simulator.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from graph.cli.dev import dev
from graph.cli.sandbox import advance, municipality_count, topology_only
from graph.cli.serve import check_config, print_schema, serve
from graph.ops import journal_commands
from graph.settings import Settings, SettingsError
from sources.journal import JournalError
from sources.network import NetworkConfigError


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(prog="portalgraph", description=__doc__)
    commands = found.add_subparsers(dest="command", required=True)
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
        command.add_argument("--network-out", default=None, help="where to write network.toml")
        command.add_argument(
            "--municipalities",
            type=municipality_count,
            default=None,
            metavar="N|all",
            help="N of NRW's 396 municipalities in the topology sandbox (default: all);"
            " it writes the network file (version 2) and an env file for `serve` beside it",
        )
        if name == "sandbox":
            command.add_argument(
                "action", nargs="?", choices=["advance"], help="advance: move a demo case on"
            )
            command.add_argument("application", nargs="?", help="application ID (global or raw)")
    return found


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
        running = (
            dev(settings, out, args.seed, args.municipalities)
            if args.command == "dev"
            else topology_only(out, args.seed, args.municipalities)
        )
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(running)
        return 0
    except (SettingsError, NetworkConfigError, JournalError) as exc:
        print(f"portalgraph: {exc}", file=sys.stderr)
        return 2


__all__ = ["main", "municipality_count", "topology_only"]
