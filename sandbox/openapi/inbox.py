"""OpenAPI document of a portal's Postfach: ZBP message_v6/status_v6 fields (§5.1), read API [I]."""

from __future__ import annotations

from sandbox.openapi.common import (
    BEARER_JWT,
    CACHE_CONTROL,
    DATE_TIME,
    NULLABLE_STRING,
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
ATTACHMENT = obj(
    ["id", "filename", "mimeType", "sha512sum", "contentLength"],
    {
        "id": STRING,
        "filename": STRING,
        "mimeType": STRING,
        "sha512sum": {"type": "string", "pattern": "^[0-9a-f]{128}$"},
        "contentLength": {"type": "integer", "minimum": 0},
    },
)
MESSAGE = obj(
    [
        *("id", "mailboxUuid", "stork_qaa_level", "sender", "senderUrl", "title", "content"),
        *("service", "applicationId", "reference", "replyAddress", "isNotice", "replyAllowed"),
        *("receivedAt", "readAt", "attachments"),
    ],
    {
        "id": STRING,
        "mailboxUuid": STRING,
        "stork_qaa_level": {"type": "integer", "minimum": 1, "maximum": 4},
        "sender": {"type": "string", "maxLength": 255},
        "senderUrl": {"type": "string", "maxLength": 255},
        "title": {"type": "string", "maxLength": 1024},
        "content": STRING,
        "service": {"type": "string", "maxLength": 255},
        "applicationId": NULLABLE_STRING,
        "reference": NULLABLE_STRING,
        "replyAddress": NULLABLE_STRING,
        "isNotice": {"type": "boolean"} | SANDBOX,
        "replyAllowed": {"type": "boolean"} | SANDBOX,
        "receivedAt": DATE_TIME | SANDBOX,
        "readAt": {"type": ["string", "null"], "format": "date-time"} | SANDBOX,
        "attachments": array(ref("Attachment")),
    },
)
STATUS_UPDATE = obj(
    [
        *("id", "applicationId", "status", "publicServiceName", "senderName", "createdDate"),
        *("statusDetails", "additionalInformation", "reference"),
    ],
    {
        "id": UUID | SANDBOX,
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
        "senderName": {"type": "string", "maxLength": 100},
        "createdDate": DATE_TIME,
        "statusDetails": GERMAN,
        "additionalInformation": {"oneOf": [GERMAN, {"type": "null"}]},
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
        "A portal's citizen mailbox with ZBP message_v6 and status_v6 field names. The real ZBP "
        "has no citizen-side API, so the read endpoints are a sandbox invention.",
        {
            "/v1/messages": {"get": messages} | SANDBOX,
            "/v1/statusupdates": {"get": updates} | SANDBOX,
            "/v1/messages/{id}/read": {"post": read} | SANDBOX,
            "/v1/messages/{id}/attachments/{attachmentId}": {"get": attachment} | SANDBOX,
        },
        {"Message": MESSAGE, "StatusUpdate": STATUS_UPDATE, "Attachment": ATTACHMENT},
        security_schemes={"bearerAuth": BEARER_JWT},
        security=[{"bearerAuth": []}],
    )
