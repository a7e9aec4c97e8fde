"""Client side of bench/live.py: N WebSocket subscriptions, reporting event latencies."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

QUERY = "subscription { inboxMessageReceived { messageId subject } }"


async def viewer(
    url: str,
    token: str,
    subscriptions: int,
    latencies: list[float],
    ready: asyncio.Event,
    started: list[int],
) -> None:
    async with connect(
        url, subprotocols=[Subprotocol("graphql-transport-ws")], max_queue=None
    ) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for n in range(subscriptions):
            await ws.send(
                json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": QUERY}})
            )
        started[0] += 1
        await ready.wait()
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "next":
                sent = float(message["payload"]["data"]["inboxMessageReceived"]["subject"])
                latencies.append(time.time() - sent)


async def main() -> None:
    url = sys.argv[1].replace("http://", "ws://") + "/graphql"
    per_viewer, events = int(sys.argv[2]), int(sys.argv[3])
    tokens = json.loads(sys.stdin.readline())
    latencies: list[float] = []
    ready = asyncio.Event()
    started = [0]
    tasks = [
        asyncio.create_task(viewer(url, t, per_viewer, latencies, ready, started)) for t in tokens
    ]
    while started[0] < len(tokens):
        await asyncio.sleep(0.05)
    ready.set()
    print("ready", flush=True)
    expected = events * per_viewer
    deadline = time.monotonic() + 60
    while len(latencies) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print(json.dumps(latencies), flush=True)
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
