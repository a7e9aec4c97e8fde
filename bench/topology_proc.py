"""The topology sandbox (network file v2) in its own process, for the live benchmarks.

`python -m bench.topology_proc --citizens N --out DIR` starts `TopologySandbox` (four
municipalities), writes DIR/network.toml, DIR/urls.json and DIR/env.json (the secrets
the network file names), prints "ready" and serves until stdin closes. The v1 sandbox of
bench/sandbox_proc.py writes a network file the topology gateway refuses (docs/topology.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from sandbox.topology_runner import TopologySandbox


async def serve(citizens: int, out: Path) -> None:
    sandbox = TopologySandbox(municipalities=4, citizens=citizens, folder=out / "sandbox")
    await sandbox.start()
    (out / "network.toml").write_text(sandbox.network_file.read_text(encoding="utf-8"))
    (out / "env.json").write_text(json.dumps(sandbox.env()), encoding="utf-8")
    (out / "urls.json").write_text(json.dumps(sandbox.urls), encoding="utf-8")
    print(json.dumps({"ready": True}), flush=True)
    # The parent closes our stdin to stop us; that also covers a parent that crashed.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    import uvloop  # noqa: PLC0415 - the gateway's loop, so the sandbox keeps up with it

    uvloop.run(serve(args.citizens, args.out))


if __name__ == "__main__":
    main()
