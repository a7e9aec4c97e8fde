"""Each kind of upstream answer has its own cap (sources/_wire.py `ANSWER_CAPS`, `KEYS_ANSWER`).

A loopback aiohttp server answers valid JSON padded to any size, on the real wire: a key
set or token answer over a megabyte is UPSTREAM_BAD_RESPONSE, while the same answer from
an upstream whose kind may answer that much is read whole.
"""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web
from joserfc.jwk import RSAKey

from graph.settings import Secrets
from graph.wiring.identity import build_identity
from sources._client_credentials import ClientCredentialsTokens
from sources._http import Upstream
from sources._jwks import JwksCache
from sources._pool import UpstreamClient, new_client
from sources._wire import ANSWER_CAPS, KEYS_ANSWER, MAX_ANSWER, MiB
from sources.base import Capability, ErrorCode, UpstreamRef
from sources.base.upstream_auth import ClientAuthMethod, OAuth2ClientCredentials
from sources.errors import KeysUnavailableError, SourceBadResponseError
from tests.helpers.topologies import minimal_topology

KEY = RSAKey.generate_key(2048, private=False).as_dict(private=False)
OVER_KEYS = KEYS_ANSWER + MiB  # over the keys' cap, under every capability's


class Padded:
    """Answers `{..., "pad": "xxx…"}` of `pad` bytes more, plain or gzip (a few KiB on the wire)."""

    def __init__(self) -> None:
        self.url = ""
        self.pad = 0
        self.token_query = ""  # on the discovery document's token endpoint

    def answer(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        content = orjson.dumps({**body, "pad": "x" * self.pad})
        if "gzip" in request.query:
            return web.Response(
                body=gzip.compress(content),
                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
            )
        return web.Response(body=content, content_type="application/json")


@pytest.fixture
async def server() -> AsyncIterator[Padded]:
    padded = Padded()
    routes = {
        "/.well-known/openid-configuration": lambda r: padded.answer(
            r,
            {
                "jwks_uri": f"{padded.url}/jwks",
                "token_endpoint": f"{padded.url}/token{padded.token_query}",
            },
        ),
        "/jwks": lambda r: padded.answer(r, {"keys": [KEY]}),
        "/token": lambda r: padded.answer(r, {"access_token": "t1", "expires_in": 300}),
    }
    app = web.Application()
    for path, handler in routes.items():

        async def handle(request: web.Request, answer: Any = handler) -> web.StreamResponse:
            response: web.StreamResponse = answer(request)
            return response

        app.router.add_route("*", path, handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    padded.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield padded
    await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[UpstreamClient]:
    async with new_client() as made:
        yield made


def test_key_answers_are_capped_lowest_and_no_kind_above_the_ceiling() -> None:
    assert set(ANSWER_CAPS) == set(Capability)
    assert all(KEYS_ANSWER < cap <= MAX_ANSWER for cap in ANSWER_CAPS.values())


def test_an_upstream_takes_its_capabilitys_cap_unless_given_one(client: UpstreamClient) -> None:
    for capability, cap in ANSWER_CAPS.items():
        assert Upstream(client, "http://x", ref=UpstreamRef("u", capability)).max_answer == cap
    keys = Upstream(client, "http://x", ref=UpstreamRef("u", Capability.ACCOUNTS), max_answer=7)
    assert keys.max_answer == 7


@pytest.mark.parametrize("query", ["", "?gzip"])
async def test_a_key_set_over_its_cap_is_a_bad_response_a_services_answer_is_not(
    server: Padded, client: UpstreamClient, query: str
) -> None:
    server.pad = OVER_KEYS
    keys = Upstream(
        client, server.url, ref=UpstreamRef("idp", Capability.ACCOUNTS), max_answer=KEYS_ANSWER
    )
    with pytest.raises(SourceBadResponseError, match="answered too much") as raised:
        await keys.get_json("/jwks" + query)
    assert raised.value.code is ErrorCode.UPSTREAM_BAD_RESPONSE
    services = Upstream(client, server.url, ref=UpstreamRef("pvog", Capability.SERVICES))
    assert (await services.get_json("/jwks" + query))["keys"] == [KEY]


async def test_the_wired_identity_refuses_an_oversized_key_set(
    server: Padded, client: UpstreamClient
) -> None:
    topology = minimal_topology(
        f'[identity]\nissuer = "{server.url}"\naudience = "portalgraph"\n'
        'client_id = "portalgraph"\nclient_secret_env = "TEST_IDP_SECRET"\n'
    )
    verifier, _ = build_identity(topology, client, Secrets({"TEST_IDP_SECRET": "s"}))
    assert verifier is not None
    assert isinstance(verifier.keys, JwksCache)
    server.pad = OVER_KEYS
    with pytest.raises(KeysUnavailableError):  # refused (and logged), no keys kept
        await verifier.keys.keys_for(None)
    server.pad = 100
    verifier, _ = build_identity(topology, client, Secrets({"TEST_IDP_SECRET": "s"}))
    assert verifier is not None
    assert isinstance(verifier.keys, JwksCache)
    assert len((await verifier.keys.keys_for(None)).keys) == 1


@pytest.mark.parametrize("query", ["", "?gzip"])
async def test_a_token_answer_over_its_cap_is_a_bad_response(
    server: Padded, client: UpstreamClient, query: str
) -> None:
    config = OAuth2ClientCredentials(
        token_url=f"{server.url}/token{query}",
        client_id="portalgraph",
        method=ClientAuthMethod.CLIENT_SECRET_POST,
    )
    tokens = ClientCredentialsTokens(
        config, client=client, client_secret="s", upstream="fitconnect", capability="submissions"
    )
    server.pad = OVER_KEYS
    with pytest.raises(SourceBadResponseError, match="answered too much") as raised:
        await tokens.token()
    assert raised.value.code is ErrorCode.UPSTREAM_BAD_RESPONSE
    server.pad = 100
    assert await tokens.token() == "t1"


@pytest.mark.parametrize("query", ["", "?gzip"])
async def test_a_token_exchange_answer_over_its_cap_is_a_bad_response(
    server: Padded, client: UpstreamClient, query: str
) -> None:
    topology = minimal_topology(
        f'[identity]\nissuer = "{server.url}"\naudience = "portalgraph"\n'
        'client_id = "portalgraph"\nclient_secret_env = "TEST_IDP_SECRET"\n'
    )
    _, tokens = build_identity(topology, client, Secrets({"TEST_IDP_SECRET": "s"}))
    provider = tokens.issuer  # type: ignore[union-attr]  # the uncached provider behind the cache
    server.token_query = query
    server.pad = OVER_KEYS
    with pytest.raises(SourceBadResponseError, match="answered too much") as raised:
        await provider.exchange("subject", "urn:portalgraph:portal:koeln")
    assert raised.value.code is ErrorCode.UPSTREAM_BAD_RESPONSE
    server.pad = KEYS_ANSWER - 1000  # just under, with the JSON around it: read whole
    assert (await provider.exchange("subject", "urn:portalgraph:portal:koeln")).access_token == "t1"
