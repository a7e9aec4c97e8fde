"""FIT-Connect callbacks: `/hooks/fitconnect/{portal}` turns "case X has new events" into live events.

The request is authenticated like FIT-Connect specifies (reference/portalverbund.md
§3.6): hex HMAC-SHA512 over "{callback-timestamp}.{raw body}" with the portal's
secret, at most five minutes old, compared in constant time. The gateway then
fetches the case's event log itself and verifies every SET's signature; the
callback body is only a hint and is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.live import LiveHub, application_from_route, status_event
from sources.errors import SourceError

logger = logging.getLogger("portalgraph.hooks")
MAX_AGE = 300
FUTURE_LEEWAY = 5
MAX_BODY = 64 * 1024
CASE_ID = re.compile(r"^[0-9a-fA-F-]{32,36}$")


def verify_callback(
    secret: str, timestamp: str | None, body: bytes, signature: str | None, *, now: float
) -> bool:
    """Whether a callback is authentic and fresh; constant-time comparison of the HMAC."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    moment = int(timestamp)
    if now - moment > MAX_AGE or moment - now > FUTURE_LEEWAY:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha512)
    return hmac.compare_digest(expected.hexdigest(), signature.strip().lower())


def case_ids(body: bytes) -> list[tuple[str, str | None]]:
    """(case id, destination id) of each submission of a new-events or new-submissions
    callback; ValueError if malformed. Only that destination may write into the case."""
    document: Any = json.loads(body)
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


def callback_endpoint(hub: Callable[[], LiveHub | None], secrets: Mapping[str, str]) -> Any:
    async def callback(request: Request) -> JSONResponse:
        portal_id = request.path_params["portal"]
        live = hub()
        if portal_id not in secrets or live is None or portal_id not in live.adapters.case_events:
            return JSONResponse({"error": "unknown portal"}, 404)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, 413)
        headers = request.headers
        if not verify_callback(
            secrets[portal_id],
            headers.get("callback-timestamp"),
            body,
            headers.get("callback-authentication"),
            now=time.time(),
        ):
            logger.warning("rejected a callback for %s: bad or stale signature", portal_id)
            return JSONResponse({"error": "invalid callback authentication"}, 401)
        try:
            cases = case_ids(body)
        except ValueError:
            return JSONResponse({"error": "malformed callback body"}, 400)
        try:
            published = sum([await publish_case(live, portal_id, *case) for case in cases])
        except SourceError as exc:
            # Not accepted: the upstream retries the callback, nothing is lost.
            logger.warning("callback for %s not processed: %s", portal_id, exc.code)
            return JSONResponse({"error": "temporarily unavailable"}, 503)
        return JSONResponse({"accepted": len(cases), "published": published})

    return callback


async def publish_case(
    live: LiveHub, portal_id: str, case_id: str, destination_id: str | None = None
) -> int:
    routes = await live.routes.lookup(portal_id, case_id)
    if not routes:
        return 0  # nobody follows the case right now; the event log keeps it for queries
    newest = await live.adapters.case_events[portal_id].latest(case_id, destination_id)
    if newest is None:
        return 0  # empty log, or the newest event's signature failed: dropped and counted
    published = 0
    for audience in {r["audience"] for r in routes}:
        route = next(r for r in routes if r["audience"] == audience)
        event = status_event(audience, application_from_route(route), newest)
        published += await live.broker.publish(event)
    return published
