"""Attachment downloads through the gateway, with the same authorisation as the graph."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graph.context import Context
from graph.domain.downloads import DownloadLinkError, download_signer, parse_link
from graph.errors import BadUserInputError, PublicError, UnauthenticatedError
from graph.http.view import GatewayView, unauthenticated_response
from graph.messages import HEADER as LANGUAGE_HEADER, language
from graph.resolvers.inbox import message_parts
from sources.base import ViewerRecord
from sources.errors import SourceError

UNSAFE_FILENAME = re.compile(r"[^\w.\- ]")


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


async def _viewer(view: GatewayView, request: Request) -> ViewerRecord:
    """From the Authorization header, or else from the signed link (graph/domain/downloads)."""
    authorization = request.headers.get("authorization")
    link = parse_link(dict(request.query_params))
    if authorization is not None or link is None or view.resources is None:
        return await view.authenticate(authorization or "")
    settings = view.resources.settings
    signer = download_signer(settings.download_key, settings.download_url_ttl)
    token = signer.open(request.url.path, link)
    viewer = await view.authenticate(f"Bearer {token}")
    if not signer.belongs_to(link, viewer.subject):
        raise DownloadLinkError("This download link is not valid.")
    return viewer


def attachment_endpoint(view: GatewayView) -> Any:
    async def download(request: Request) -> Response:  # noqa: PLR0911 - one answer per failure
        if view.resources is None:
            return _error(503, "UNAVAILABLE", "The gateway is starting.")
        try:
            viewer = await _viewer(view, request)
            portal_id, message_id = message_parts(request.path_params["message_id"])
        except DownloadLinkError as exc:
            return _error(403, exc.code, str(exc) + " Query the message again for a fresh link.")
        except UnauthenticatedError as exc:
            return unauthenticated_response(exc, language(request.headers.get(LANGUAGE_HEADER)))
        except BadUserInputError as exc:
            return _error(400, exc.code, str(exc))
        context = Context.build(view.resources, request, None, viewer=viewer)
        attachment_id = request.path_params["attachment_id"]
        try:
            record = await context.find_message(portal_id, message_id)
            if record is None or all(a.id != attachment_id for a in record.attachments):
                return _error(404, "NOT_FOUND", "No such attachment in your mailbox.")
            if record.required_trust_level > viewer.trust_level:
                return _error(
                    403,
                    "INSUFFICIENT_TRUST_LEVEL",
                    "Sign in with a higher trust level to open this message.",
                )
            file = await context.loaders.attachment(
                portal_id, viewer.token, message_id, attachment_id
            )
        except SourceError as exc:
            return _error(502, exc.code, "The portal's mailbox is not available right now.")
        except PublicError as exc:
            return _error(400, str(exc.extensions["code"]), str(exc))
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

    return download
