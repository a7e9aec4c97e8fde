"""Live-update benchmark: event-to-client latency and memory per idle subscription.

Runs the sandbox and one gateway process's app in this process (uvicorn on loopback),
opens N graphql-transport-ws subscriptions from a separate client process, publishes
events straight into the gateway's broker and measures the time until each client
has the `next` message. Usage: .venv/bin/python -m bench.live [--subscribers 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import httpx

from graph.app import create_app
from graph.settings import Settings
from graph.view import ACTIVE_VIEWS
from sandbox.runner import IDP_SECRET, IDP_SECRET_ENV, SandboxNetwork, callback_secrets
from sources.base import EventKind, EventRecord
from tests.servers import UvicornServer

CLIENT = Path(__file__).with_name("live_clients.py")


# Event ids are de-duplicated in Redis across runs: make them unique to this run.
RUN = uuid.uuid4().hex[:8]


def rss_kib() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def main(subscribers: int, per_viewer: int, events: int) -> dict[str, float]:
    os.environ.setdefault(IDP_SECRET_ENV, IDP_SECRET)
    for name, secret in callback_secrets().items():
        os.environ.setdefault(name, secret)
    sandbox = SandboxNetwork()
    await sandbox.start()
    path = Path(tempfile.mkdtemp()) / "network.toml"
    path.write_text(sandbox.network_toml(), encoding="utf-8")
    settings = replace(
        Settings(network=str(path), log_level="warning"),
        subscriptions_per_viewer=per_viewer,
        subscriptions_per_connection=per_viewer,
        poll_interval=3600,
        subscription_queue=1000,
    )
    server = UvicornServer(create_app(settings))
    await server.start()
    view = next(iter(ACTIVE_VIEWS))
    assert view.resources is not None and view.resources.live is not None
    live = view.resources.live
    viewers = subscribers // per_viewer
    async with httpx.AsyncClient(trust_env=False) as http:
        tokens = []
        for n in range(viewers):
            now = int(time.time())
            claims = {
                "iss": sandbox.urls[("identity", "idp")],
                "aud": "portalgraph",
                "sub": f"bench-viewer-{n:05d}",
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
                "acr": "STORK-QAA-Level-3",
                "amr": ["ELSTER"],
            }
            response = await http.post(
                sandbox.urls[("identity", "idp")] + "/_sandbox/sign", json={"claims": claims}
            )
            tokens.append(response.json()["token"])
    idle_before = rss_kib()
    clients = subprocess.Popen(
        [sys.executable, str(CLIENT), server.url, str(per_viewer), str(events)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert clients.stdin is not None and clients.stdout is not None
    clients.stdin.write(json.dumps(tokens) + "\n")
    clients.stdin.flush()
    ready = await asyncio.to_thread(clients.stdout.readline)
    assert ready.strip() == "ready", ready
    while live.broker.fanout.subscribers < subscribers:  # type: ignore[attr-defined]
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    idle_after = rss_kib()
    # Spread the events across the viewers at about 1,000 events per second.
    for n in range(events):
        audience = live.audience(f"bench-viewer-{n % viewers:05d}")
        data = {
            "messageId": f"m{n}",
            "subject": repr(time.time()),
            "sender": "Bench",
            "service": None,
            "receivedAt": None,
            "isNotice": False,
            "requiredTrustLevel": 1,
            "applicationId": None,
        }
        await live.broker.publish(
            EventRecord(f"bench-{RUN}-{n}", EventKind.INBOX_MESSAGE, audience, "koeln", data)
        )
        await asyncio.sleep(0.001)
    report = await asyncio.to_thread(clients.stdout.readline)
    latencies = json.loads(report)
    clients.wait(30)
    await server.stop()
    await sandbox.stop()
    latencies.sort()
    return {
        "subscribers": subscribers,
        "deliveries": len(latencies),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "kib_per_idle_subscription": (idle_after - idle_before) / subscribers,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--per-viewer", type=int, default=10)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    result = asyncio.run(main(args.subscribers, args.per_viewer, args.events))
    print(json.dumps(result, indent=2))
