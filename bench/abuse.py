"""Issue 18's attacks against a real gateway process: what each costs it now.

`.venv/bin/python -m bench.abuse [--scale 0.02] [--json PATH]` starts the topology
sandbox and `portalgraph serve` as processes (bench/procs.py: uvloop, httptools, the
production defaults for every limit) and makes each attack of the issue on loopback,
one after another, printing a table: finding | attack | after. RSS is the gateway
process's resident set sampled every 5 ms from /proc (before → peak), the spool its open
unlinked temporary files, upstream calls the sandbox's /_sandbox/stats. `--scale`
shrinks the sizes (tests/e2e/test_abuse_bench.py runs it small); each attack is bounded
to seconds. The callback replay (#10), the payment return URL and JWKS refresh (#9) and
the upload content checks (#7) need a submission's secret or the sandbox's key set and
are measured by their tests (docs/security.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from bench import abuse_attacks as attacks, abuse_sockets as sockets
from bench.procs import Gateway, Sandbox, end_all

RATE_LIMIT = 600  # the production default of PORTALGRAPH_RATE_LIMIT_ANONYMOUS
LIMITS = {  # bench.procs.gateway_env lifts them for load tests; here they are the point
    "PORTALGRAPH_RATE_LIMIT_ANONYMOUS": str(RATE_LIMIT),
    "PORTALGRAPH_RATE_LIMIT_VIEWER": "600",
    "PORTALGRAPH_RATE_LIMIT_DOWNLOADS": "60",
    "PORTALGRAPH_WS_MAX_PER_CLIENT": "50",
    "PORTALGRAPH_REQUEST_DEADLINE": "5",
}


def plan(t: attacks.Target, token: str) -> list[Callable[[], attacks.Row]]:
    return [
        lambda: attacks.entities(t),
        lambda: attacks.empty_entities(t),
        lambda: attacks.unsigned_callback(t),
        lambda: attacks.anonymous_upload(t),
        lambda: attacks.chunked_uploads(t),
        lambda: attacks.path_injection(t),
        lambda: attacks.downloads(t, token),
        lambda: sockets.token_expiry(t, token),
        lambda: sockets.idle_sockets(t),
        lambda: sockets.big_frame(t),
        lambda: sockets.no_init(t),
        lambda: sockets.slow_head(t),
        lambda: sockets.stalled_body(t),
        lambda: sockets.malformed(t, token),
        lambda: attacks.host_redirect(t),
        lambda: attacks.xff_rotation(t, RATE_LIMIT),  # it spends the anonymous limit
        lambda: sockets.socket_over_limit(t),
    ]


@contextlib.contextmanager
def running(folder: Path, limits: dict[str, str]) -> Iterator[tuple[Sandbox, Gateway]]:
    """The sandbox and a gateway with `limits`; both stopped however the run ends, the
    gateway's failed start included (it left the sandbox running)."""
    with contextlib.ExitStack() as stack:
        stack.callback(end_all)
        sandbox = Sandbox(folder, citizens=200, topology=4)
        stack.callback(sandbox.stop)
        gateway = Gateway(sandbox.network, None, **limits)
        stack.callback(gateway.stop)
        yield sandbox, gateway


def run(scale: float) -> list[attacks.Row]:
    rows: list[attacks.Row] = []
    with (
        tempfile.TemporaryDirectory(prefix="abuse-") as folder,
        running(Path(folder), LIMITS) as (sandbox, gateway),
        httpx.Client(base_url=gateway.url, timeout=60, trust_env=False) as http,
    ):
        target = attacks.Target(gateway, sandbox, http, scale)
        token = sandbox.token("erika")
        for attack in plan(target, token):
            try:
                rows.append(attack())
            except Exception as exc:  # one failed attack is a row, not the end of the run
                traceback.print_exc()
                rows.append(("?", "failed", f"{type(exc).__name__}: {exc}"[:200]))
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
        alive = gateway.proc.poll() is None and http.get("/healthz").status_code == 200
        rows.append(("-", "gateway afterwards", "alive, /healthz 200" if alive else "DOWN"))
    return rows


def table(rows: list[attacks.Row]) -> str:
    lines = ["| finding | attack | after |", "|---|---|---|"]
    lines += [f"| {finding} | {attack} | {after} |" for finding, attack, after in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's sizes")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = run(args.scale)
    print(table(rows))
    print(
        f"\n{time.perf_counter() - started:.0f} s; load {Path('/proc/loadavg').read_text().strip()}"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
