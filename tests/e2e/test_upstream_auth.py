"""Per-upstream auth over real HTTP on loopback: a client-credentials token endpoint and a
resource server, and mutual TLS against a uvicorn that requires a client certificate
(the chain from `sandbox.tls`, which the sandbox's mTLS payment provider will use)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.testing import UvicornServer, free_port, wait_for
from sandbox.tls import make_chain
from sources._upstream_auth import build_auth, resolve_auth, tls_context
from sources.base.upstream_auth import (
    ClientAuthMethod,
    HeaderValue,
    MutualTls,
    OAuth2ClientCredentials,
    UpstreamAuth,
)


def token_server_app(issued: list[str]) -> Starlette:
    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        if form.get("client_id") != "sender" or form.get("client_secret") != "s3cr3t":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        issued.append(f"tok-{len(issued) + 1}")
        return JSONResponse({"access_token": issued[-1], "expires_in": 300})

    async def resource(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {issued[-1] if issued else ''}":
            return JSONResponse({}, status_code=401)
        return JSONResponse({"client": request.headers.get("pvog-sud-api-client-id")})

    return Starlette(routes=[Route("/token", token, methods=["POST"]), Route("/r", resource)])


@pytest.fixture
async def token_server() -> AsyncIterator[tuple[str, list[str]]]:
    issued: list[str] = []
    server = UvicornServer(token_server_app(issued))
    await server.start()
    try:
        yield server.url, issued
    finally:
        await server.stop()


async def test_client_credentials_and_headers_over_real_http(
    token_server: tuple[str, list[str]],
) -> None:
    url, issued = token_server
    auth_table = UpstreamAuth(
        OAuth2ClientCredentials(
            token_url=f"{url}/token",
            client_id="sender",
            method=ClientAuthMethod.CLIENT_SECRET_POST,
            client_secret_env="FIT_SECRET",
        ),
        headers=(("pvog-sud-api-client-id", HeaderValue(env="PVOG_CLIENT_ID")),),
    )
    resolved = resolve_auth(auth_table, {"FIT_SECRET": "s3cr3t", "PVOG_CLIENT_ID": "pg-1"})
    async with httpx.AsyncClient(trust_env=False) as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="fitconnect", capability="status")
        async with httpx.AsyncClient(auth=auth, trust_env=False) as client:
            answers = await asyncio.gather(*(client.get(f"{url}/r") for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    assert answers[0].json() == {"client": "pg-1"}
    assert issued == ["tok-1"]  # five calls, one token


def started(server: uvicorn.Server) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return server.started

    return check


async def test_mutual_tls_presents_the_client_certificate_the_server_requires(
    tmp_path: Path,
) -> None:
    chain = make_chain(tmp_path)

    async def hello(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    port = free_port()
    config = uvicorn.Config(
        Starlette(routes=[Route("/status/o/e", hello)]),
        host="127.0.0.1",
        port=port,
        log_level="critical",
        ssl_certfile=chain.server_cert,
        ssl_keyfile=chain.server_key,
        ssl_ca_certs=chain.ca,
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await wait_for(started(server))
        url = f"https://127.0.0.1:{port}/status/o/e"
        environ = {
            "EPAYBL_CERT": chain.client_cert,
            "EPAYBL_KEY": chain.client_key,
            "EPAYBL_CA": chain.ca,
        }
        resolved = resolve_auth(
            UpstreamAuth(MutualTls("EPAYBL_CERT", "EPAYBL_KEY", "EPAYBL_CA")), environ
        )
        context = tls_context(resolved)
        assert context is not None
        async with httpx.AsyncClient(verify=context, trust_env=False) as client:
            answer = await client.get(url)
        assert answer.json() == {"ok": True}
        # The same server refuses a client that trusts it but has no certificate to show.
        without = ssl.create_default_context(cafile=chain.ca)
        async with httpx.AsyncClient(verify=without, trust_env=False) as client:
            with pytest.raises(httpx.HTTPError):
                await client.get(url)
    finally:
        server.should_exit = True
        await task
