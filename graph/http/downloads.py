"""Attachment downloads through the gateway, with the same authorisation as the graph.

Mounted behind `BearerAuth(required=True)`: the viewer is signed in when this runs.
"""

from __future__ import annotations

import math
import re

from starlette.requests import Request
from starlette.responses import Response

from graph.context import Context, GatewayState
from graph.domain.access import can_open
from graph.domain.errors import PublicError, UnauthenticatedError
from graph.domain.ids import id_parts
from graph.http.auth import viewer_of
from graph.http.errors import error_response, public_error_response
from sources.base import ErrorCode
from sources.errors import SourceError

UNSAFE_FILENAME = re.compile(r"[^\w.\- ]")


async def download_attachment(request: Request) -> Response:
    viewer = viewer_of(request)
    try:
        if viewer is None:
            raise UnauthenticatedError("Sign in to download your attachments.")
        portal_id, message_id = id_parts(request.path_params["message_id"], "Message")
    except PublicError as exc:
        return public_error_response(401 if viewer is None else 400, exc)
    gateway = GatewayState.of(request)
    if (
        gateway.download_wait is not None
        and (seconds := await gateway.download_wait(viewer.subject)) > 0
    ):
        # Each download costs upstream calls (message lookup, content): limited per viewer.
        refused = error_response(
            429, "Too many downloads; try again shortly.", ErrorCode.RATE_LIMITED
        )
        refused.headers["Retry-After"] = str(max(1, math.ceil(seconds)))
        return refused
    context = Context.build(gateway, request, None, viewer=viewer)
    attachment_id = request.path_params["attachment_id"]
    try:
        record = await context.find_message(portal_id, message_id)
        if record is None or all(a.id != attachment_id for a in record.attachments):
            return error_response(404, "No such attachment in your mailbox.", ErrorCode.NOT_FOUND)
        if not can_open(record.required_trust_level, viewer):
            return error_response(
                403,
                "Sign in with a higher trust level to open this message.",
                ErrorCode.INSUFFICIENT_TRUST_LEVEL,
            )
        file = await context.actions.attachment(portal_id, viewer.token, message_id, attachment_id)
    except SourceError as exc:
        return error_response(502, "The portal's mailbox is not available right now.", exc.code)
    filename = UNSAFE_FILENAME.sub("_", file.filename) or "attachment"
    return Response(
        file.content,
        media_type=file.mime_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
