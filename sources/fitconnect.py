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
`reply:<id>`; they become history entries that carry the reply id and keep the case's status. Reading
the verified claims into records is sources/_fitconnect_events.py (pure functions).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from sources._auth import ON_UPSTREAM, ServiceHeaders
from sources._fitconnect_events import (
    carry_status,
    claims_of,
    parse_event_log,
    parse_set,
    signing_key,
)
from sources._http import Upstream
from sources._jwks import JwksCache
from sources._parse import MalformedError, obj, text
from sources._paths import UUID, segment
from sources._verified_sets import VerifiedSet, VerifiedSets
from sources.base import PortalRecord, StatusEventRecord
from sources.errors import SourceError

logger = logging.getLogger("portalgraph.fitconnect")
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
        issuer = text(claims_of(extracted.payload)["iss"])
        keys = await self._keys_for(issuer, kid, destination_id)
        claims = claims_of(jws.deserialize_compact(token, keys, algorithms=["PS512"]).payload)
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
