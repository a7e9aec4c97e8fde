"""FIT-Connect Submission API: a case's event log as verified status events.

Events are Security Event Tokens (compact JWS, PS512, `typ` secevent+jwt). Who wrote one
decides how it verifies (SET payload schema 1.2.2, docs.fitko.de event-log, php-fitconnect
EventLogVerifier): the Zustelldienst's events (create, submit, notify, delete, and those
documenting replies) carry `iss` = its base URL and verify with its `/.well-known/jwks.json`;
the receiving authority's (forward, accept, reject) carry `iss` = the destination UUID and
verify with `/v1/destinations/{iss}/keys/{kid}` — and that destination must be the one the
case was submitted to. UUIDs are compared case-insensitively. The log is read page by page
(`limit` ≤ 500, `offset`). A SET whose signature, issuer, writer, case or subject does not
check out is dropped and counted, never shown (reference/portalverbund.md §3.5).

Replies of the authority (Rückkanal over FIT-Connect) appear in the case's log with `sub`
`reply:<id>`; they become history entries that carry the reply id and keep the case's status.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from sources._auth import ON_UPSTREAM, ServiceHeaders
from sources._http import Upstream
from sources._jwks import JwksCache
from sources._parse import MalformedError, items_of, obj, text
from sources._paths import UUID, segment
from sources._verified_sets import VerifiedSet, VerifiedSets
from sources.base import ApplicationStatus, PortalRecord, StatusEventRecord, StatusSource
from sources.errors import SourceError

logger = logging.getLogger("portalgraph.fitconnect")
EVENT_PREFIX = "https://schema.fitko.de/fit-connect/events/"
SUBJECT = re.compile(r"^(submission|reply):([0-9a-fA-F-]{36})$")
SERVICE, AUTHORITY, EITHER = "service", "authority", "either"
# Event name -> (status, detail, who writes it). Reply events keep the case's status (None).
EVENTS: dict[str, tuple[ApplicationStatus | None, str, str]] = {
    "create-submission": (ApplicationStatus.INITIATED, "Antrag angelegt", SERVICE),
    "submit-submission": (ApplicationStatus.SUBMITTED, "Antrag übermittelt", SERVICE),
    "notify-submission": (
        ApplicationStatus.SUBMITTED,
        "Zustellung an die Behörde angekündigt",
        SERVICE,
    ),
    "forward-submission": (
        ApplicationStatus.RECEIVED,
        "Antrag an die Behörde weitergeleitet",
        AUTHORITY,
    ),
    "accept-submission": (
        ApplicationStatus.RECEIVED,
        "Antrag von der Behörde angenommen",
        AUTHORITY,
    ),
    "reject-submission": (
        ApplicationStatus.REJECTED,
        "Antrag von der Behörde zurückgewiesen",
        AUTHORITY,
    ),
    "delete-submission": (ApplicationStatus.DELETED, "Antrag gelöscht", SERVICE),
    "submit-reply": (None, "Antwort der Behörde eingegangen", EITHER),
    "accept-reply": (None, "Antwort der Behörde abgerufen", EITHER),
    "reject-reply": (None, "Antwort der Behörde zurückgewiesen", EITHER),
}
# Reply events that document only steps before or after delivery: not part of the history.
SILENT_EVENTS = {"create-reply", "notify-reply", "delete-reply"}
MAX_CONCURRENT_CASES = 16
PAGE = 500
MAX_DESTINATION_KEYS = 256


class FitConnectCases:
    def __init__(
        self,
        portal: PortalRecord,
        upstream: Upstream,
        bearer: ServiceHeaders = ON_UPSTREAM,
        *,
        issuer: str | None = None,
    ) -> None:
        """`issuer`: the Zustelldienst's `iss` (default: the upstream's base URL)."""
        self.portal = portal
        self.upstream = upstream
        self.bearer = bearer
        self.issuer = (issuer or upstream.base_url).rstrip("/")
        self.keys = JwksCache(self._fetch_keys, upstream.ref)
        self._destination_keys: dict[tuple[str, str], asyncio.Future[RSAKey]] = {}
        # No batch endpoint: one call per case, but never more than this many at once.
        self.limit = asyncio.Semaphore(MAX_CONCURRENT_CASES)
        self.rejected_events = 0
        self.verified_sets = VerifiedSets()

    async def _fetch_keys(self) -> dict[str, Any]:
        return obj(await self.upstream.get_json("/.well-known/jwks.json"))

    async def events(
        self, case_id: str, destination_id: str | None = None
    ) -> list[StatusEventRecord]:
        tokens = await self._log(case_id)
        found = [await self.verified(token, case_id, destination_id) for token in tokens]
        return carry_status([event for event in found if event is not None])

    async def latest(
        self, case_id: str, destination_id: str | None = None
    ) -> StatusEventRecord | None:
        """The newest event of the case, or None if it does not verify (never an older one)."""
        tokens = await self._log(case_id, newest_only=True)
        if not tokens:
            return None
        newest = await self.verified(tokens[-1], case_id, destination_id)
        if newest is None or newest.reply_id is None:
            return newest
        # A reply keeps the case's status: the one of the newest verified earlier event.
        earlier = [await self.verified(t, case_id, destination_id) for t in tokens[:-1]]
        return carry_status([e for e in earlier if e is not None] + [newest])[-1]

    async def _log(self, case_id: str, *, newest_only: bool = False) -> list[str]:
        """Every SET of the case, oldest first (newest_only: at least the last page)."""
        tokens: list[str] = []
        offset = 0
        async with self.limit:
            headers = await self.bearer.headers()
            while True:
                params = {"limit": PAGE, "offset": offset}
                body = await self.upstream.send_json(
                    "GET",
                    f"/v1/cases/{segment(self.upstream, case_id, UUID)}/events",
                    params=params,
                    headers=headers,
                )
                try:
                    page, total = parse_event_log(body)
                except MalformedError as exc:
                    raise self.upstream.bad_response(f"unexpected event log: {exc}") from exc
                tokens.extend(page)
                offset += len(page)
                if not page or offset >= total:
                    return tokens
                if newest_only:  # skip to the last page of a long log
                    tokens, offset = [], max(offset, total - PAGE)

    async def verified(
        self, token: str, case_id: str, destination_id: str | None = None
    ) -> StatusEventRecord | None:
        try:
            claims, issuer = await self._checked_claims(token, destination_id)
            return parse_set(claims, case_id, by_authority=bool(UUID.fullmatch(issuer)))
        except (JoseError, MalformedError, KeyError, ValueError, UnicodeError) as exc:
            self.rejected_events += 1
            logger.warning(
                "dropped an event of %s: %s (total %d)",
                self.portal.id,
                type(exc).__name__,
                self.rejected_events,
            )
            return None

    async def _checked_claims(
        self, token: str, destination_id: str | None
    ) -> tuple[dict[str, Any], str]:
        """The claims of a SET whose signature checks out, and its issuer.

        The keys are looked up (with every issuer and destination check) on each read; the
        signature is checked once per token while those keys stay the same objects
        (sources/_verified_sets.py).
        """
        known = self.verified_sets.get(token)
        if known is not None:
            keys = await self._keys_for(known.issuer, known.kid, destination_id)
            if self.verified_sets.still_valid(known, keys):
                return known.claims, known.issuer
        extracted = jws.extract_compact(token.encode("ascii"))
        header = extracted.protected
        if header.get("typ") != "secevent+jwt" or header.get("alg") != "PS512":
            raise MalformedError("not a PS512 security event token")
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        issuer = text(_json(extracted.payload)["iss"])
        keys = await self._keys_for(issuer, kid, destination_id)
        claims = _json(jws.deserialize_compact(token, keys, algorithms=["PS512"]).payload)
        self.verified_sets.remember(token, VerifiedSet(issuer, kid, keys, claims))
        return claims, issuer

    async def _keys_for(
        self, issuer: str, kid: str | None, destination_id: str | None
    ) -> KeySet | RSAKey:
        if not UUID.fullmatch(issuer):
            if issuer.rstrip("/") != self.issuer:
                raise MalformedError("event from another issuer")
            return await self.keys.keys_for(kid)
        if destination_id is None or issuer.lower() != destination_id.lower():
            raise MalformedError("event from a destination other than the case's")
        if kid is None:
            raise MalformedError("a destination's event must name its key")
        return await self._destination_key(issuer.lower(), kid)

    async def _destination_key(self, destination_id: str, kid: str) -> RSAKey:
        # One flight per key: the events of one page share their destination's key.
        pending = self._destination_keys.get((destination_id, kid))
        if pending is None:
            while len(self._destination_keys) >= MAX_DESTINATION_KEYS:
                self._destination_keys.pop(next(iter(self._destination_keys)))
            pending = asyncio.ensure_future(self._fetch_destination_key(destination_id, kid))
            self._destination_keys[(destination_id, kid)] = pending
        try:
            return await asyncio.shield(pending)
        except Exception:
            if self._destination_keys.get((destination_id, kid)) is pending:
                del self._destination_keys[(destination_id, kid)]  # a failure is not kept
            raise

    async def _fetch_destination_key(self, destination_id: str, kid: str) -> RSAKey:
        try:
            jwk = await self.upstream.get_json(
                f"/v1/destinations/{segment(self.upstream, destination_id, UUID)}"
                f"/keys/{segment(self.upstream, kid)}"
            )
        except SourceError as exc:
            raise MalformedError(f"destination key unavailable: {exc.code}") from exc
        return signing_key(jwk)


def _json(payload: bytes) -> dict[str, Any]:
    return obj(orjson.loads(payload))


def signing_key(jwk: Any) -> RSAKey:
    """A destination's published signature key: RSA for PS512, allowed to verify."""
    item = obj(jwk)
    if item.get("kty") != "RSA" or item.get("alg") != "PS512" or "d" in item:
        raise MalformedError("a signature key must be a public RSA key for PS512")
    if "verify" not in (item.get("key_ops") or ["verify"]):
        raise MalformedError("key_ops must allow verify")
    try:
        return RSAKey.import_key({k: v for k, v in item.items() if k not in ("key_ops", "x5c")})
    except (JoseError, ValueError, TypeError) as exc:
        raise MalformedError("signature key does not parse") from exc


