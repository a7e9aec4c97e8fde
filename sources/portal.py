"""A portal's account area (Mein Konto): the viewer's account there.

Every call carries a token exchanged for the portal's own audience (RFC 8693);
the citizen's sign-in token is never forwarded to an upstream.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sources._http import Upstream
from sources.base import AccountRecord, PortalRecord, TokenIssuer
from sources.errors import SourceAuthError, SourceError, SourceNotFoundError


class PortalAccountArea:
    def __init__(
        self, portal: PortalRecord, upstream: Upstream, tokens: TokenIssuer, audience: str
    ) -> None:
        self.portal = portal
        self.upstream = upstream
        self.tokens = tokens
        self.audience = audience

    async def bearer(self, subject_token: str) -> dict[str, str]:
        try:
            issued = await self.tokens.exchange(subject_token, self.audience)
        except SourceError as exc:
            raise SourceAuthError(
                f"token exchange for {self.portal.id} failed",
                portal_id=self.portal.id,
                capability=self.upstream.capability,
            ) from exc
        return {"Authorization": f"Bearer {issued.access_token}"}

    async def account(self, subject_token: str) -> AccountRecord | None:
        headers = await self.bearer(subject_token)
        try:
            body = await self.upstream.send_json("GET", "/v1/me", headers=headers)
        except SourceNotFoundError:
            return None
        try:
            return parse_account(body, self.portal.id)
        except (KeyError, TypeError, ValueError) as exc:
            raise self.upstream.bad_response(f"unexpected account payload: {exc}") from exc


def parse_account(body: Any, portal_id: str) -> AccountRecord:
    if not isinstance(body, dict):
        raise TypeError("account must be an object")
    created = body.get("createdAt")
    services = body.get("services", [])
    if not isinstance(services, list):
        raise TypeError("services must be a list")
    return AccountRecord(
        portal_id=portal_id,
        account_id=str(body["accountId"]),
        created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
        services=tuple(str(s) for s in services),
    )
