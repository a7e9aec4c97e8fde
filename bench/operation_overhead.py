"""CPU per operation spent outside resolvers: parsing, validation and the extension hooks.

`python -m bench.operation_overhead [--operations 5000] [--rounds 3]` runs `{ __typename }`
through the gateway's schema (the hardening extensions of `graph/extensions/hardening.py`,
rate limits off, no metrics or tracing) in this process and prints µs of CPU per
operation per round. Run it from another tree (`PYTHONPATH=DIR`, cwd DIR) for a before.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from graph.extensions.hardening import Hardening
from graph.schema import build_schema
from graph.settings import Settings


async def rounds(operations: int, count: int) -> list[float]:
    settings = Settings().override(rate_limit_anonymous=0, rate_limit_viewer=0)
    schema = build_schema(hardening=Hardening.from_settings(settings))
    first = await schema.execute("{ __typename }")  # warms the parser and validation caches
    assert not first.errors, first.errors
    found = []
    for _ in range(count):
        started = time.process_time()
        for _ in range(operations):
            await schema.execute("{ __typename }")
        found.append((time.process_time() - started) / operations * 1e6)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.operation_overhead")
    parser.add_argument("--operations", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    for micros in asyncio.run(rounds(opts.operations, opts.rounds)):
        print(f"{micros:.1f} µs CPU per operation")


if __name__ == "__main__":
    main()
