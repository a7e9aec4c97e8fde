"""A portal's Postfach: ZBP messages (message_v6) and status updates (status_v6) per citizen.

The real ZBP has no citizen-side API (portalverbund.md §5.1), so these read endpoints are a
sandbox invention [I] with ZBP field names. The bearer is an exchanged token for the portal
audience; its subject selects the mailbox (the citizen's Postkorb-Handle). Content is served
for every trust level: locking messages above the session's level is the gateway's job.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import BearerCheck, json_response, page, paging, problem
from sandbox.case_model import Cases, Message
from sandbox.case_store import CaseStore
from sandbox.citizens import Citizen
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.inbox import inbox_document

T = TypeVar("T")


def new_message(portal_id: str, citizen: Citizen, body: dict[str, Any]) -> Message:
    return Message(
        id=str(uuid.uuid4()),
        portal_id=portal_id,
        mailbox=citizen.legacy_postkorb_handle,
        level=int(body.get("level", 1)),
        sender=str(body.get("sender", "Bürgeramt")),
        sender_url="https://www.example.org",
        title=str(body.get("title", "Neue Nachricht")),
        content=str(body.get("content", "<p>Bitte beachten Sie die neue Nachricht.</p>")),
        service=str(body.get("service", "Allgemeine Anfrage")),
        application_id=body.get("applicationId"),
        reference=None,
        reply_address=body.get("replyAddress"),  # set: the authority accepts a reply
        is_notice=bool(body.get("isNotice", False)),
        received_at=int(time.time()),
        read_at=None,
    )


def create_inbox_app(  # noqa: PLR0915 - one closure per endpoint over shared state
    *,
    portal_id: str,
    audience: str,
    issuer: Callable[[], str],
    jwks: Callable[[], KeySet],
    citizens: Mapping[str, Citizen],
    cases: CaseStore,
    holds: tuple[str, ...] | None = None,
) -> Starlette:
    """The Postfach of `portal_id`; `citizens` is `citizen_index(...)`, `cases` the shared store.

    `holds` names the portals whose messages and status updates it keeps (default: its
    own); the central BundID Postfach of the topology sandbox holds every portal's.
    """
    check = BearerCheck(issuer=issuer, jwks=jwks, audience=audience)
    portals = holds or (portal_id,)
    # The central BundID Postfach: every citizen signed in with the BundID has a mailbox.
    everyone = holds is not None

    def has_mailbox(citizen: Citizen) -> bool:
        return everyone or citizen.account_at(portal_id) is not None

    def held(per_portal: Mapping[str, list[T]]) -> list[T]:
        return [item for p in portals for item in per_portal.get(p, [])]

    def mailbox(request: Request) -> Cases | JSONResponse:
        claims = check(request)
        if isinstance(claims, JSONResponse):
            return claims
        citizen = citizens.get(str(claims["sub"]))
        if citizen is None or citizen.subject != claims["sub"] or not has_mailbox(citizen):
            return problem(404, "Not Found", f"no mailbox at portal {portal_id}")
        handle = claims.get("legacy_postkorb_handle")
        if handle is not None and handle != citizen.legacy_postkorb_handle:
            return problem(404, "Not Found", "the token's Postkorb-Handle names no mailbox here")
        mine = cases.cases(citizen.subject)
        assert mine is not None
        return mine

    def own_message(request: Request) -> Message | JSONResponse:
        mine = mailbox(request)
        if isinstance(mine, JSONResponse):
            return mine
        wanted = request.path_params["id"]
        found = next((m for m in held(mine.messages) if m.id == wanted), None)
        return found or problem(404, "Not Found", "no such message in this mailbox")

    async def messages(request: Request) -> Response:
        mine = mailbox(request)
        if isinstance(mine, JSONResponse):
            return mine
        paged = paging(request)
        if isinstance(paged, JSONResponse):
            return paged
        mail = held(mine.messages)
        if holds:  # several portals' messages: newest first, as each portal keeps its own
            mail.sort(key=lambda m: m.received_at, reverse=True)
        listed = [m.as_json() for m in mail]
        return json_response(page(listed, *paged, key="messages"))

    async def status_updates(request: Request) -> Response:
        mine = mailbox(request)
        if isinstance(mine, JSONResponse):
            return mine
        paged = paging(request)
        if isinstance(paged, JSONResponse):
            return paged
        updates = [
            (update.at, update.id, app.status_json(update))
            for app in held(mine.applications)
            for update in app.statuses
        ]
        updates.sort(key=lambda row: (row[0], row[1]))
        return json_response(page([row[2] for row in updates], *paged, key="statusUpdates"))

    async def mark_read(request: Request) -> Response:
        message = own_message(request)
        if isinstance(message, JSONResponse):
            return message
        if message.read_at is None:  # the first read counts; later calls change nothing
            message.read_at = max(int(time.time()), message.received_at)
        return Response(status_code=204)

    async def attachment(request: Request) -> Response:
        message = own_message(request)
        if isinstance(message, JSONResponse):
            return message
        wanted = request.path_params["attachmentId"]
        found = next((a for a in message.attachments if a.id == wanted), None)
        if found is None:
            return problem(404, "Not Found", "no such attachment")
        headers = {
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Cache-Control": "private, no-store",
        }
        return Response(found.content, media_type=found.mime_type, headers=headers)

    async def deliver(request: Request) -> Response:
        # Sandbox helper: an authority sends a message to a demo citizen (by login).
        try:
            body: Any = await request.json()
            citizen = citizens[str(body["login"])]
        except (ValueError, KeyError, TypeError):
            return problem(400, "Bad Request", 'body must be {"login": "...", "title": "..."}')
        mine = cases.cases(citizen.subject)
        if mine is None or not has_mailbox(citizen):
            return problem(404, "Not Found", f"no mailbox at portal {portal_id}")
        message = new_message(portal_id, citizen, body)
        mine.messages.setdefault(portal_id, []).insert(0, message)
        return JSONResponse({"id": message.id}, 201)

    upstream = [
        Route("/v1/messages", messages),
        Route("/v1/statusupdates", status_updates),
        Route("/v1/messages/{id}/read", mark_read, methods=["POST"]),
        Route("/v1/messages/{id}/attachments/{attachmentId}", attachment),
    ]
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    helpers = [Route("/_sandbox/messages", deliver, methods=["POST"])]
    return with_openapi(inbox_document, counted, helpers)
