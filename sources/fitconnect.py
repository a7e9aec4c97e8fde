"""FIT-Connect Submission API: a case's event log as verified status events.

Events arrive as Security Event Tokens (compact JWS, PS512) signed by the
Zustelldienst; a SET whose signature, issuer or case does not check out is
dropped and counted, never shown (reference/portalverbund.md §3.5).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError

from sources._auth import ServiceBearer
from sources._http import Upstream
from sources._jwks import JwksCache
from sources._parse import MalformedError, items_of, obj, text
from sources._paths import UUID, segment
from sources.base import ApplicationStatus, PortalRecord, StatusEventRecord, StatusSource

logger = logging.getLogger("portalgraph.fitconnect")
EVENT_PREFIX = "https://schema.fitko.de/fit-connect/events/"
EVENT_STATUS = {
    "create-submission": ApplicationStatus.INITIATED,
    "submit-submission": ApplicationStatus.SUBMITTED,
    "notify-submission": ApplicationStatus.SUBMITTED,
    "forward-submission": ApplicationStatus.RECEIVED,
    "accept-submission": ApplicationStatus.RECEIVED,
    "reject-submission": ApplicationStatus.REJECTED,
    "delete-submission": ApplicationStatus.DELETED,
}
EVENT_DETAIL = {
    "create-submission": "Antrag angelegt",
    "submit-submission": "Antrag übermittelt",
    "notify-submission": "Zustellung an die Behörde angekündigt",
    "forward-submission": "Antrag an die Behörde weitergeleitet",
    "accept-submission": "Antrag von der Behörde angenommen",
    "reject-submission": "Antrag von der Behörde zurückgewiesen",
    "delete-submission": "Antrag gelöscht",
}
MAX_CONCURRENT_CASES = 16
PAGE = 500


class FitConnectCases:
    def __init__(self, portal: PortalRecord, upstream: Upstream, bearer: ServiceBearer) -> None:
        self.portal = portal
        self.upstream = upstream
        self.bearer = bearer
        self.keys = JwksCache(self._fetch_keys, upstream.ref)
        # No batch endpoint: one call per case, but never more than this many at once.
        self.limit = asyncio.Semaphore(MAX_CONCURRENT_CASES)
        self.rejected_events = 0

    async def _fetch_keys(self) -> dict[str, Any]:
        return obj(await self.upstream.get_json("/.well-known/jwks.json"))

    async def events(self, case_id: str) -> list[StatusEventRecord]:
        tokens = await self._log(case_id)
        events = []
        for token in tokens:
            event = await self.verified(token, case_id)
            if event is not None:
                events.append(event)
        return events

    async def latest(self, case_id: str) -> StatusEventRecord | None:
        """The newest event of the case, or None if it does not verify (never an older one)."""
        tokens = await self._log(case_id)
        return await self.verified(tokens[-1], case_id) if tokens else None

    async def _log(self, case_id: str) -> list[str]:
        async with self.limit:
            headers = await self.bearer.headers()
            body = await self.upstream.send_json(
                "GET",
                f"/v1/cases/{segment(self.upstream, case_id, UUID)}/events",
                params={"limit": PAGE},
                headers=headers,
            )
        try:
            return [text(t) for t in items_of(obj(body)["eventLog"])]
        except (MalformedError, KeyError) as exc:
            raise self.upstream.bad_response(f"unexpected event log: {exc}") from exc

    async def verified(self, token: str, case_id: str) -> StatusEventRecord | None:
        try:
            header = jws.extract_compact(token.encode("ascii")).protected
            kid = header.get("kid")
            keys = await self.keys.keys_for(kid if isinstance(kid, str) else None)
            claims = jws.deserialize_compact(token, keys, algorithms=["PS512"]).payload
            return parse_set(_json(claims), case_id, issuer=self.upstream.base_url)
        except (JoseError, MalformedError, KeyError, ValueError, UnicodeError) as exc:
            self.rejected_events += 1
            logger.warning(
                "dropped an event of %s: %s (total %d)",
                self.portal.id,
                type(exc).__name__,
                self.rejected_events,
            )
            return None


def _json(payload: bytes) -> dict[str, Any]:
    return obj(json.loads(payload))


def parse_set(claims: dict[str, Any], case_id: str, *, issuer: str) -> StatusEventRecord:
    if claims.get("txn") != f"case:{case_id}":
        raise MalformedError("event belongs to another case")
    if str(claims.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
        raise MalformedError("event from another issuer")
    events = obj(claims["events"])
    if len(events) != 1:
        raise MalformedError("a SET carries exactly one event")
    [(uri, payload)] = events.items()
    name = text(uri).removeprefix(EVENT_PREFIX)
    if name not in EVENT_STATUS:
        raise MalformedError(f"unknown event {name}")
    detail = EVENT_DETAIL[name]
    problems = obj(payload).get("problems") if isinstance(payload, dict) else None
    if isinstance(problems, list) and problems:
        titles = [str(p.get("title") or p.get("detail")) for p in problems if isinstance(p, dict)]
        detail = f"{detail}: {'; '.join(titles)}"
    iat = claims["iat"]
    if not isinstance(iat, int | float):
        raise MalformedError("iat must be a number")
    return StatusEventRecord(
        id=text(claims["jti"]),
        application_id=None,
        time=datetime.fromtimestamp(iat, UTC),
        status=EVENT_STATUS[name],
        source=StatusSource.FIT_CONNECT,
        detail=detail,
    )
