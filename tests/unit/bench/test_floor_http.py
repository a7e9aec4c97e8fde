"""The floors' HTTP client answers the floor's few calls, and a read whose connection
the server closed is sent once more, as on the gateway's wire."""

from __future__ import annotations

import asyncio
import base64
import contextlib

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.baseline import Floor
from bench.floor_http import FloorClient


async def echo(request: web.Request) -> web.Response:
    form = dict(await request.post()) if request.method == "POST" else {}
    body = {
        "query": dict(request.query),
        "form": {k: str(v) for k, v in form.items()},
        "authorization": request.headers.get("Authorization"),
    }
    return web.json_response(body, status=int(request.query.get("status", "200")))


async def test_params_headers_form_and_basic_credentials_arrive_and_errors_raise() -> None:
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    client = FloorClient()
    async with TestServer(app) as server, contextlib.aclosing(client):
        url = str(server.make_url("/echo"))
        answer = await client.get(url, params={"limit": 500, "q": "a b"}, headers={"X-Y": "z"})
        assert answer.status_code == 200
        assert answer.json()["query"] == {"limit": "500", "q": "a b"}
        posted = await client.post(url, data={"grant_type": "client_credentials"}, auth=("id", "s"))
        assert posted.json()["form"] == {"grant_type": "client_credentials"}
        assert posted.json()["authorization"] == "Basic " + base64.b64encode(b"id:s").decode()
        # No pair (client_secret_post) sends no credentials in a header.
        assert (await client.post(url, data={})).json()["authorization"] is None
        missing = await client.get(url, params={"status": 404})
        assert missing.status_code == 404
        with pytest.raises(RuntimeError):
            missing.raise_for_status()
        answer.raise_for_status()


class ClosesFirst:
    """A server that reads the first request and closes its connection unanswered, then
    answers every later one with `{"ok": true}`."""

    def __init__(self) -> None:
        self.requests = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError):  # the client hung up
            while await reader.readuntil(b"\r\n\r\n"):
                self.requests += 1
                if self.requests == 1:
                    break
                body = b'{"ok": true}'
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                writer.write(head + body)
                await writer.drain()
        writer.close()


async def test_a_read_the_server_dropped_is_sent_once_more_and_a_form_post_is_not() -> None:
    closes = ClosesFirst()
    server = await asyncio.start_server(closes.serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
    async with server:
        floor = Floor({})
        assert await floor.get(url, limit=1) == {"ok": True}
        assert closes.requests == 2  # the dropped one and the one answered
        closes.requests = 0
        # A POST is not idempotent: the floor's token requests fail as the gateway's would.
        client = FloorClient()
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await client.post(url, data={})
        await client.aclose()
        await floor.http.aclose()
