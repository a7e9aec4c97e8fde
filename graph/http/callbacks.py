"""FIT-Connect callbacks: `/hooks/fitconnect/{portal}` turns "case X has new events" into live events.

The callback is answered 200 only after its events are durably appended to the event log
(else 503 with Retry-After, and the sender retries: docs/live-updates-delivery.md).
Each submission the gateway creates carries `callback {url, secret}` with a fresh secret
the journal keeps encrypted (reference/portalverbund.md §3.6); FIT-Connect signs that
submission's callbacks with it: hex HMAC-SHA512 over "{callback-timestamp}.{raw body}",
at most five minutes old, compared in constant time. The body must be read first, since
the submission it names decides the secret: a body that is no new-events callback is a
400; a submission without a secret here, one of another portal or another case than the
body names, or a wrong signature: a 401, the same answer for each. The gateway then
fetches the case's event log itself and verifies every SET's signature; the callback body
is only a hint and is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import request_response

from graph.context import GatewayState
from graph.domain.live import LiveHub
from graph.domain.live_events import application_from_route, status_event
from graph.http.body_limit import StreamingBodyLimit
from graph.http.request_body import decode_json
from sources.errors import SourceError
from sources.journal import CallbackTarget, JournalError, JournalUnavailableError

logger = logging.getLogger("portalgraph.hooks")
MAX_AGE = 300
FUTURE_LEEWAY = 5
MAX_BODY = 64 * 1024
UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"[0-9a-fA-F]{128}")  # hex HMAC-SHA512
RETRY_AFTER = "5"  # seconds; the event log or the case routes could not be reached


@dataclass(frozen=True, slots=True)
class Named:
    """One entry of a callback's `submissions[]`."""

    submission_id: str
    case_id: str
    destination_id: str | None  # only this destination may write into the case


def verify_callback(
    secret: str, timestamp: str | None, body: bytes, signature: str | None, *, now: float
) -> bool:
    """Whether a callback is authentic and fresh; constant-time comparison of the HMAC."""
    if timestamp is None or signature is None or not well_formed(timestamp, signature):
        return False
    moment = int(timestamp)
    if now - moment > MAX_AGE or moment - now > FUTURE_LEEWAY:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha512)
    return hmac.compare_digest(expected.hexdigest(), signature.strip().lower())


def well_formed(timestamp: str, signature: str) -> bool:
    """Both headers ASCII-shaped, checked before any parsing or look-up."""
    # ASCII only: str.isdigit() takes '²' and int() takes Arabic-Indic digits, 5,000 digits
    # exceed int()'s limit, and compare_digest refuses non-ASCII str (issue 18 #8).
    if not timestamp or not signature or not TIMESTAMP.fullmatch(timestamp):
        return False
    return SIGNATURE.fullmatch(signature.strip()) is not None


def named_submissions(body: bytes) -> list[Named]:
    """The submissions a new-events callback names; ValueError if malformed."""
    document: Any = decode_json(body)  # strict UTF-8, bounded nesting; errors are ValueErrors
    submissions = document.get("submissions") if isinstance(document, dict) else None
    if not isinstance(submissions, list) or not submissions:
        raise ValueError("submissions missing")
    found: list[Named] = []
    for submission in submissions:
        entry = submission if isinstance(submission, dict) else {}
        ids = entry.get("submissionId"), entry.get("caseId")
        if not all(isinstance(i, str) and UUID.match(i) for i in ids):
            raise ValueError("submissionId or caseId missing or malformed")
        destination = entry.get("destinationId")
        if destination is not None and not (
            isinstance(destination, str) and UUID.match(destination)
        ):
            raise ValueError("destinationId malformed")
        found.append(Named(str(ids[0]), str(ids[1]), destination))
    return found


