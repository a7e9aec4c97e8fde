"""WebSocket side of the subscription scenario: graphql-transport-ws clients in one process.

`python -m bench.ws_clients URL PER_CONNECTION`, driven by JSON lines on stdin:
{"open": [token, ...]} opens one connection per token with PER_CONNECTION
subscriptions and answers {"opened": n}; {"collect": n, "timeout": s} answers with the
event-to-client latencies (seconds) received so far, once n arrived or on timeout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

QUERY = "subscription { inboxMessageReceived { messageId subject } }"
CONNECTS_AT_ONCE = 50  # bounded, so the gateway's accept queue never overflows
# A handshake that times out on a busy machine is tried again: one late socket of
# 10,000 once failed a whole `make bench` (bench/RESULTS.md was written only at the end).
ATTEMPTS = 3


async def subscribe(url: str, token: str, per: int) -> ClientConnection:
    ws = await connect(
        url, subprotocols=[Subprotocol("graphql-transport-ws")], max_queue=None, open_timeout=60
    )
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    await ws.send(json.dumps(init))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    for n in range(per):
        await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": QUERY}}))
    return ws


async def listen(ws: ClientConnection, latencies: list[float]) -> None:
    async for raw in ws:
        message = json.loads(raw)
        if message["type"] == "next":
            sent = float(message["payload"]["data"]["inboxMessageReceived"]["subject"])
            latencies.append(time.time() - sent)


async def main() -> None:
    url = sys.argv[1].replace("http://", "ws://") + "/graphql"
    per = int(sys.argv[2])
    latencies: list[float] = []
    sockets: list[ClientConnection] = []
    listeners: list[asyncio.Task[None]] = []
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)
    loop = asyncio.get_running_loop()

    async def one(token: str) -> None:
        async with gate:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    ws = await subscribe(url, token, per)
                    break
                except TimeoutError:
                    if attempt == ATTEMPTS:
                        raise
        sockets.append(ws)
        listeners.append(asyncio.create_task(listen(ws, latencies)))

    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command = json.loads(line)
        if "open" in command:
            await asyncio.gather(*(one(t) for t in command["open"]))
            print(json.dumps({"opened": len(sockets)}), flush=True)
        else:
            deadline = time.monotonic() + command["timeout"]
            while len(latencies) < command["collect"] and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            print(json.dumps(latencies), flush=True)
            latencies.clear()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


if __name__ == "__main__":
    import uvloop

    uvloop.run(main())
