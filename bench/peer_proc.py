"""The peer gateway: Hive Gateway serving a GraphQL Mesh supergraph, as its own process.

bench/peer/ pins @graphql-hive/gateway, @graphql-mesh/compose-cli and @omnigraph/openapi
in package-lock.json; `make bench` installs them there with `npm ci` (nothing global;
the stamp node_modules/.portalgraph-installed is the Makefile's, as for tests/node).
The supergraph is composed at run time by `mesh-compose` with bench/peer/mesh.config.ts
from the topology sandbox's PVOG `/openapi.json` (the port is only known then), and
Hive Gateway serves it pinned to the gateway's core like Portalgraph, one process
(`--fork 1`), no response cache (none is configured; Hive's default has none).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bench.procs import Gateway

PEER_DIR = Path(__file__).with_name("peer")
BIN = PEER_DIR / "node_modules" / ".bin"


def missing() -> str | None:
    """Why the peer cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (PEER_DIR / "node_modules" / ".portalgraph-installed").exists():
        return "bench/peer/node_modules is missing: `make bench` runs `npm ci` there"
    return None


def compose(urls: dict[str, str], client_id: str, work: Path) -> Path:
    """The supergraph, composed by Mesh from the one PVOG's `/openapi.json`; every call
    it makes carries the PVOG's client-id header, as Portalgraph's do."""
    out = work / "supergraph.graphql"
    env = dict(os.environ, PEER_PVOG_URL=urls["pvog"], PEER_PVOG_CLIENT_ID=client_id)
    with (work / "mesh-compose.log").open("w") as log:
        subprocess.run(
            [str(BIN / "mesh-compose"), "-o", str(out)],
            cwd=PEER_DIR,
            env=env,
            check=True,
            timeout=180,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return out


def hive_gateway(network: Path, supergraph: Path) -> Gateway:
    """Hive Gateway on the gateway's core, started and answering like `Gateway` is."""
    argv = [
        str(BIN / "hive-gateway"),
        "supergraph",
        str(supergraph),
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--fork",
        "1",
        "--polling",
        "1h",
    ]
    return Gateway(network, argv, NODE_ENV="production")
