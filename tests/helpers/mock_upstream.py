"""An adapter's upstream and service token over httpx.MockTransport, for adapter unit tests."""

from __future__ import annotations

from typing import Any

import httpx

from sources._auth import ServiceBearer
from sources._http import Upstream
from sources.base import IssuedToken, UpstreamRef


class FixedServiceTokens:
    """A token issuer that hands out one client-credentials token and exchanges nothing."""

    async def exchange(self, subject_token: str, audience: str) -> IssuedToken:
        raise AssertionError("not used")

    async def client_credentials(
        self, client_id: str, client_secret: str, audience: str | None
    ) -> IssuedToken:
        return IssuedToken("service-token", 4102444800.0)


def mocked(handler: Any, base_url: str, ref: UpstreamRef) -> tuple[Upstream, ServiceBearer]:
    """The Upstream answering through `handler`, and a bearer for the same upstream."""
    upstream = Upstream(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)), base_url, ref=ref
    )
    bearer = ServiceBearer(
        FixedServiceTokens(), client_id="gw", client_secret="s", audience=None, upstream=ref
    )
    return upstream, bearer
