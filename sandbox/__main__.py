"""`python -m sandbox --network-out network.toml`: run the sandbox network until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path

from sandbox.data import DEFAULT_SEED
from sandbox.runner import SandboxNetwork


async def serve(network: SandboxNetwork, ready: Callable[[SandboxNetwork], None]) -> None:
    """Run `network` until SIGINT/SIGTERM; `ready` is called once every server listens."""
    await network.start()
    try:
        ready(network)
        stopped = asyncio.Event()
        # SIGTERM (docker stop, kill) should shut down as cleanly as Ctrl-C does.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        await stopped.wait()
    finally:
        await network.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Run the simulated portal upstreams on loopback."
    )
    parser.add_argument(
        "--network-out", type=Path, required=True, help="gateway network file to write"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"data seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--base-port", type=int, default=None, help="first port (default: free ports)"
    )
    args = parser.parse_args(argv)
    out: Path = args.network_out

    def ready(network: SandboxNetwork) -> None:
        out.write_text(network.network_toml(), encoding="utf-8")
        for (portal, capability), url in network.urls.items():
            print(f"{portal:<10} {capability:<9} {url}")
        print(f"network file: {out} (seed {args.seed}); Ctrl-C stops the sandbox", flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(SandboxNetwork(seed=args.seed, base_port=args.base_port), ready))


if __name__ == "__main__":
    main()
