"""The one place where httpx meets the SourceError tree.

`Upstream` is a small typed view of one (portal, capability) endpoint over the
process-wide `httpx.AsyncClient`; adapters call `get_json`/`send_json` and never
see httpx exceptions.
"""

from __future__ import annotations

import contextlib
import email.utils
import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from sources.errors import (
    SourceBadResponseError,
    SourceError,
    SourceTimeoutError,
    SourceUnavailableError,
    error_for_status,
)

Params = Mapping[str, str | int | list[str]]


def new_client(
    *, connect_timeout: float = 2.0, read_timeout: float = 10.0, max_connections: int = 200
) -> httpx.AsyncClient:
    """The process-wide client: pooled connections, no env proxies, explicit timeouts."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        trust_env=False,
        follow_redirects=False,
    )


@contextlib.contextmanager
def map_transport_errors(portal_id: str, capability: str) -> Iterator[None]:
    where = {"portal_id": portal_id, "capability": capability}
    try:
        yield
    except httpx.TimeoutException as exc:
        raise SourceTimeoutError(f"{portal_id}/{capability} timed out", **where) from exc
    except httpx.TransportError as exc:
        raise SourceUnavailableError(
            f"{portal_id}/{capability} unreachable: {type(exc).__name__}", **where
        ) from exc


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
    """One upstream endpoint: base URL, its portal and capability, the shared client."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        portal_id: str,
        capability: str,
        timeout: float | None = None,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.portal_id = portal_id
        self.capability = capability
        self.timeout = timeout

    def bad_response(self, detail: str) -> SourceBadResponseError:
        return SourceBadResponseError(
            f"{self.portal_id}/{self.capability}: {detail}",
            portal_id=self.portal_id,
            capability=self.capability,
        )

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
            return response.json()
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
        extra: dict[str, Any] = {}
        if self.timeout is not None:
            extra["timeout"] = self.timeout
        with map_transport_errors(self.portal_id, self.capability):
            response = await self.client.request(
                method,
                self.base_url + path,
                params=params,
                json=json,
                headers=headers,
                **extra,
            )
            await response.aread()
        if response.is_success:
            return response
        raise self.status_error(response)

    def status_error(self, response: httpx.Response) -> SourceError:
        functional_code = None
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            with contextlib.suppress(ValueError, AttributeError):
                functional_code = response.json().get("functionalCode")
        return error_for_status(
            response.status_code,
            portal_id=self.portal_id,
            capability=self.capability,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            functional_code=functional_code,
        )
