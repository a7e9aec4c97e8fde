"""Postfach of one portal: messages, Statusmonitor updates, attachments — a plug-in adapter.

The Zentrales Bürgerpostfach publishes no read API for third parties (its REST interface is
reachable only inside the government networks, with BPKI; authorities write to it through
FIT-Connect as message_v6 / status_v6 submissions, reference/portalverbund.md §5.1). So this
adapter reads a portal's *own* mailbox API, which every portal product defines bilaterally:
what it expects is documented in docs/sandbox.md (the sandbox's Postfach). The published
parts are kept as published: each message's `message` member is a ZBP message_v6 object
(`replyAddress` set means the authority accepts a reply), each status update a status_v6
object (`applicationId`, `createdDate`); the envelope around a message (`id`, `receivedAt`,
`readAt`, `isNotice`, attachment ids) is the plug-in contract. Calls carry a token exchanged
for the portal.
"""

from __future__ import annotations

import hashlib
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
    """One mailbox entry: the envelope with its ZBP message_v6 `message`."""
    envelope = obj(raw)
    message = obj(envelope["message"])
    level = message.get("stork_qaa_level", 1)
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 4:
        raise MalformedError("stork_qaa_level must be 1..4")
    received = aware(envelope["receivedAt"])
    if received is None:
        raise MalformedError("receivedAt is required")
    ids = {text(a["sha512sum"]): obj(a) for a in items_of(envelope.get("attachments") or [])}
    reply_address = optional_str(message.get("replyAddress")) or None
    return MessageRecord(
        portal_id=portal_id,
        id=text(envelope["id"]),
        sender=text(message["sender"]),
        sender_url=optional_str(message.get("senderUrl")),
        subject=text(message["title"]),
        body=optional_str(message.get("content")),
        service=optional_str(message.get("service")),
        application_id=optional_str(message.get("applicationId")),
        reference=optional_str(message.get("reference")),
        required_trust_level=TrustLevel(level),
        is_notice=bool(envelope.get("isNotice", False)),
        reply_allowed=reply_address is not None,
        received_at=received,
        read_at=aware(envelope.get("readAt")),
        attachments=tuple(
            parse_attachment(a, ids) for a in items_of(message.get("attachments") or [])
        ),
        reply_address=reply_address,
    )


def parse_attachment(raw: Any, ids: dict[str, dict[str, Any]]) -> AttachmentRecord:
    """A message_v6 attachment ({filename, sha512sum, contentLength}) with the envelope's id
    and media type for it, matched by hash (no envelope entry: the hash is the id)."""
    item = obj(raw)
    digest = text(item["sha512sum"])
    extra = ids.get(digest, {})
    size = item.get("contentLength")
    return AttachmentRecord(
        id=text(extra.get("attachmentId", digest)),
        filename=text(item["filename"]),
        mime_type=optional_str(extra.get("mimeType")),
        sha512=digest,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
    )


def parse_status_update(raw: Any, portal_id: str) -> StatusEventRecord:
    """A ZBP status_v6 update; it has no id of its own, so one is derived from its content."""
    item = obj(raw)
    moment = aware(item["createdDate"])
    if moment is None:
        raise MalformedError("createdDate is required")
    application_id = text(item["applicationId"])
    status = ApplicationStatus(text(item["status"]))
    details = item.get("statusDetails") or {}
    extra = item.get("additionalInformation") or {}
    detail = " – ".join(
        part for part in (obj(details).get("de"), obj(extra).get("de")) if isinstance(part, str)
    )
    key = f"{application_id}|{item['createdDate']}|{status.value}|{detail}"
    return StatusEventRecord(
        id="zbp-" + hashlib.sha256(key.encode()).hexdigest()[:32],
        application_id=application_id,
        time=moment,
        status=status,
        source=StatusSource.STATUS_MONITOR,
        detail=detail or None,
    )
