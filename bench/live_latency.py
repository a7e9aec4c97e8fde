"""Event-to-client latency at N open subscriptions, alone (a slice of bench/live_suite.py).

    .venv/bin/python -m bench.live_latency --subscribers 1000 --events 5000 --reps 1

A fresh topology sandbox (bench.procs.MUNICIPALITIES) and gateway (bench/live_gateway.py); the gateway's own publisher sends
1,000 events per second, one viewer each in turn, into the live hub (the event log since
issue 19), and the client process records each event's delay from its send time.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.live_suite import WARM, one_rep, sign
from bench.load import median_spread
from bench.procs import Sandbox, end_all


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_latency")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--reps", type=int, default=1)
    opts = parser.parse_args()
    if opts.subscribers <= WARM:  # the first WARM subscriptions are the baseline
        parser.error(f"--subscribers must be more than {WARM}")
    size = opts.subscribers
    with tempfile.TemporaryDirectory(prefix="portalgraph-bench-") as tmp:
        sandbox = Sandbox(Path(tmp), size)
        try:
            sandbox.latency(0)
            tokens = sign(sandbox, size)
            reps = [
                one_rep(sandbox, tokens, (size, size), opts.events, False) for _ in range(opts.reps)
            ]
        finally:
            sandbox.stop()
            end_all()
    figures = {key: median_spread([r[key] for r in reps]) for key in reps[0]}
    print(json.dumps({"subscribers": size, "events": opts.events, **figures}, indent=1))


if __name__ == "__main__":
    main()
