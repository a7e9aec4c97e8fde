"""OpenAPI document of a portal's Postfach: ZBP message_v6/status_v6 fields (§5.1), read API [I]."""

from __future__ import annotations

from sandbox.openapi.common import (
    BEARER_JWT,
    CACHE_CONTROL,
    DATE_TIME,
    SANDBOX,
    STRING,
    Doc,
    array,
    document,
    envelope,
    no_content,
    obj,
    ok,
    paging,
    path,
    problem,
    ref,
    unauthorized,
)

UUID = {"type": "string", "format": "uuid"}
GERMAN = obj(["de"], {"de": STRING})
SHA512 = {"type": "string", "pattern": "^[0-9a-f]{128}$"}
# message_v6 as published (php-fitconnect ZbpMessage / EnvelopeBuilder): limits included.
MESSAGE_V6 = obj(
    ["stork_qaa_level", "mailboxUuid", "sender", "title", "content", "service"],
    {
        "stork_qaa_level": {"type": "integer", "minimum": 1, "maximum": 4},
        "mailboxUuid": UUID,
        "sender": {"type": "string", "minLength": 1, "maxLength": 255},
        "title": {"type": "string", "minLength": 1, "maxLength": 1024},
        "content": {"type": "string", "minLength": 1},
        "service": {"type": "string", "minLength": 1, "maxLength": 255},
        "applicationId": UUID,
        "retrievalConfirmationAddress": {"type": "string", "maxLength": 320},
        "replyAddress": {"type": "string", "maxLength": 320},
        "reference": {"type": "string", "maxLength": 255},
        "senderUrl": {"type": "string", "maxLength": 255},
        "attachments": array(
            obj(
                ["filename", "sha512sum", "contentLength"],
                {
                    "filename": STRING,
                    "sha512sum": SHA512,
                    "contentLength": {"type": "integer", "minimum": 0},
                },
            )
        ),
    },
)
ENVELOPE_ATTACHMENT = obj(
    ["attachmentId", "sha512sum", "mimeType"],
    {"attachmentId": STRING, "sha512sum": SHA512, "mimeType": STRING},
)
MESSAGE = obj(
    ["id", "receivedAt", "readAt", "isNotice", "message", "attachments"],
    {
        "id": STRING,
        "receivedAt": DATE_TIME,
        "readAt": {"type": ["string", "null"], "format": "date-time"},
        "isNotice": {"type": "boolean"},
        "message": ref("MessageV6"),
        "attachments": array(ENVELOPE_ATTACHMENT),
    },
    description="A mailbox entry: the envelope is the sandbox's plug-in contract [I], "
    "`message` is ZBP message_v6 as published.",
)
# status_v6 as published (php-fitconnect ZbpState / EnvelopeBuilder).
STATUS_UPDATE = obj(
    ["applicationId", "status", "publicServiceName", "senderName", "createdDate"],
    {
        "applicationId": UUID,
        "status": {
            "enum": [
                "INITIATED",
                "SUBMITTED",
                "RECEIVED",
                "PROCESSING",
                "ACTION_REQUIRED",
                "COMPLETED",
            ]
        },
        "publicServiceName": GERMAN,
        "senderName": {"type": "string", "minLength": 1, "maxLength": 100},
        "createdDate": DATE_TIME,
        "statusDetails": GERMAN,
        "additionalInformation": GERMAN,
        "reference": {"type": "string", "maxLength": 50},
    },
)
NO_MAILBOX = problem("No mailbox for the token's subject here, or no such message")
BAD_PAGE = problem("limit or offset out of range")


def inbox_document() -> Doc:
    messages = {
        "operationId": "listMessages",
        "summary": "The mailbox's messages, newest first (content at every trust level)",
        "parameters": paging(),
        "responses": {
            "200": ok(envelope("messages", ref("Message")), headers=CACHE_CONTROL),
            "400": BAD_PAGE,
            "401": unauthorized(),
            "404": NO_MAILBOX,
        },
    }
    updates = {
        "operationId": "listStatusUpdates",
        "summary": "Status updates of the mailbox owner's applications, oldest first",
        "parameters": paging(),
        "responses": {
            "200": ok(envelope("statusUpdates", ref("StatusUpdate")), headers=CACHE_CONTROL),
            "400": BAD_PAGE,
            "401": unauthorized(),
            "404": NO_MAILBOX,
        },
    }
    read = {
        "operationId": "markMessageRead",
        "summary": "Mark a message read (the first call sets readAt)",
        "parameters": [path("id")],
        "responses": {"204": no_content(), "401": unauthorized(), "404": NO_MAILBOX},
    }
    attachment = {
        "operationId": "getAttachment",
        "summary": "The attachment's bytes, with its own Content-Type",
        "parameters": [path("id"), path("attachmentId")],
        "responses": {
            "200": {
                "description": "The file",
                "headers": {
                    "Content-Disposition": {
                        "schema": {"pattern": "^attachment; filename=.+"},
                        "required": True,
                    },
                    **CACHE_CONTROL,
                },
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            "401": unauthorized(),
            "404": problem("No such message or attachment in this mailbox"),
        },
    }
    return document(
        "Postfach (sandbox)",
        "A portal's citizen mailbox: ZBP message_v6 and status_v6 objects as published, in a "
        "read API of the sandbox's own. The real ZBP has no read API for third parties, so the "
        "gateway's Postfach adapter is a plug-in and these endpoints are a sandbox invention.",
        {
            "/v1/messages": {"get": messages} | SANDBOX,
            "/v1/statusupdates": {"get": updates} | SANDBOX,
            "/v1/messages/{id}/read": {"post": read} | SANDBOX,
            "/v1/messages/{id}/attachments/{attachmentId}": {"get": attachment} | SANDBOX,
        },
        {"Message": MESSAGE, "MessageV6": MESSAGE_V6, "StatusUpdate": STATUS_UPDATE},
        security_schemes={"bearerAuth": BEARER_JWT},
        security=[{"bearerAuth": []}],
    )