async def fitconnect_callback(request: Request) -> JSONResponse:
    """FIT-Connect's callback contract: JSON answers for FIT-Connect, not GraphQL errors."""
    portal_id = request.path_params["portal"]
    gateway = GatewayState.of(request)
    live = gateway.live
    known = gateway.journal is not None and portal_id in gateway.portals
    if live is None or live.adapters.case_events is None or not known:
        return JSONResponse({"error": "unknown portal"}, 404)
    checked = await authenticated(gateway, portal_id, request)
    if isinstance(checked, JSONResponse):
        return checked
    case, timestamp, signature = checked
    if gateway.replays.seen(portal_id, signature, time.time()):
        return JSONResponse({"accepted": 1, "published": 0, "replayed": True})
    try:
        published = await publish_case(live, portal_id, case.case_id, case.destination_id)
    except SourceError as exc:
        # Not stored, so not accepted: the sender retries the callback, nothing is lost.
        logger.warning("callback for %s not processed: %s", portal_id, exc.code)
        return unavailable()
    gateway.replays.remember(portal_id, signature, int(timestamp) + MAX_AGE)
    return JSONResponse({"accepted": 1, "published": published})


async def authenticated(
    gateway: GatewayState, portal_id: str, request: Request
) -> tuple[Named, str, str] | JSONResponse:
    """(the submission named, timestamp, signature) of an authentic, fresh callback, or
    the answer: 401 unsigned or not signed with the submission's secret, 400 malformed."""
    body = await request.body()  # at most MAX_BODY: StreamingBodyLimit stops the rest
    timestamp = request.headers.get("callback-timestamp")
    signature = request.headers.get("callback-authentication")
    if timestamp is None or signature is None or not well_formed(timestamp, signature):
        return refused(portal_id)  # not even signed: the body is not parsed
    try:
        named = named_submissions(body)
    except ValueError:
        return JSONResponse({"error": "malformed callback body"}, 400)
    try:
        target = await callback_target(gateway, named)
    except JournalUnavailableError:
        return unavailable()  # the secret cannot be read now: the sender retries
    # Another portal's hook, or another case than the one the submission created: answered
    # exactly as an unknown submission is, so the hook tells nobody which ids exist where.
    if target is None or not target.matches(portal_id, named[0].case_id):
        return refused(portal_id)
    if not verify_callback(target.secret, timestamp, body, signature, now=time.time()):
        return refused(portal_id)
    return named[0], timestamp, signature


def unavailable() -> JSONResponse:
    return JSONResponse(
        {"error": "temporarily unavailable"}, 503, headers={"Retry-After": RETRY_AFTER}
    )


def refused(portal_id: str) -> JSONResponse:
    logger.warning("rejected a callback for %s: bad or stale signature", portal_id)
    return JSONResponse({"error": "invalid callback authentication"}, 401)


async def callback_target(gateway: GatewayState, named: list[Named]) -> CallbackTarget | None:
    """The portal, case and secret the journal keeps for the one submission the body names
    (the secret went out with `callback {url, secret}` when the gateway created it); None if
    there is none. Raises JournalUnavailableError when the journal cannot be asked."""
    if gateway.journal is None or len(named) != 1:
        return None  # a per-submission secret covers exactly its own submission
    try:
        return await gateway.journal.submissions.callback_target(named[0].submission_id)
    except JournalUnavailableError:
        raise
    except JournalError as exc:  # e.g. its key was dropped from the key ring: refused
        logger.warning("callback secret not readable (%s)", exc.code)
        return None


# The limit applies while the body streams in, before the portal or signature is looked at.
callback_app = StreamingBodyLimit(request_response(fitconnect_callback), MAX_BODY)


async def publish_case(
    live: LiveHub, portal_id: str, case_id: str, destination_id: str | None = None
) -> int:
    """Appends the case's newest status for each viewer who follows it; how many.

    Returns only once every event is stored in the log (the callback is then answered
    200); raises SourceError otherwise (answered 503, so the sender retries).
    """
    routes = await live.routes.lookup(portal_id, case_id)
    if not routes:
        return 0  # nobody follows the case right now; the event log keeps it for queries
    events = live.adapters.case_events
    if events is None:
        return 0
    newest = await events.latest(case_id, destination_id)
    if newest is None:
        return 0  # empty log, or the newest event's signature failed: dropped and counted
    published = 0
    for audience in {r["audience"] for r in routes}:
        route = next(r for r in routes if r["audience"] == audience)
        event = status_event(audience, application_from_route(route), newest)
        await live.publish(event)
        published += 1
    return published
