"""`portalgraph sandbox`: the topology sandbox (network file v2) until Ctrl-C, and
`portalgraph sandbox advance`: move a demo application on.

The sandbox is imported inside the command that runs it: the product does not depend on
its simulator.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import sys
from pathlib import Path

import httpx

from graph.domain.ids import from_global_id
from graph.settings import Settings
from sources.topology import load_topology


def municipality_count(raw: str) -> int | None:
    """`--municipalities`: a count from 1, or `all` (None: all 396)."""
    if raw == "all":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"a number from 1, or all (got {raw!r})")
    return int(raw)


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


async def topology_only(out: Path, seed: int, count: int | None) -> None:
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
