"""FIT-Connect callbacks: `/hooks/fitconnect/{portal}` turns "case X has new events" into live events.

The callback is answered 200 only after its events are durably appended to the event log
(else 503 with Retry-After, and the sender retries: docs/live-updates-delivery.md).
The request is authenticated like FIT-Connect specifies (reference/portalverbund.md
§3.6): hex HMAC-SHA512 over "{callback-timestamp}.{raw body}" with the portal's
secret or with the per-submission secret the gateway sent on create (the journal keeps it
encrypted), at most five minutes old, compared in constant time. The gateway then
fetches the case's event log itself and verifies every SET's signature; the
callback body is only a hint and is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping
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
from sources.journal import JournalError

logger = logging.getLogger("portalgraph.hooks")
MAX_AGE = 300
FUTURE_LEEWAY = 5
MAX_BODY = 64 * 1024
CASE_ID = re.compile(r"^[0-9a-fA-F-]{32,36}$")
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"[0-9a-fA-F]{128}")  # hex HMAC-SHA512
RETRY_AFTER = "5"  # seconds; the event log or the case routes could not be reached


def verify_callback(
    secret: str, timestamp: str | None, body: bytes, signature: str | None, *, now: float
) -> bool:
    """Whether a callback is authentic and fresh; constant-time comparison of the HMAC."""
    # ASCII only: str.isdigit() takes '²' and int() takes Arabic-Indic digits, 5,000 digits
    # exceed int()'s limit, and compare_digest refuses non-ASCII str (issue 18 #8).
    if not timestamp or not signature or not TIMESTAMP.fullmatch(timestamp):
        return False
    if not SIGNATURE.fullmatch(signature.strip()):
        return False
    moment = int(timestamp)
    if now - moment > MAX_AGE or moment - now > FUTURE_LEEWAY:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha512)
    return hmac.compare_digest(expected.hexdigest(), signature.strip().lower())


def case_ids(body: bytes) -> list[tuple[str, str | None]]:
    """(case id, destination id) of each submission of a new-events or new-submissions
    callback; ValueError if malformed. Only that destination may write into the case."""
    document: Any = decode_json(body)  # strict UTF-8, bounded nesting; errors are ValueErrors
    submissions = document.get("submissions") if isinstance(document, dict) else None
    if not isinstance(submissions, list) or not submissions:
        raise ValueError("submissions missing")
    found: list[tuple[str, str | None]] = []
    for submission in submissions:
        entry = submission if isinstance(submission, dict) else {}
        case, destination = entry.get("caseId"), entry.get("destinationId")
        if not (isinstance(case, str) and CASE_ID.match(case)):
            raise ValueError("caseId missing or malformed")
        if destination is not None and not (
            isinstance(destination, str) and CASE_ID.match(destination)
        ):
            raise ValueError("destinationId malformed")
        found.append((case, destination))
    return found


async def fitconnect_callback(request: Request) -> JSONResponse:
    """FIT-Connect's callback contract: JSON answers for FIT-Connect, not GraphQL errors."""
    portal_id = request.path_params["portal"]
    gateway = GatewayState.of(request)
    live = gateway.live
    known = portal_id in gateway.callback_secrets or gateway.journal is not None
    if live is None or live.adapters.case_events is None or not known:
        return JSONResponse({"error": "unknown portal"}, 404)
    body = await request.body()  # at most MAX_BODY: StreamingBodyLimit stops the rest
    headers = request.headers
    if not await authentic(gateway, portal_id, body, headers):
        logger.warning("rejected a callback for %s: bad or stale signature", portal_id)
        return JSONResponse({"error": "invalid callback authentication"}, 401)
    try:
        cases = case_ids(body)
    except ValueError:
        return JSONResponse({"error": "malformed callback body"}, 400)
    # Verified above, so both headers are present and well-formed.
    timestamp = headers["callback-timestamp"]
    signature = headers["callback-authentication"]
    if gateway.replays.seen(portal_id, signature, time.time()):
        return JSONResponse({"accepted": len(cases), "published": 0, "replayed": True})
    try:
        published = sum([await publish_case(live, portal_id, *case) for case in cases])
    except SourceError as exc:
        # Not stored, so not accepted: the sender retries the callback, nothing is lost.
        logger.warning("callback for %s not processed: %s", portal_id, exc.code)
        return JSONResponse(
            {"error": "temporarily unavailable"}, 503, headers={"Retry-After": RETRY_AFTER}
        )
    gateway.replays.remember(portal_id, signature, int(timestamp) + MAX_AGE)
    return JSONResponse({"accepted": len(cases), "published": published})


async def authentic(
    gateway: GatewayState, portal_id: str, body: bytes, headers: Mapping[str, str]
) -> bool:
    """Signed with the portal's fixed secret, or with the per-submission secret the desk
    sent with `callback {url, secret}` on create (kept encrypted in the journal)."""
    timestamp, signature = headers.get("callback-timestamp"), headers.get("callback-authentication")
    now = time.time()
    fixed = gateway.callback_secrets.get(portal_id)
    if fixed is not None and verify_callback(fixed, timestamp, body, signature, now=now):
        return True
    secret = await submission_secret(gateway, timestamp, signature, body)
    return secret is not None and verify_callback(secret, timestamp, body, signature, now=now)


async def submission_secret(
    gateway: GatewayState, timestamp: str | None, signature: str | None, body: bytes
) -> str | None:
    """The journal's secret of the one submission the callback names, if any."""
    if gateway.journal is None or not (timestamp and signature):
        return None
    if not (TIMESTAMP.fullmatch(timestamp) and SIGNATURE.fullmatch(signature.strip())):
        return None  # no journal look-up for a request that cannot be signed at all
    try:
        submissions = submission_ids(body)
    except ValueError:
        return None
    if len(submissions) != 1:  # a per-submission secret covers exactly its own submission
        return None
    try:
        return await gateway.journal.submissions.callback_secret(submissions[0])
    except JournalError as exc:
        logger.warning("callback secret not readable (%s)", exc.code)
        return None


def submission_ids(body: bytes) -> list[str]:
    """The submission ids a callback names (to find their per-submission secrets)."""
    document: Any = decode_json(body)
    submissions = document.get("submissions") if isinstance(document, dict) else None
    if not isinstance(submissions, list):
        raise ValueError("submissions missing")
    ids = [s.get("submissionId") if isinstance(s, dict) else None for s in submissions]
    if not all(isinstance(i, str) and CASE_ID.match(i) for i in ids):
        raise ValueError("submissionId missing or malformed")
    return [str(i) for i in ids]


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
