"""One submission from route to receipt, idempotent per client mutation id, on any replica.

Order: route → destination and key → form schema → create (announce attachments) →
upload each attachment → submit. The journal (sources/journal, a database shared by the
replicas) remembers how far an attempt got, keyed by the viewer's pseudonym and the
client's mutation id, and hands each attempt to one owner at a time (a lease):

- a retry with the same id resumes the same submission on any replica (no second
  POST /v1/submissions once it was announced), a repeat after success answers the first
  receipt with `duplicate: true`;
- a twin request running elsewhere (BUSY) is waited for, up to `busy_wait` seconds, then
  answered with a retryable UPSTREAM_FAILED ("still being sent");
- a failure the upstream will not accept on retry (4xx) forgets the incomplete submission
  (Submission API 1.1.3 has no DELETE; it expires at FIT-Connect), answers typed and frees
  the key;
- each submission is announced with its own `callback {url, secret}` when the desk knows
  the gateway's callback URL; the secret is kept encrypted in the journal. The steps of one attempt are in graph/domain/submission_run.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.domain.forms import field_errors
from graph.domain.refusals import SubmissionRefusedError, SubmissionRejection
from graph.domain.submission_run import Run, journal_down, record_of
from sources.base import (
    Capability,
    Router,
    SubmissionApi,
    SubmissionRecord,
    UploadRecord,
)
from sources.errors import SourceError
from sources.journal import AttachmentDigest, Claim, ClaimOutcome, Draft, Journal, JournalError


@dataclass(frozen=True, slots=True)
class Delivery:
    """What to send: a new application (case_id None) or a reply into an existing case."""

    leika_key: str
    ars: str
    service_name: str
    form: Any
    uploads: Sequence[UploadRecord]
    postfach_ref: str | None
    case_id: str | None = None
    schema_uri: str | None = None  # None: the destination's schema for the LeiKa key

    def fingerprint(self) -> str:
        content = json.dumps([self.leika_key, self.ars, self.case_id, self.form], sort_keys=True)
        hashes = ",".join(u.sha512 for u in self.uploads)
        return hashlib.sha256(f"{content}|{hashes}".encode()).hexdigest()


class SubjectKeys:
    """The journal's pseudonym of a viewer: an HMAC of the identity provider's subject.

    The journal never sees the subject; replicas share the key, so they find the same rows.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, subject: str) -> str:
        return hmac.new(self._key, b"journal-subject:" + subject.encode(), "sha256").hexdigest()


@dataclass(frozen=True, slots=True)
class Receipt:
    submission: SubmissionRecord
    duplicate: bool


@dataclass(frozen=True, slots=True)
class DeskJournal:
    """The journal as the desk uses it, with the viewer pseudonyms and the lease rules.

    `busy_wait`: how long a request whose twin runs on another replica (BUSY) polls for the
    twin's result before answering a retryable UPSTREAM_FAILED ("still in progress").
    """

    journal: Journal
    subject_keys: SubjectKeys
    audience: Callable[[str], str]
    lease_seconds: float = 120.0
    busy_wait: float = 10.0
    poll_interval: float = 0.2


