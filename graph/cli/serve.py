"""`portalgraph serve`, `check-config` and `schema`: the product's own commands."""

from __future__ import annotations

import asyncio
import math
import sys

import uvicorn

from graph import config_check, server
from graph.ops import journal_commands
from graph.ops.logging import log_config
from graph.schema import schema
from graph.settings import Settings
from sources.topology import load_topology


def print_schema() -> int:
    """The SDL, for codegen where production has introspection off."""
    print(schema.as_str())
    return 0


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
