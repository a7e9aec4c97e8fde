"""Attachment downloads through the gateway, with the same authorisation as the graph.

Mounted behind `SignedLinkAuth` (a signed link or `BearerAuth(required=True)`): the viewer
is signed in when `download_attachment` runs.
"""

from __future__ import annotations

import math
import re

from starlette.datastructures import Headers, QueryParams
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.context import VIEWER_KEY, Context, GatewayState
from graph.domain.access import can_open
from graph.domain.downloads import DownloadLinkError, parse_link
from graph.domain.errors import PublicError, UnauthenticatedError
from graph.domain.ids import id_parts
from graph.http.auth import BearerAuth, authenticate, refuse, viewer_of
from graph.http.errors import error_response, public_error_response
from sources.base import ErrorCode, ViewerRecord
from sources.errors import SourceError

UNSAFE_FILENAME = re.compile(r"[^\w.\- ]")
INVALID_LINK = "This download link is not valid."


class SignedLinkAuth:
    """Pure ASGI on the download route: a signed link (graph/domain/downloads.py) signs in.

    A request with an `Authorization` header, or without a link, goes to `BearerAuth`
    (sign-in required); a link opens its sealed token, which is verified like a header's
    and must belong to the viewer the link was made for.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.bearer = BearerAuth(app, required=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        params = dict(QueryParams(scope.get("query_string", b"")))
        if scope["type"] != "http" or "authorization" in headers or "ticket" not in params:
            await self.bearer(scope, receive, send)
            return
        try:
            viewer = await viewer_of_link(GatewayState.of(HTTPConnection(scope)), scope, params)
        except DownloadLinkError as exc:
            hint = f"{exc} Query the message again for a fresh link."
            await error_response(403, hint, exc.code)(scope, receive, send)
            return
        except UnauthenticatedError as exc:
            await refuse(exc, scope)(scope, receive, send)
            return
        scope.setdefault("state", {})[VIEWER_KEY] = viewer
        await self.app(scope, receive, send)


async def viewer_of_link(
    gateway: GatewayState, scope: Scope, params: dict[str, str]
) -> ViewerRecord:
    link = parse_link(params)
    if link is None:
        raise DownloadLinkError(INVALID_LINK)
    signer = gateway.download_signer
    token = signer.open(scope["path"], link)
    viewer = await authenticate(gateway, f"Bearer {token}")
    if not signer.belongs_to(link, viewer.subject):
        raise DownloadLinkError(INVALID_LINK)
    return viewer


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
        record = await context.citizen.find_message(portal_id, message_id)
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
