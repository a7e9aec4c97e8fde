"""The lean wire under `Upstream` (aiohttp), on a real loopback server: the same contract
as the httpx path — query encoding, auth flow with one retry after a 401, no cookies, no
redirects, timeouts and their retry rules, errors translated into the SourceError tree."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from sources._client_credentials import ClientCredentialsTokens
from sources._http import Upstream, deadline_after, worth_retrying
from sources._observe import NoObserver
from sources._policy import UpstreamPolicy
from sources._pool import UpstreamClient, new_client
from sources._resilience import UpstreamGuards
from sources._upstream_auth import UpstreamHttpAuth
from sources.base import Capability, UpstreamRef
from sources.base.upstream_auth import ClientAuthMethod, OAuth2ClientCredentials
from sources.errors import (
    SourceAuthError,
    SourceBadResponseError,
    SourceRejectedError,
    SourceTimeoutError,
    SourceUnavailableError,
)

REF = UpstreamRef("pvog", Capability.SERVICES)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Server:
    url: str
    seen: list[web.Request] = field(default_factory=list)
    tokens: list[str] = field(default_factory=lambda: ["t1", "t2"])


class CountingObserver(NoObserver):
    def __init__(self) -> None:
        self.retries: list[UpstreamRef] = []

    def retried(self, upstream: UpstreamRef) -> None:
        self.retries.append(upstream)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    found = Server("")

    async def echo(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)
        body = await request.json() if request.can_read_body else None
        return web.json_response(
            {"query": list(request.query.items()), "body": body},
            headers={"Set-Cookie": "session=erika; Path=/"},
        )

    async def token(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)
        return web.json_response({"access_token": found.tokens.pop(0), "expires_in": 300})

    async def guarded(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)
        if request.headers.get("Authorization") != "Bearer t2":
            return web.Response(status=401)
        return web.json_response({"ok": request.headers.get("X-Static")})

    async def slow(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)
        await asyncio.sleep(2)
        return web.json_response({})

    async def problem(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)
        return web.Response(
            status=422,
            body=b'{"functionalCode": "F42"}',
            content_type="application/problem+json",
        )

    async def moved(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)
        raise web.HTTPFound("/echo")

    async def big(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)
        return web.Response(body=b"x" * 5000, content_type="application/json")

    async def dripped(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)  # chunked: no length declared
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for _ in range(50):
            await response.write(b"x" * 100)
        await response.write_eof()
        return response

    async def inflating(request: web.Request) -> web.StreamResponse:
        found.seen.append(request)  # 5,000 bytes once inflated, a few dozen on the wire
        return web.Response(
            body=gzip.compress(b" " * 5000),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    app = web.Application()
    for path, handler in {
        "/big": big,
        "/dripped": dripped,
        "/inflating": inflating,
        "/echo": echo,
        "/token": token,
        "/guarded": guarded,
        "/slow": slow,
        "/problem": problem,
        "/moved": moved,
    }.items():
        app.router.add_route("*", path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    found.url = f"http://127.0.0.1:{port}"
    yield found
    await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[UpstreamClient]:
    async with new_client(read_timeout=0.5, connect_timeout=0.5) as made:
        assert made.wire is not None  # the gateway's client: every call below is on the wire
        yield made


async def test_query_body_and_json_answer_as_over_httpx(
    server: Server, client: UpstreamClient
) -> None:
    upstream = Upstream(client, server.url, ref=REF)
    answer = await upstream.send_json(
        "POST",
        "/echo",
        params={"q": ["a b", "ä/1"], "page": 0, "flag": "true"},
        json={"name": "Köln"},
    )
    assert answer == {
        "query": [["q", "a b"], ["q", "ä/1"], ["page", "0"], ["flag", "true"]],
        "body": {"name": "Köln"},
    }
    assert server.seen[0].headers["Content-Type"] == "application/json"
    # A content type of the caller's, in any spelling, is sent alone.
    await upstream.send_json(
        "POST", "/echo", json={}, headers={"content-type": "application/merge-patch+json"}
    )
    assert server.seen[1].headers.getall("Content-Type") == ["application/merge-patch+json"]


async def test_no_cookie_set_by_one_answer_goes_out_again(
    server: Server, client: UpstreamClient
) -> None:
    upstream = Upstream(client, server.url, ref=REF)
    for _ in range(2):
        await upstream.get_json("/echo")
    assert [r.headers.get("Cookie") for r in server.seen] == [None, None]


async def test_a_401_fetches_one_fresh_token_and_sends_once_more(
    server: Server, client: UpstreamClient
) -> None:
    config = OAuth2ClientCredentials(
        server.url + "/token", "gw", ClientAuthMethod.CLIENT_SECRET_POST
    )
    tokens = ClientCredentialsTokens(
        config, client=client, client_secret="s", upstream="pvog", capability="services"
    )
    auth = UpstreamHttpAuth({"X-Static": "yes", "Authorization": "caller's"}, tokens)
    upstream = Upstream(client, server.url, ref=REF, auth=auth)
    assert upstream.wire is client.wire
    answer = await upstream.send_json("GET", "/guarded", headers={"authorization": "citizen"})
    assert answer == {"ok": "yes"}
    assert [r.path for r in server.seen] == ["/token", "/guarded", "/token", "/guarded"]
    assert server.seen[-1].headers.getall("Authorization") == ["Bearer t2"]  # one, the auth's
    # A second 401 stands: no third token, no loop.
    server.tokens = ["t3", "t4"]
    tokens.invalidate("t2")
    with pytest.raises(SourceAuthError):
        await upstream.get_json("/guarded")
    assert [r.path for r in server.seen].count("/token") == 4


async def test_redirects_are_not_followed(server: Server, client: UpstreamClient) -> None:
    upstream = Upstream(client, server.url, ref=REF)
    with pytest.raises(SourceUnavailableError, match="HTTP 302"):
        await upstream.get_json("/moved")
    assert [r.path for r in server.seen] == ["/moved"]


async def test_a_problem_answer_keeps_its_functional_code(
    server: Server, client: UpstreamClient
) -> None:
    upstream = Upstream(client, server.url, ref=REF)
    with pytest.raises(SourceRejectedError) as raised:
        await upstream.send_json("POST", "/problem", json={})
    assert raised.value.functional_code == "F42"


async def test_a_read_timeout_is_translated_and_not_worth_retrying(
    server: Server, client: UpstreamClient
) -> None:
    upstream = Upstream(client, server.url, ref=REF, timeout=0.1)
    with pytest.raises(SourceTimeoutError) as raised:
        await upstream.get_json("/slow")
    assert not worth_retrying(raised.value)


async def test_the_request_deadline_bounds_the_exchange(
    server: Server, client: UpstreamClient
) -> None:
    upstream = Upstream(client, server.url, ref=REF, timeout=5.0)
    with deadline_after(0.1), pytest.raises(SourceTimeoutError):
        await upstream.get_json("/slow")


async def test_a_refused_connection_is_retried_by_the_guards(client: UpstreamClient) -> None:
    closed = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = closed.sockets[0].getsockname()[1]
    closed.close()
    await closed.wait_closed()
    observer = CountingObserver()
    guards = UpstreamGuards(observer)
    upstream = guards.upstream(
        client, f"http://127.0.0.1:{port}", ref=REF, policy=UpstreamPolicy(retries=2)
    )
    with pytest.raises(SourceUnavailableError) as raised:
        await upstream.get_json("/echo")
    assert worth_retrying(raised.value)
    assert observer.retries == [REF, REF]


async def test_a_closed_client_sends_nothing_more(server: Server) -> None:
    client = new_client()
    upstream = Upstream(client, server.url, ref=REF)
    await upstream.get_json("/echo")
    await client.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await upstream.get_json("/echo")
    assert len(server.seen) == 1


@pytest.mark.parametrize("path", ["/big", "/dripped", "/inflating"])
async def test_an_answer_above_the_cap_is_a_bad_response(
    server: Server, client: UpstreamClient, path: str
) -> None:
    assert client.wire is not None
    client.wire.max_answer = 4096  # the production cap is 64 MiB (sources/_wire.py)
    upstream = Upstream(client, server.url, ref=REF)
    with pytest.raises(SourceBadResponseError, match="answered too much"):
        await upstream.get_json(path)
    client.wire.max_answer = 5000  # exactly the body: read whole, then refused as no JSON
    with pytest.raises(SourceBadResponseError) as raised:
        await upstream.get_json(path)
    assert "too much" not in str(raised.value)
