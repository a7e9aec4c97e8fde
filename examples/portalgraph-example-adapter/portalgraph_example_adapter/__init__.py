"""A town's account area behind its own (bilateral) API, as a Portalgraph plug-in.

It implements the `AccountArea` Protocol of `sources.base`. Network file version 2 names
it on the town's `[[portals]]` entry; Portalgraph finds it by the entry point
`example-accounts` (group `portalgraph.sources`):

    [[portals]]
    id = "beispielstadt"
    name = "Beispielstadt"
    tier = "MUNICIPAL"
    ars = "051620004004"

    [portals.accounts]
    url = "https://konto.beispielstadt.example"
    adapter = "example-accounts"

The town's API (invented for this example, German field names as such APIs have them):
`GET /konto` answers `{"kontoId", "angelegtAm"}` or 404 (no account), `GET /konto/antraege`
answers `{"antraege": [{"antragId", "vorgangsnummer", "leistung", "leikaSchluessel",
"eingereichtAm"}]}`. It takes no payment links: `link_payment` refuses.

The token each method is handed: where the entry's `[portals.accounts.auth]` says
`token_exchange`, the citizen's token already exchanged for the town's audience (RFC 8693);
without it, the citizen's sign-in token, which only a town API accepting tokens of the
gateway's identity provider should be sent. This example sends it on as the bearer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from sources.base import (
    AccountRecord,
    ApplicationRecord,
    Capability,
    PaymentLinkRecord,
    PortalRecord,
    UpstreamRef,
)
from sources.errors import SourceBadResponseError, SourceRejectedError, SourceUnavailableError


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


class TownAccounts:
    """`GET /konto` and `GET /konto/antraege` of one town, as Portalgraph's records."""

    def __init__(self, portal: PortalRecord, url: str, client: httpx.AsyncClient) -> None:
        self.portal = portal
        self.url = url.rstrip("/")
        self.client = client  # the gateway's pooled client: no connections of our own
        self.upstream = UpstreamRef(portal.id, Capability.ACCOUNTS)

    async def _get(self, path: str, token: str) -> Any | None:
        """The JSON body; None for 404 (no account). Failures are SourceErrors."""
        try:
            response = await self.client.get(
                self.url + path, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise SourceUnavailableError(type(exc).__name__, upstream=self.upstream) from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise SourceUnavailableError(f"HTTP {response.status_code}", upstream=self.upstream)
        try:
            return response.json()
        except ValueError as exc:
            raise SourceBadResponseError("not JSON", upstream=self.upstream) from exc

    async def account(self, subject_token: str) -> AccountRecord | None:
        body = await self._get("/konto", subject_token)
        if body is None:
            return None
        try:
            return AccountRecord(
                portal_id=self.portal.id,
                account_id=str(body["kontoId"]),
                created_at=_when(body.get("angelegtAm")),
                services=(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceBadResponseError(f"account: {exc!r}", upstream=self.upstream) from exc

    async def applications(self, subject_token: str) -> list[ApplicationRecord]:
        body = await self._get("/konto/antraege", subject_token)
        try:
            return [self._application(item) for item in (body or {}).get("antraege", [])]
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise SourceBadResponseError(f"applications: {exc!r}", upstream=self.upstream) from exc

    def _application(self, item: dict[str, Any]) -> ApplicationRecord:
        submitted = _when(item.get("eingereichtAm"))
        return ApplicationRecord(
            portal_id=self.portal.id,
            id=str(item["antragId"]),
            case_id=str(item["antragId"]),
            submission_id=None,
            leika_key=item.get("leikaSchluessel"),
            service_name=item.get("leistung"),
            reference=item.get("vorgangsnummer"),
            created_at=submitted,
            submitted_at=submitted,
            updated_at=submitted,
            payments=(),
        )

    async def link_payment(
        self, subject_token: str, application_id: str, link: PaymentLinkRecord
    ) -> None:
        raise SourceRejectedError(
            "this account area takes no payment links", upstream=self.upstream, status=405
        )


def create(context: Any) -> TownAccounts:
    """The entry point: Portalgraph passes an `AdapterContext` (portal, endpoint, client)."""
    return TownAccounts(context.portal, context.endpoint.url, context.client)
