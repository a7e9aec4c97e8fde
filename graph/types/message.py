"""Postfach messages (ZBP message_v6) with trust-level locking."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from graph.domain.access import can_open
from graph.types.application import Application
from graph.types.node import Node, to_global_id
from graph.types.portal import Portal, TrustLevel
from sources.base import AttachmentRecord, MessageRecord, ViewerRecord

if TYPE_CHECKING:
    from graph.context import Context

ATTACHMENT_PATH = "/attachments"


@strawberry.type(
    description="A file attached to a message (Anhang), downloaded through the gateway."
)
class Attachment:
    id: str = strawberry.field(description="Attachment id.")
    filename: str = strawberry.field(description="File name.")
    mime_type: str | None = strawberry.field(description="Media type, e.g. application/pdf.")
    size: int | None = strawberry.field(description="Size in bytes (contentLength).")
    sha512: str | None = strawberry.field(description="SHA-512 checksum as hex (sha512sum).")
    path: strawberry.Private[str]

    @strawberry.field(
        description="Gateway path that downloads the file as a plain link (`<a href>`): signed"
        " for this viewer, valid for minutes (PORTALGRAPH_DOWNLOAD_URL_TTL). Query it again"
        " for a fresh one; the path without its query also works with an Authorization header."
    )
    def download_url(self, info: strawberry.Info[Context, None]) -> str:
        return info.context.signed_download(self.path)

    @classmethod
    def from_record(cls, record: AttachmentRecord, message_id: str) -> Attachment:
        return cls(
            id=record.id,
            filename=record.filename,
            mime_type=record.mime_type,
            size=record.size,
            sha512=record.sha512,
            path=f"{ATTACHMENT_PATH}/{message_id}/{record.id}",
        )


def message_attachments(root: strawberry.Parent[Message]) -> list[Attachment]:
    return [Attachment.from_record(a, root.id) for a in root.attachment_records]


@strawberry.type(
    description="A message in the viewer's mailbox (Postfach), e.g. a notice (Bescheid)."
)
class Message(Node):
    subject: str = strawberry.field(description="Subject line (Betreff).")
    sender: str = strawberry.field(description="Sending authority (Absender).")
    sender_url: str | None = strawberry.field(description="Website of the sending authority.")
    service: str | None = strawberry.field(description="Service the message is about (Leistung).")
    reference: str | None = strawberry.field(description="File reference (Aktenzeichen).")
    is_notice: bool = strawberry.field(description="Whether this is an official notice (Bescheid).")
    reply_allowed: bool = strawberry.field(description="Whether the authority accepts a reply.")
    received_at: datetime = strawberry.field(description="When the message arrived.")
    read_at: datetime | None = strawberry.field(description="When the viewer first read it.")
    is_read: bool = strawberry.field(description="Whether the message has been read.")
    required_trust_level: TrustLevel = strawberry.field(
        description="Trust level needed to open the message."
    )
    locked: bool = strawberry.field(
        description="True when the sign-in's trust level is too low to open the message; body and attachments are then withheld."
    )
    unlock_trust_level: TrustLevel | None = strawberry.field(
        description="Sign in again at this trust level to open a locked message; null when open."
    )
    body: str | None = strawberry.field(description="Message text (HTML); null while locked.")
    # Built when asked for: a page of 500 messages seldom lists them.
    attachments: list[Attachment] = strawberry.field(
        resolver=message_attachments, description="Attachments; empty while locked."
    )
    portal: Portal = strawberry.field(description="Portal whose mailbox holds the message.")
    application_id: strawberry.Private[str | None]
    attachment_records: strawberry.Private[tuple[AttachmentRecord, ...]]

    @strawberry.field(description="The application (Antrag) this message belongs to, if any.")
    async def application(self, info: strawberry.Info[Context, None]) -> Application | None:
        if self.application_id is None:
            return None
        record = await info.context.citizen.application_named(
            str(self.portal.id), self.application_id
        )
        if record is None:
            return None
        return Application.from_record(record, info.context.gateway.portals[record.portal_id])

    @classmethod
    def from_record(
        cls, record: MessageRecord, portal: Portal, viewer: ViewerRecord | None
    ) -> Message:
        locked = not can_open(record.required_trust_level, viewer)
        message_id = to_global_id("Message", record.portal_id, record.id)
        return cls(
            id=message_id,
            subject=record.subject,
            sender=record.sender,
            sender_url=record.sender_url,
            service=record.service,
            reference=record.reference,
            is_notice=record.is_notice,
            reply_allowed=record.reply_allowed,
            received_at=record.received_at,
            read_at=record.read_at,
            is_read=record.read_at is not None,
            required_trust_level=record.required_trust_level,
            locked=locked,
            unlock_trust_level=record.required_trust_level if locked else None,
            body=None if locked else record.body,
            portal=portal,
            application_id=record.application_id,
            attachment_records=() if locked else record.attachments,
        )
