"""Minimal Python client for Portalgraph with gql: one query over HTTP, one subscription.

    PORTALGRAPH_URL=http://127.0.0.1:8000/graphql PORTALGRAPH_TOKEN=<demo token> \
        python examples/python/portalgraph_example.py

The token is one of the demo tokens `make run` prints. SANDBOX_INBOX (sandbox only) asks
the simulated Postfach to send a message, so the subscription has something to show.
"""

from __future__ import annotations

import asyncio
import json
import os

import httpx
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

PORTALS = gql("query Portals { portals { id name tier } }")
NEW_MESSAGES = gql("subscription NewMessages { inboxMessageReceived { subject portal { id } } }")


async def nudge_sandbox(inbox: str, login: str) -> None:
    """A new subscription takes the inbox as its baseline: send until one arrives."""
    async with httpx.AsyncClient(trust_env=False) as http:
        while True:
            await asyncio.sleep(0.7)
            body = {"login": login, "title": "Hallo aus examples/python"}
            await http.post(f"{inbox}/_sandbox/messages", json=body)


async def main() -> None:
    url = os.environ.get("PORTALGRAPH_URL", "http://127.0.0.1:8000/graphql")
    token = os.environ.get("PORTALGRAPH_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    async with Client(transport=HTTPXAsyncTransport(url=url, headers=headers)) as session:
        result = await session.execute(PORTALS)
    print(json.dumps({"portals": [p["id"] for p in result["portals"]]}))

    # WebSocket clients authenticate in connection_init, not with headers.
    transport = WebsocketsTransport(url=url.replace("http", "ws", 1), init_payload=headers)
    inbox = os.environ.get("SANDBOX_INBOX")
    nudging = asyncio.create_task(nudge_sandbox(inbox, "lena")) if inbox else None
    try:
        async with Client(transport=transport) as session:
            async for event in session.subscribe(NEW_MESSAGES):
                print(json.dumps({"message": event["inboxMessageReceived"]}, ensure_ascii=False))
                break
    finally:
        if nudging is not None:
            nudging.cancel()


if __name__ == "__main__":
    asyncio.run(main())
