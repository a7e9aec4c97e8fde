"""The identity provider adapter: discovery and JWKS go through `Upstream` like every call."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import httpx
import pytest

from sources._http import Upstream
from sources._observe import UpstreamCall
from sources.base import IdentityRecord, UpstreamRef
from sources.errors import SourceBadResponseError, SourceUnavailableError
from sources.idp import IDENTITY, OidcProvider

ISSUER = "http://idp.test"
KEYS = "http://keys.test/jwks"  # a key set published on another host


class Observer:
    def __init__(self) -> None:
        self.calls: list[tuple[UpstreamRef, str]] = []

    @contextlib.contextmanager
    def call(
        self, upstream: UpstreamRef, method: str, headers: Mapping[str, str] | None
    ) -> Iterator[UpstreamCall]:
        self.calls.append((upstream, method))
        yield UpstreamCall(headers)

    def retried(self, upstream: UpstreamRef) -> None:
        return None

    def refused(self, upstream: UpstreamRef, reason: str) -> None:
        return None


def provider(keys: httpx.Response, observer: Observer) -> OidcProvider:
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == KEYS:
            return keys
        return httpx.Response(200, json={"jwks_uri": KEYS, "token_endpoint": ISSUER + "/token"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    upstream = Upstream(client, ISSUER, ref=IDENTITY, observer=observer)
    return OidcProvider(IdentityRecord(ISSUER, "portalgraph", "gw", "SECRET"), upstream, "s")


async def test_the_key_set_is_fetched_through_upstream_and_observed() -> None:
    observer = Observer()
    keys = {"keys": [{"kty": "RSA", "kid": "k1", "n": "x", "e": "AQAB"}]}
    assert await provider(httpx.Response(200, json=keys), observer).fetch_jwks() == keys
    assert observer.calls == [(IDENTITY, "GET"), (IDENTITY, "GET")]  # discovery, then JWKS


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(503), SourceUnavailableError),
        (httpx.Response(200, text="<html>"), SourceBadResponseError),
        (httpx.Response(200, json={"no": "keys"}), SourceBadResponseError),
    ],
)
async def test_a_broken_key_set_is_a_typed_error_of_the_identity_upstream(
    answer: httpx.Response, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        await provider(answer, Observer()).fetch_jwks()
    assert getattr(caught.value, "upstream", None) == IDENTITY