def parse_event_log(body: Any) -> tuple[list[str], int]:
    """The SETs of one `EventLog` page and the log's `totalCount`."""
    try:
        page = obj(body)
        tokens = [text(t) for t in items_of(page["eventLog"])]
    except KeyError as exc:
        raise MalformedError("eventLog missing") from exc
    total = page.get("totalCount", len(tokens))
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise MalformedError("totalCount must be a count")
    return tokens, total


def parse_set(
    claims: dict[str, Any], case_id: str, *, by_authority: bool
) -> StatusEventRecord | None:
    """One verified SET as a status event; None for events that document no citizen step."""
    if str(claims.get("txn", "")).lower() != f"case:{case_id.lower()}":
        raise MalformedError("event belongs to another case")
    subject = SUBJECT.match(str(claims.get("sub", "")))
    if subject is None:
        raise MalformedError("sub must be submission:<uuid> or reply:<uuid>")
    events = obj(claims["events"])
    if len(events) != 1:
        raise MalformedError("a SET carries exactly one event")
    [(uri, payload)] = events.items()
    name = text(uri).removeprefix(EVENT_PREFIX)
    if name in SILENT_EVENTS:
        return None
    if name not in EVENTS:
        raise MalformedError(f"unknown event {name}")
    status, detail, writer = EVENTS[name]
    if writer != EITHER and (writer == AUTHORITY) != by_authority:
        raise MalformedError(f"{name} must be written by the {writer}")
    is_reply = name.endswith("-reply")
    if is_reply != (subject.group(1) == "reply"):
        raise MalformedError("the event does not fit its subject")
    problems = payload.get("problems") if isinstance(payload, dict) else None
    if isinstance(problems, list) and problems:
        titles = [str(p.get("title") or p.get("detail")) for p in problems if isinstance(p, dict)]
        detail = f"{detail}: {'; '.join(titles)}"
    iat = claims["iat"]
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise MalformedError("iat must be a number")
    return StatusEventRecord(
        id=text(claims["jti"]),
        application_id=None,
        time=datetime.fromtimestamp(iat, UTC),
        # A reply's status is filled in from the events before it (carry_status).
        status=status or ApplicationStatus.PROCESSING,
        source=StatusSource.FIT_CONNECT,
        detail=detail,
        reply_id=subject.group(2).lower() if is_reply else None,
    )


def carry_status(events: list[StatusEventRecord]) -> list[StatusEventRecord]:
    """Reply events take the status of the event before them: a reply does not move the case."""
    carried: list[StatusEventRecord] = []
    for event in events:
        keep = event.reply_id is not None and carried
        carried.append(replace(event, status=carried[-1].status) if keep else event)
    return carried
