"""Postfach (ZBP-style mailbox) of one portal: messages, Statusmonitor updates, attachments.

Messages carry the ZBP message_v6 fields (reference/portalverbund.md §5.1);
status updates are status_v6. Calls carry a token exchanged for the portal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sources._auth import ExchangedBearer
from sources._http import Upstream
from sources._parse import MalformedError, aware, items_of, obj, optional_str, text
from sources._paths import segment
from sources.base import (
    ApplicationStatus,
    AttachmentRecord,
    FileRecord,
    MessageRecord,
    PortalRecord,
    StatusEventRecord,
    StatusSource,
    TrustLevel,
)
from sources.errors import SourceNotFoundError

PAGE = 500
Parsed = TypeVar("Parsed")


class PostfachBox:
    def __init__(self, portal: PortalRecord, upstream: Upstream, bearer: ExchangedBearer) -> None:
        self.portal = portal
        self.upstream = upstream
        self.bearer = bearer

    async def messages(self, subject_token: str) -> list[MessageRecord]:
        return await self._all(subject_token, "/v1/messages", "messages", parse_message)

    async def status_updates(self, subject_token: str) -> list[StatusEventRecord]:
        return await self._all(
            subject_token, "/v1/statusupdates", "statusUpdates", parse_status_update
        )

    async def mark_read(self, subject_token: str, message_id: str) -> None:
        headers = await self.bearer.headers(subject_token)
        await self.upstream.send(
            "POST", f"/v1/messages/{segment(self.upstream, message_id)}/read", headers=headers
        )

    async def attachment(
        self, subject_token: str, message_id: str, attachment_id: str
    ) -> FileRecord:
        headers = await self.bearer.headers(subject_token)
        response = await self.upstream.send(
            "GET",
            f"/v1/messages/{segment(self.upstream, message_id)}/attachments/{segment(self.upstream, attachment_id)}",
            headers=headers,
        )
        disposition = response.headers.get("content-disposition", "")
        filename = disposition.partition("filename=")[2].strip('"') or attachment_id
        return FileRecord(
            filename=filename,
            mime_type=response.headers.get("content-type", "application/octet-stream"),
            content=response.content,
        )

    async def _all(
        self, subject_token: str, path: str, field: str, parse: Callable[[Any, str], Parsed]
    ) -> list[Parsed]:
        headers = await self.bearer.headers(subject_token)
        found: list[Parsed] = []
        while True:
            try:
                body = await self.upstream.send_json(
                    "GET", path, params={"limit": PAGE, "offset": len(found)}, headers=headers
                )
            except SourceNotFoundError:
                return []  # no mailbox at this portal
            try:
                page = obj(body)
                found.extend(parse(item, self.portal.id) for item in items_of(page[field]))
                total = int(page.get("totalCount", len(found)))
            except (MalformedError, KeyError, TypeError, ValueError) as exc:
                raise self.upstream.bad_response(f"unexpected {field} payload: {exc}") from exc
            if not page[field] or len(found) >= total:
                return found


def parse_message(raw: Any, portal_id: str) -> MessageRecord:
    item = obj(raw)
    level = item.get("stork_qaa_level", 1)
    if not isinstance(level, int) or not 1 <= level <= 4:
        raise MalformedError("stork_qaa_level must be 1..4")
    received = aware(item["receivedAt"])
    if received is None:
        raise MalformedError("receivedAt is required")
    return MessageRecord(
        portal_id=portal_id,
        id=text(item["id"]),
        sender=text(item["sender"]),
        sender_url=optional_str(item.get("senderUrl")),
        subject=text(item["title"]),
        body=optional_str(item.get("content")),
        service=optional_str(item.get("service")),
        application_id=optional_str(item.get("applicationId")),
        reference=optional_str(item.get("reference")),
        required_trust_level=TrustLevel(level),
        is_notice=bool(item.get("isNotice", False)),
        reply_allowed=bool(item.get("replyAllowed", False)),
        received_at=received,
        read_at=aware(item.get("readAt")),
        attachments=tuple(parse_attachment(a) for a in items_of(item.get("attachments", []))),
    )


def parse_attachment(raw: Any) -> AttachmentRecord:
    item = obj(raw)
    size = item.get("contentLength")
    return AttachmentRecord(
        id=text(item["id"]),
        filename=text(item["filename"]),
        mime_type=optional_str(item.get("mimeType")),
        sha512=optional_str(item.get("sha512sum")),
        size=size if isinstance(size, int) else None,
    )


def parse_status_update(raw: Any, portal_id: str) -> StatusEventRecord:
    item = obj(raw)
    moment = aware(item["createdDate"])
    if moment is None:
        raise MalformedError("createdDate is required")
    details = item.get("statusDetails") or {}
    extra = item.get("additionalInformation") or {}
    detail = " – ".join(
        part for part in (obj(details).get("de"), obj(extra).get("de")) if isinstance(part, str)
    )
    return StatusEventRecord(
        id=text(item["id"]),
        application_id=text(item["applicationId"]),
        time=moment,
        status=ApplicationStatus(text(item["status"])),
        source=StatusSource.STATUS_MONITOR,
        detail=detail or None,
    )
