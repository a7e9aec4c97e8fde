"""The one place where the HTTP clients meet the SourceError tree.

`Upstream` is a small typed view of one endpoint (its `UpstreamRef`) over the
process-wide client; adapters call `get_json`/`send_json` and never see a client's
exceptions. The gateway's client carries a lean wire (aiohttp, sources/_wire.py) that
every call takes; a plain `httpx.AsyncClient` (the tests' MockTransport fakes) is
called through httpx. Either way the same auth flow, timeouts and error translation
apply. Every call honours the request deadline (`deadline_after`): it gets at most the
time the GraphQL request has left.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Iterator, Mapping
from typing import Any

import aiohttp
import httpx
from multidict import CIMultiDict

from sources._answer import Answer, decode_json, parse_retry_after
from sources._deadline import deadline_after, remaining_time
from sources._observe import NO_OBSERVER, UpstreamObserver
from sources._pool import UpstreamClient, httpx_exchange
from sources._upstream_auth import UpstreamHttpAuth
from sources._wire import ANSWER_CAPS, AnswerTooLargeError, Params, Wire
from sources.base import UpstreamRef
from sources.errors import (
    DeadlineExceededError,
    SourceAuthError,
    SourceBadResponseError,
    SourceError,
    SourceTimeoutError,
    SourceUnavailableError,
    error_for_status,
)

__all__ = ["Params", "Upstream", "deadline_after", "remaining_time"]
NO_RETRY_TIMEOUTS = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout, TimeoutError)
# aiohttp's connect timeout is a TimeoutError too; like httpx's, it is worth retrying.
RETRY_TIMEOUTS = (httpx.ConnectTimeout, aiohttp.ConnectionTimeoutError)


def worth_retrying(error: SourceError) -> bool:
    """Whether a read that failed this way may succeed when sent again.

    Connection failures and 5xx answers may; a read timeout may not (the upstream is
    slow, and asking again doubles its load), nor anything the upstream answered on purpose.
    """
    if not isinstance(error, SourceUnavailableError) or isinstance(error, DeadlineExceededError):
        return False
    cause = error.__cause__
    return isinstance(cause, RETRY_TIMEOUTS) or not isinstance(cause, NO_RETRY_TIMEOUTS)


@contextlib.contextmanager
def map_transport_errors(ref: UpstreamRef) -> Iterator[None]:
    try:
        yield
    except (httpx.TimeoutException, TimeoutError) as exc:
        raise SourceTimeoutError(f"{ref} timed out", upstream=ref) from exc
    except AnswerTooLargeError as exc:
        raise SourceBadResponseError(f"{ref} answered too much: {exc}", upstream=ref) from exc
    except (httpx.TransportError, aiohttp.ClientError) as exc:
        if _tls_refused(exc):  # mutual TLS: a certificate one side does not accept
            raise SourceAuthError(f"{ref} refused the TLS handshake", upstream=ref) from exc
        raise SourceUnavailableError(
            f"{ref} unreachable: {type(exc).__name__}", upstream=ref
        ) from exc


def _tls_refused(exc: BaseException) -> bool:
    """Whether a transport error comes from a TLS certificate problem (an `ssl.SSLError`
    in its chain): credentials, not availability."""
    seen: BaseException | None = exc
    for _ in range(8):  # chains are short; never loop on a cycle
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError | aiohttp.ClientSSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Upstream:
    """One upstream endpoint: base URL, which upstream it is (`ref`), the shared client."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        ref: UpstreamRef,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        observer: UpstreamObserver = NO_OBSERVER,
        auth: httpx.Auth | None = None,
        max_answer: int | None = None,
    ) -> None:
        """`auth`: how this upstream authenticates the gateway (its `auth` table, built by
        `sources._upstream_auth`); None: no credentials (or the caller sends headers).
        `max_answer`: the most one answer may be (default: its capability's, `ANSWER_CAPS`)."""
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.ref = ref
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.observer = observer
        self.auth = auth
        self.max_answer = max_answer or ANSWER_CAPS[ref.capability]
        # The lean wire, where the client has one and the auth is ours (any other
        # httpx.Auth runs its own flow through httpx).
        wire = client.wire if isinstance(client, UpstreamClient) else None
        self.wire: Wire | None = (
            wire if auth is None or isinstance(auth, UpstreamHttpAuth) else None
        )

    def bad_response(self, detail: str) -> SourceBadResponseError:
        return SourceBadResponseError(f"{self.ref}: {detail}", upstream=self.ref)

    async def get_json(self, path: str, params: Params | None = None) -> Any:
        return await self.send_json("GET", path, params=params)

    async def send_json(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        answer = await self.exchange(method, path, params=params, json=json, headers=headers)
        try:
            return decode_json(answer.content)
        except ValueError as exc:
            raise self.bad_response("body is not JSON") from exc

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One exchange, answered as an httpx response (for adapters that read headers)."""
        answer = await self.exchange(method, path, params=params, json=json, headers=headers)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(
            answer.status_code, headers=list(answer.headers.items()), content=answer.content
        )

    async def exchange(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """One exchange; `path` is relative to the base URL, or an absolute URL the upstream
        itself published (e.g. the `jwks_uri` of an OIDC discovery document)."""
        remaining = remaining_time()
        read, connect = self.attempt_timeouts(remaining)  # past the deadline: refused
        url = path if "://" in path else self.base_url + path
        with (
            self.observer.call(self.ref, method, headers) as call,
            map_transport_errors(self.ref),
        ):
            # The read timeout bounds each socket read; asyncio.timeout bounds the whole
            # exchange, so a slowly dripping body cannot outlive the request either.
            async with asyncio.timeout(remaining):
                if self.wire is not None:
                    answer = await self._over_wire(
                        self.wire, method, url, params, json, call.headers, (read, connect)
                    )
                else:
                    answer = await httpx_exchange(
                        self.client,
                        method,
                        url,
                        params=params,
                        json=json,
                        headers=call.headers,
                        limits=httpx.Timeout(read, connect=connect),
                        auth=self.auth,
                    )
            call.status = answer.status_code
            if answer.is_success:
                return answer
            raise self.status_error(answer)

    async def _over_wire(
        self,
        wire: Wire,
        method: str,
        url: str,
        params: Params | None,
        json: Any,
        headers: Mapping[str, str] | None,
        timeouts: tuple[float | None, float | None],
    ) -> Answer:
        async def send(sent: Mapping[str, str]) -> Answer:
            return await wire.exchange(
                method,
                url,
                params=params,
                json=json,
                headers=sent,
                read_timeout=timeouts[0],
                connect_timeout=timeouts[1],
                max_answer=self.max_answer,
            )

        sent = CIMultiDict(headers or {})  # the auth's headers replace any spelling of theirs
        if isinstance(self.auth, UpstreamHttpAuth):
            return await self.auth.around(sent, send)
        return await send(sent)

    def attempt_timeouts(self, remaining: float | None) -> tuple[float | None, float | None]:
        """This endpoint's read and connect timeouts, shortened to what the request has left."""
        default = self.client.timeout
        read = self.timeout if self.timeout is not None else default.read
        connect = self.connect_timeout if self.connect_timeout is not None else default.connect
        if remaining is None:
            return read, connect
        if remaining <= 0:
            raise DeadlineExceededError(
                f"{self.ref}: the request deadline has passed", upstream=self.ref
            )
        return min(read or remaining, remaining), min(connect or remaining, remaining)

    def status_error(self, response: Answer) -> SourceError:
        functional_code = None
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            with contextlib.suppress(ValueError, AttributeError):
                functional_code = decode_json(response.content).get("functionalCode")
        return error_for_status(
            response.status_code,
            upstream=self.ref,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            functional_code=functional_code,
        )