class SubmissionDesk:
    def __init__(
        self,
        router: Router | None,
        apis: Mapping[str, SubmissionApi],
        journal: DeskJournal,
        callback_url: Callable[[str], str] | None = None,
        portal_of: Callable[[str], str | None] | None = None,
    ) -> None:
        """`callback_url`: portal id -> the gateway's public `/hooks/fitconnect/{portal}`
        URL; None: submissions are announced without a callback (the status is polled).
        `portal_of`: ARS -> the portal an application there belongs to (network file v2:
        one FIT-Connect for every portal, so the submission is recorded under the region's
        portal, not under the API); None: under the API's portal."""
        self.router = router
        self.apis = apis
        self.journal = journal
        self.callback_url = callback_url
        self.portal_of = portal_of

    def portal_id(self, api: SubmissionApi, delivery: Delivery) -> str:
        """The portal a submission of `delivery` through `api` is recorded under."""
        found = self.portal_of(delivery.ars) if self.portal_of else None
        return found or api.portal.id

    async def api_of(self, portal_id: str | None, delivery: Delivery) -> SubmissionApi | None:
        """The Submission API of an announced submission: by the recorded portal, else (v2,
        where the region's portal is recorded) the one its route names again."""
        api = self.apis.get(portal_id or "")
        if api is not None or self.portal_of is None:
            return api
        return (await self.route(delivery))[0]

    async def deliver(self, subject: str, key: str, delivery: Delivery) -> Receipt:
        attempt = await self._claim(subject, key, delivery)
        if attempt.outcome is ClaimOutcome.DONE:
            return Receipt(record_of(attempt.entry), duplicate=True)
        assert attempt.ticket is not None  # NEW and RESUME carry one
        run = Run(
            self, attempt.ticket, attempt.entry, delivery, audience=self.journal.audience(subject)
        )
        return Receipt(await run.go(), duplicate=False)

    async def _claim(self, subject: str, key: str, delivery: Delivery) -> Claim:
        desk = self.journal
        draft = Draft(
            service_key=delivery.leika_key,
            service_name=delivery.service_name[:200],
            region=delivery.ars,
            attachments=tuple(
                AttachmentDigest(u.sha512, u.size, u.mime_type) for u in delivery.uploads
            ),
        )
        owner = uuid.uuid4().hex  # one attempt, not one process: a double click gets BUSY
        deadline = time.monotonic() + desk.busy_wait
        while True:
            try:
                claim = await desk.journal.submissions.claim(
                    desk.subject_keys(subject),
                    key,
                    delivery.fingerprint(),
                    draft,
                    owner=owner,
                    lease_seconds=desk.lease_seconds,
                )
            except JournalError as exc:
                raise journal_down(exc) from exc
            if claim.outcome is ClaimOutcome.MISMATCH:
                raise SubmissionRefusedError(
                    SubmissionRejection.DUPLICATE,
                    "This clientMutationId was used for another submission.",
                )
            if claim.outcome is not ClaimOutcome.BUSY:
                return claim
            if time.monotonic() + desk.poll_interval > deadline:
                raise SubmissionRefusedError(
                    SubmissionRejection.UPSTREAM_FAILED,
                    "This submission is still being sent; retry with the same clientMutationId.",
                    retryable=True,
                )
            await asyncio.sleep(desk.poll_interval)

    async def route(self, delivery: Delivery) -> tuple[SubmissionApi, str]:
        if self.router is None:
            raise SubmissionRefusedError(
                SubmissionRejection.NO_ROUTE, "This gateway has no routing service configured."
            )
        try:
            route = await self.router.route(delivery.leika_key, delivery.ars)
        except SourceError as exc:
            raise SubmissionRefusedError(
                SubmissionRejection.UPSTREAM_FAILED,
                "The routing service cannot be reached.",
                retryable=True,
            ) from exc
        # Only hosts of the network file are trusted to receive a citizen's data.
        api = next(
            (a for a in self.apis.values() if route and _host(a) == route.submission_url), None
        )
        if route is None or api is None:
            raise SubmissionRefusedError(
                SubmissionRejection.NO_ROUTE,
                "No authority takes this service for this region online.",
            )
        return api, route.destination_id

    async def check_form(self, api: SubmissionApi, uri: str, form: Any) -> None:
        try:
            schema = await api.form_schema(uri)
        except SourceError as exc:
            raise SubmissionRefusedError(
                SubmissionRejection.UPSTREAM_FAILED,
                "The form definition cannot be loaded.",
                retryable=True,
            ) from exc
        errors = field_errors(schema, form) if schema is not None else []
        if errors:
            raise SubmissionRefusedError(
                SubmissionRejection.INVALID_FORM, "The form has errors.", fields=errors
            )


def _host(api: SubmissionApi) -> str:
    return api.portal.endpoints[Capability.SUBMISSIONS].url.rstrip("/")
