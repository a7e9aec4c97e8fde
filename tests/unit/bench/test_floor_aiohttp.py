"""bench.floor_clients' second floor client answers the floor's few calls as httpx does."""

from __future__ import annotations

import base64
import contextlib

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.floor_aiohttp import AiohttpClient


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
    client = AiohttpClient()
    async with TestServer(app) as server, contextlib.aclosing(client):
        url = str(server.make_url("/echo"))
        answer = await client.get(url, params={"limit": 500, "q": "a b"}, headers={"X-Y": "z"})
        assert answer.status_code == 200
        assert answer.json()["query"] == {"limit": "500", "q": "a b"}
        posted = await client.post(url, data={"grant_type": "client_credentials"}, auth=("id", "s"))
        assert posted.json()["form"] == {"grant_type": "client_credentials"}
        assert posted.json()["authorization"] == "Basic " + base64.b64encode(b"id:s").decode()
        # Anything but a tuple (httpx.Auth() for client_secret_post) sends no credentials.
        assert (await client.post(url, data={}, auth=object())).json()["authorization"] is None
        missing = await client.get(url, params={"status": 404})
        assert missing.status_code == 404
        with pytest.raises(RuntimeError):
            missing.raise_for_status()
        answer.raise_for_status()
