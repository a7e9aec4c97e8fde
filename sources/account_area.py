"""A portal's account area (Mein Konto): the viewer's account and applications there.

Every call carries a token exchanged for the portal's own audience (RFC 8693);
the citizen's sign-in token is never forwarded to an upstream. A platform's records may
name the municipality they are about (`ars` or `portalId`): `attribute` maps that to the
municipality's Portal (docs/topology.md "Portals and platforms").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sources._auth import ExchangedBearer
from sources._http import Upstream
from sources._parse import MalformedError, aware, items_of, obj, optional_str, text
from sources._paths import segment
from sources.base import AccountRecord, ApplicationRecord, PaymentLinkRecord, PortalRecord
from sources.errors import SourceNotFoundError

PAGE = 500
Parsed = TypeVar("Parsed")


PortalOf = Callable[[dict[str, Any]], str]


class PortalAccountArea:
    def __init__(
        self,
        portal: PortalRecord,
        upstream: Upstream,
        bearer: ExchangedBearer,
        attribute: Callable[[str | None], str] | None = None,
    ) -> None:
        self.portal = portal
        self.upstream = upstream
        self.bearer = bearer
        self.attribute = attribute  # a platform's: the named municipality's portal id

    def _portal_of(self, item: dict[str, Any]) -> str:
        if self.attribute is None:
            return self.portal.id
        return self.attribute(optional_str(item.get("ars")) or optional_str(item.get("portalId")))

    async def account(self, subject_token: str) -> AccountRecord | None:
        headers = await self.bearer.headers(subject_token)
        try:
            body = await self.upstream.send_json("GET", "/v1/me", headers=headers)
        except SourceNotFoundError:
            return None
        return self._parsed(parse_account, body)

    async def applications(self, subject_token: str) -> list[ApplicationRecord]:
        headers = await self.bearer.headers(subject_token)
        found: list[ApplicationRecord] = []
        while True:
            params = {"limit": PAGE, "offset": len(found)}
            try:
                body = await self.upstream.send_json(
                    "GET", "/v1/me/applications", params=params, headers=headers
                )
            except SourceNotFoundError:
                return []  # no account at this portal, so no applications either
            page, total = self._parsed(parse_applications, body)
            found.extend(page)
            if not page or len(found) >= total:
                return found

    async def link_payment(
        self, subject_token: str, application_id: str, link: PaymentLinkRecord
    ) -> None:
        headers = await self.bearer.headers(subject_token)
        await self.upstream.send(
            "PUT",
            f"/v1/me/applications/{segment(self.upstream, application_id)}/payments/{segment(self.upstream, link.transaction_id)}",
            json={
                "originatorId": link.originator_id,
                "endPointId": link.end_point_id,
                "requestId": link.request_id,
            },
            headers=headers,
        )

    def _parsed(self, parse: Callable[[Any, PortalOf], Parsed], body: Any) -> Parsed:
        try:
            return parse(body, self._portal_of)
        except (MalformedError, KeyError, TypeError, ValueError) as exc:
            raise self.upstream.bad_response(f"unexpected payload: {exc}") from exc


def parse_account(body: Any, portal_of: PortalOf) -> AccountRecord:
    item = obj(body)
    return AccountRecord(
        portal_id=portal_of(item),
        account_id=text(item["accountId"]),
        created_at=aware(item.get("createdAt")),
        services=tuple(text(s) for s in items_of(item.get("services", []))),
    )


def parse_applications(body: Any, portal_of: PortalOf) -> tuple[list[ApplicationRecord], int]:
    page = obj(body)
    applications = [parse_application(a, portal_of) for a in items_of(page["applications"])]
    total = page.get("totalCount", len(applications))
    return applications, int(total)


def parse_application(raw: Any, portal_of: PortalOf) -> ApplicationRecord:
    item = obj(raw)
    return ApplicationRecord(
        portal_id=portal_of(item),
        id=text(item["applicationId"]),
        case_id=text(item["caseId"]),
        submission_id=optional_str(item.get("submissionId")),
        leika_key=optional_str(item.get("leikaKey")),
        service_name=optional_str(item.get("serviceName")),
        reference=optional_str(item.get("reference")),
        created_at=aware(item.get("createdAt")),
        submitted_at=aware(item.get("submittedAt")),
        updated_at=aware(item.get("updatedAt")),
        payments=tuple(
            PaymentLinkRecord(
                transaction_id=text(p["transactionId"]),
                originator_id=text(p["originatorId"]),
                end_point_id=text(p["endPointId"]),
                request_id=optional_str(p.get("requestId")),
            )
            for p in map(obj, items_of(item.get("payments", [])))
        ),
        destination_id=optional_str(item.get("destinationId")),
    )
