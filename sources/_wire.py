"""The wire under `Upstream`: one aiohttp client session per pool of connections.

Measured per call under the same `ResilientUpstream` against the same loopback upstream
(bench/upstream_stack.py, CPU of the calling process, docs/benchmarks.md): on httpx's
client 0.85–1.37 ms for a small JSON answer and 1.75–2.07 ms for a 52 KB directory page,
on httpcore's pool 0.37–0.91 and 1.41–1.53 ms, on aiohttp's session (C HTTP parser,
plain asyncio protocol on uvloop) 0.13–0.17 and 0.79–0.83 ms. So the gateway's calls
go out here, the token exchange's form posts too (`form_body`); httpx stays for what
needs its model (the streamed attachment upload, the client-credentials token
endpoints, the tests' MockTransport fakes).

Same contract as the httpx client it replaces: no proxies from the environment, no
redirects followed, no cookies kept (the session is shared by every viewer), a
connect and a per-read timeout on each exchange. Foreign errors are not translated
here but in `sources._http.map_transport_errors`, the one boundary.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import certifi
import httpx
import orjson

from sources.base import Capability

Params = Mapping[str, str | int | list[str]]
JSON_HEADERS = {"Content-Type": "application/json"}
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
KEEPALIVE = 4.0  # seconds an idle connection is kept
MiB = 1024 * 1024
# The most of one answer held in memory (after decompression), by what the upstream
# publishes: a broken or hostile upstream must not make a gateway pod (512 Mi) hold more
# per call than its kind of answer can need. The one table (docs/failure-behaviour.md).
MAX_ANSWER = 64 * MiB  # the ceiling: Postfach attachments, FIT-Connect submissions
# OIDC discovery, JWK sets (the issuer's, FIT-Connect's route keys) and token answers are
# a few KiB as published; a megabyte is hundreds of keys.
KEYS_ANSWER = 1 * MiB
ANSWER_CAPS: Mapping[Capability, int] = {
    Capability.SERVICES: 32 * MiB,  # PVOG pages of up to 500 descriptions: ~2 MB
    Capability.ACCOUNTS: 8 * MiB,  # account areas: a citizen's applications and links
    Capability.STATUS: 16 * MiB,  # a case's event log of SETs (a few KiB each)
    Capability.PAYMENTS: 8 * MiB,  # XBezahldienste payment transactions
    Capability.INBOX: MAX_ANSWER,  # messages with their attachments
    Capability.SUBMISSIONS: MAX_ANSWER,  # submissions with their attachments
}
CHUNK = 1 << 16


class AnswerTooLargeError(Exception):
    """An answer above the wire's cap: reading stopped there (translated to
    `SourceBadResponseError` by `sources._http.map_transport_errors`)."""


@dataclass(slots=True)
class WireAnswer:
    """An upstream's answer on the wire, read whole: what `Upstream` decodes or hands on."""

    status_code: int
    headers: Mapping[str, str]  # case-insensitive (aiohttp's CIMultiDictProxy)
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


class Wire:
    """One aiohttp session: its own connection pool (an mTLS upstream gets one of its own,
    since the client certificate belongs to the TLS context). The session is made on
    first use, inside the event loop that will run it."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        limit_per_host: int = 200,
        max_answer: int = MAX_ANSWER,
    ) -> None:
        self.ssl_context = ssl_context
        self.limit_per_host = limit_per_host
        self.max_answer = max_answer
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("the upstream client has been closed")  # as httpx says it
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=0,  # per host only, as the per-origin httpx pools were
                limit_per_host=self.limit_per_host,
                # httpx's default: certifi's CA bundle, not the system's.
                ssl=self.ssl_context or ssl.create_default_context(cafile=certifi.where()),
                # httpx's keep-alive expiry was 5 s, uvicorn's idle timeout is 5 s too:
                # a connection is let go a little before the server would close it.
                keepalive_timeout=KEEPALIVE,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # a shared client keeps no cookies
                trust_env=False,  # no proxies from the environment
                auto_decompress=True,
            )
        return self._session

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        params: Params | None,
        json: Any,
        headers: Mapping[str, str],
        read_timeout: float | None,
        connect_timeout: float | None,
        max_answer: int = MAX_ANSWER,
    ) -> WireAnswer:
        """`max_answer`: the caller's cap (its kind's, `ANSWER_CAPS`); the wire's own only lowers it."""
        body, sent = json_body(json, headers)
        return await self._send(
            method, url, params, body, sent, (read_timeout, connect_timeout), max_answer
        )

    async def post_form(
        self,
        url: str,
        form: Mapping[str, str],
        headers: Mapping[str, str],
        *,
        read_timeout: float | None,
        connect_timeout: float | None,
        max_answer: int,
    ) -> WireAnswer:
        """A form post (a token endpoint's, RFC 6749 §4), under the same contract."""
        body, sent = form_body(form, headers)
        return await self._send(
            "POST", url, None, body, sent, (read_timeout, connect_timeout), max_answer
        )

    async def _send(
        self,
        method: str,
        url: str,
        params: Params | None,
        body: bytes | None,
        headers: Mapping[str, str],
        timeouts: tuple[float | None, float | None],
        max_answer: int,
    ) -> WireAnswer:
        async with self.session().request(
            method,
            url,
            params=query(params) if params else None,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=timeouts[1], sock_read=timeouts[0]
            ),
        ) as response:
            content = await read_capped(response, min(max_answer, self.max_answer))
            return WireAnswer(response.status, response.headers, content)

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def json_body(json: Any, headers: Mapping[str, str]) -> tuple[bytes | None, Mapping[str, str]]:
    """A JSON request body and the headers to send with it."""
    if json is None:
        return None, headers
    return orjson.dumps(json), _typed(headers, JSON_HEADERS)


def form_body(
    form: Mapping[str, str], headers: Mapping[str, str]
) -> tuple[bytes, Mapping[str, str]]:
    """An `application/x-www-form-urlencoded` body (a token endpoint's, RFC 6749
    appendix B: UTF-8, spaces as `+`) and the headers to send with it."""
    return urlencode(form).encode("ascii"), _typed(headers, FORM_HEADERS)


def _typed(headers: Mapping[str, str], content_type: Mapping[str, str]) -> Mapping[str, str]:
    """A content type of the caller's, in any spelling, is kept alone."""
    if any(name.lower() == "content-type" for name in headers):
        return headers
    return {**content_type, **headers}


async def read_capped(response: aiohttp.ClientResponse, cap: int) -> bytes:
    """The whole body, or `AnswerTooLargeError` as soon as it passes `cap` bytes. A declared
    length is trusted only without compression: a gzip body's length says nothing of
    what it inflates to."""
    length = response.content_length
    if length is not None and length > cap:
        raise AnswerTooLargeError(f"declared {length} bytes, more than {cap}")
    if length is not None and "Content-Encoding" not in response.headers:
        return await response.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > cap:
            raise AnswerTooLargeError(f"more than {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def aread_capped(response: httpx.Response, cap: int) -> bytes:
    """`read_capped` for a streamed httpx response (the token endpoints' client): its
    decoded bytes, counted after decompression."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes(CHUNK):
        size += len(chunk)
        if size > cap:
            raise AnswerTooLargeError(f"more than {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def query(params: Params) -> list[tuple[str, str]]:
    """Query pairs as httpx makes them: a list repeats the name, booleans are lower case."""
    return [
        (name, _text(item))
        for name, value in params.items()
        for item in (value if isinstance(value, list) else [value])
    ]


def _text(value: object) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)
