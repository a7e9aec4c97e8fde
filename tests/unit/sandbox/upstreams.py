"""In-process access to the sandbox network's apps (no sockets) with the IdP's real tokens."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.types import ASGIApp

from sandbox.idp_grants import ACCESS_TOKEN_TYPE
from sandbox.runner import GATEWAY_CLIENT_ID, IDENTITY, IDP_SECRET, SandboxNetwork

ISSUER = "http://idp.sandbox.test"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


class Upstreams:
    """One network's apps; `client(portal, capability)` talks to one of them over ASGI."""

    def __init__(self, citizens: int = 40, seed: int = 2026) -> None:
        self.network = SandboxNetwork(seed=seed, citizens=citizens)
        self.network.issuer.url = ISSUER  # normally set once the IdP has bound its port
        self.apps: dict[tuple[str, str], ASGIApp] = self.network.apps()
        assert self.network.cases is not None
        self.cases = self.network.cases

    def client(self, portal: str, capability: str) -> httpx.AsyncClient:
        base = f"http://{capability}.{portal}.sandbox.test"
        transport = httpx.ASGITransport(app=self.apps[(portal, capability)])
        return httpx.AsyncClient(transport=transport, base_url=base)

    async def _token(self, form: dict[str, str]) -> str:
        async with self.client(*IDENTITY) as idp:
            response = await idp.post("/token", data=form, auth=(GATEWAY_CLIENT_ID, IDP_SECRET))
            response.raise_for_status()
            token: str = response.json()["access_token"]
            return token

    async def citizen_token(self, login: str, portal: str) -> str:
        """An exchanged token for `portal`'s audience, as the gateway would hold it."""
        async with self.client(*IDENTITY) as idp:
            demo: list[dict[str, Any]] = (await idp.get("/_sandbox/demo-tokens")).json()
        sign_in = next(t["accessToken"] for t in demo if t["login"] == login)
        return await self._token(
            {
                "grant_type": EXCHANGE,
                "subject_token": sign_in,
                "subject_token_type": ACCESS_TOKEN_TYPE,
                "audience": f"urn:portalgraph:portal:{portal}",
            }
        )

    async def service_token(self, audience: str) -> str:
        return await self._token({"grant_type": "client_credentials", "audience": audience})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
