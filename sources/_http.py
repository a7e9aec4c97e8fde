"""The one place where httpx meets the SourceError tree.

`Upstream` is a small typed view of one endpoint (its `UpstreamRef`) over the
process-wide `httpx.AsyncClient`; adapters call `get_json`/`send_json` and never
see httpx exceptions. Every call honours the request deadline (`deadline_after`):
it gets at most the time the GraphQL request has left.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import email.utils
import ssl
import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import orjson

from sources._observe import NO_OBSERVER, UpstreamObserver
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

Params = Mapping[str, str | int | list[str]]
# Monotonic time by which the current GraphQL request must be answered; tasks started
# inside the request (DataLoader batches, gathers) inherit it with their context.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "portalgraph_deadline", default=None
)
DRAINED = httpx.ByteStream(b"")  # the stream of a response whose body is read
NO_RETRY_TIMEOUTS = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout, TimeoutError)


@contextlib.contextmanager
def deadline_after(seconds: float | None) -> Iterator[None]:
    """Bound every upstream call made inside the block to `seconds` from now (None: unbounded)."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining_time() -> float | None:
    """Seconds left until the current request's deadline, or None outside a request."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def worth_retrying(error: SourceError) -> bool:
    """Whether a read that failed this way may succeed when sent again.

    Connection failures and 5xx answers may; a read timeout may not (the upstream is
    slow, and asking again doubles its load), nor anything the upstream answered on purpose.
    """
    if not isinstance(error, SourceUnavailableError) or isinstance(error, DeadlineExceededError):
        return False
    return not isinstance(error.__cause__, NO_RETRY_TIMEOUTS)


@contextlib.contextmanager
def map_transport_errors(ref: UpstreamRef) -> Iterator[None]:
    try:
        yield
    except (httpx.TimeoutException, TimeoutError) as exc:
        raise SourceTimeoutError(f"{ref} timed out", upstream=ref) from exc
    except httpx.TransportError as exc:
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
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def decode_json(response: httpx.Response) -> Any:
    """The body as JSON, by orjson (half of httpx's `json()` cost on a directory page).

    What orjson refuses but the standard library reads (UTF-16/32 bodies) goes to httpx's
    decoder; either raises ValueError for a body that is not JSON. Unlike the standard
    library, orjson reads integers beyond 64 bits as floats (no upstream sends them).
    """
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.json()


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    with contextlib.suppress(TypeError, ValueError):
        moment = email.utils.parsedate_to_datetime(value)
        return max(0.0, moment.timestamp() - time.time())
    return None


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
    ) -> None:
        """`auth`: how this upstream authenticates the gateway (its `auth` table, built by
        `sources._upstream_auth`); None: no credentials (or the caller sends headers)."""
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.ref = ref
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.observer = observer
        self.auth = auth

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
        response = await self.send(method, path, params=params, json=json, headers=headers)
        try:
            return decode_json(response)
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
        """One exchange; `path` is relative to the base URL, or an absolute URL the upstream
        itself published (e.g. the `jwks_uri` of an OIDC discovery document)."""
        remaining = remaining_time()
        timeout = self.attempt_timeout(remaining)  # past the deadline: refused, not a call
        with (
            self.observer.call(self.ref, method, headers) as call,
            map_transport_errors(self.ref),
        ):
            # httpx's read timeout bounds each socket read; asyncio.timeout bounds the whole
            # exchange, so a slowly dripping body cannot outlive the request either.
            async with asyncio.timeout(remaining):
                response = await self.client.request(
                    method,
                    path if "://" in path else self.base_url + path,
                    params=params,
                    json=json,
                    headers=call.headers,
                    timeout=timeout,
                    auth=self.auth if self.auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
                await response.aread()
            # httpx's response and its stream point at each other: a cycle per call that
            # held the response (and the pool's request objects) until the cyclic
            # collector ran. The body is read and the stream closed; drop the stream.
            response.stream = DRAINED
            call.status = response.status_code
            if response.is_success:
                return response
            raise self.status_error(response)

    def attempt_timeout(self, remaining: float | None) -> httpx.Timeout:
        """This endpoint's timeouts, shortened to what the request has left."""
        default = self.client.timeout
        read = self.timeout if self.timeout is not None else default.read
        connect = self.connect_timeout if self.connect_timeout is not None else default.connect
        if remaining is None:
            return httpx.Timeout(read, connect=connect)
        if remaining <= 0:
            raise DeadlineExceededError(
                f"{self.ref}: the request deadline has passed", upstream=self.ref
            )
        return httpx.Timeout(
            min(read or remaining, remaining), connect=min(connect or remaining, remaining)
        )

    def status_error(self, response: httpx.Response) -> SourceError:
        functional_code = None
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            with contextlib.suppress(ValueError, AttributeError):
                functional_code = response.json().get("functionalCode")
        return error_for_status(
            response.status_code,
            upstream=self.ref,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            functional_code=functional_code,
        )
