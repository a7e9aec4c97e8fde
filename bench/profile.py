"""py-spy on the gateway process under load: where its CPU goes, as top frames.

`python -m bench.profile [--workload join|pass|multi|page5|dashboard|unlinked|inbox] [--concurrency 16]
[--seconds 15]` starts the topology sandbox (inbox: the 10,000-citizen sandbox of `bench.ab`,
whose heaviest citizen's 500-message page is the workload; dashboard: Erika's with her account
links learned first, unlinked: hers without, the Postfach alone) and `portalgraph serve` (caches off, pinned like in `make bench`), attaches
`py-spy record` (pip install py-spy; not a project dependency) to the gateway for the
given seconds while the load generator runs the workload, and prints the self time by
layer (LAYERS: which part of a request the frame on top of the stack belongs to) and the
frames with the most samples: self (the frame on top of the stack) and total (anywhere on it).
The collapsed stacks stay in --out (default $TMPDIR/portalgraph-<workload>.txt) for a
flame graph (`py-spy record --format flamegraph` takes the same arguments).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bench.ab import DASHBOARD_BODY, learn_erika
from bench.http_part import HEAVY
from bench.load import Http1, closed_loop
from bench.peer_suite import body
from bench.procs import CLIENT_CORE, Gateway, Sandbox, end_all, pin_self
from bench.scenarios import body_of

TOP = 25
# Where a sample's own frame (top of stack) lives, by path: the layers of one request.
LAYERS = (
    (
        "upstream: our stack",
        (
            "sources/_http.py",
            "sources/_resilience",
            "sources/_observe",
            "sources/_pool.py",
            "sources/_breaker",
            "sources/_retry",
            "sources/_upstream_auth",
            "graph/ops/",
        ),
    ),
    ("upstream: httpx/httpcore/h11", ("httpx/", "httpcore/", "h11/", "anyio/", "sniffio/")),
    ("adapters (parse upstream JSON)", ("sources/",)),
    ("graphql execution", ("graphql/", "strawberry/")),
    (
        "resolvers, loaders, types",
        (
            "graph/resolvers",
            "graph/types",
            "graph/loaders",
            "graph/citizen",
            "graph/domain",
            "aiodataloader",
        ),
    ),
    ("extensions", ("graph/extensions", "graph/schema.py", "graph/federation")),
    (
        "HTTP middleware, view",
        (
            "graph/http",
            "starlette/",
            "graph/app.py",
            "graph/context.py",
            "graph/auth",
        ),
    ),
    ("server (uvicorn, httptools)", ("uvicorn/", "httptools")),
    ("journal (SQLAlchemy, SQLite)", ("sqlalchemy", "aiosqlite", "sources/journal")),
    ("JSON", ("orjson", "json/")),
    ("signatures (sign-in JWT, FIT-Connect SETs)", ("joserfc", "cryptography", "base64")),
    ("event loop", ("asyncio/", "uvloop", "selectors", "<built-in>")),
)


def layer_of(frame: str) -> str:
    where = frame.partition(" (")[2]
    for layer, marks in LAYERS:
        if any(mark in where for mark in marks):
            return layer
    return "other"


def short(frame: str) -> str:
    """'resolve (graph/x.py:12)' -> 'resolve (graph/x.py)': lines split one function."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0].split('site-packages/')[-1]})" if where else name


def top_frames(collapsed: Path) -> tuple[int, Counter[str], Counter[str]]:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [short(f) for f in stack.split(";")]
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    return samples, own, total


async def drive(
    gateway: Gateway, payload: bytes, concurrency: int, seconds: float, headers: str = ""
) -> int:
    connections = [Http1(gateway.url) for _ in range(concurrency)]

    async def work(worker: int, _n: int) -> bool:
        status, answer = await connections[worker].post("/graphql", payload, headers)
        return status == 200 and b'"errors"' not in answer

    run = await closed_loop(work, concurrency, seconds, 10_000_000)
    for connection in connections:
        await connection.close()
    return len(run.latencies)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument(
        "--workload",
        default="join",
        choices=("pass", "join", "multi", "page5", "dashboard", "unlinked", "inbox"),
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--out", type=Path, default=None)
    opts = parser.parse_args()
    pyspy = shutil.which("py-spy") or str(Path(__file__).parents[1] / ".venv/bin/py-spy")
    out = opts.out or Path(tempfile.gettempdir()) / f"portalgraph-{opts.workload}.txt"
    pin_self(CLIENT_CORE)
    with tempfile.TemporaryDirectory(prefix="portalgraph-profile-") as tmp:
        inbox = opts.workload == "inbox"
        sandbox = Sandbox(Path(tmp), 10_000) if inbox else Sandbox(Path(tmp), 40, topology=4)
        try:
            gateway = Gateway(
                sandbox.network, None, PORTALGRAPH_CACHE="off", PORTALGRAPH_RESPONSE_CACHE="off"
            )
            headers = ""
            if opts.workload in ("dashboard", "unlinked"):
                token = sandbox.token("erika")
                if opts.workload == "dashboard":  # her account links learned first
                    asyncio.run(learn_erika(gateway, token))
                payload, headers = DASHBOARD_BODY, f"Authorization: Bearer {token}\r\n"
            elif inbox:
                payload = body_of("inbox")
                headers = f"Authorization: Bearer {sandbox.token(HEAVY)}\r\n"
            else:
                payload = body("portalgraph", opts.workload)
            asyncio.run(drive(gateway, payload, opts.concurrency, 1.0, headers))  # warm
            spy = subprocess.Popen(
                [
                    pyspy,
                    "record",
                    "--pid",
                    str(gateway.proc.pid),
                    "--duration",
                    str(int(opts.seconds)),
                    "--rate",
                    "200",
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            done = asyncio.run(drive(gateway, payload, opts.concurrency, opts.seconds + 1, headers))
            spy.wait(60)
            gateway.stop()
        finally:
            sandbox.stop()
            end_all()
    samples, own, total = top_frames(out)
    print(f"{opts.workload} c={opts.concurrency}: {done} requests, {samples} samples, {out}")
    layers: Counter[str] = Counter()
    for frame, n in own.items():
        layers[layer_of(frame)] += n
    print("\nself time by layer:")
    for layer, n in layers.most_common():
        print(f"  {n / samples:6.1%}  {layer}")
    print("\nself (top of stack):")
    for frame, n in own.most_common(TOP):
        print(f"  {n / samples:6.1%}  {frame}")
    print("\ntotal (anywhere on the stack):")
    for frame, n in total.most_common(TOP * 2):
        print(f"  {n / samples:6.1%}  {frame}")


if __name__ == "__main__":
    main()
