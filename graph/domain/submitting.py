"""One submission from route to receipt, idempotent per client mutation id.

Order: route → destination and key → form schema → create (announce attachments) →
upload each attachment → submit. The journal remembers how far an attempt got, keyed by
the viewer and the client's mutation id: a retry with the same id resumes the same
submission (no orphan upstream), a repeat after success answers the same receipt. A failure
the upstream will not accept on retry (4xx) forgets the incomplete submission and answers
typed. The journal is in-process memory: with several replicas a client retries through the
same replica only by luck, and an unfinished attempt is lost on restart (the sandbox keeps
it as an incomplete submission, as FIT-Connect does until it expires).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.domain.forms import field_errors
from sources.base import (
    Capability,
    FormRecord,
    Router,
    SubmissionApi,
    SubmissionRecord,
    UploadRecord,
)
from sources.errors import SourceBadResponseError, SourceError, SourceRejectedError


class SubmissionRefusedError(Exception):
    """An expected failure; `code` is a SubmissionRejection member name."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool = False,
        fields: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.code, self.retryable, self.fields = code, retryable, list(fields)


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


@dataclass(slots=True)
class Attempt:
    fingerprint: str
    submission: SubmissionRecord | None = None
    uploaded: set[str] = field(default_factory=set)
    done: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class SubmissionJournal:
    """Attempts by (viewer, client mutation id), oldest dropped beyond `max_entries`."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._attempts: OrderedDict[tuple[str, str], Attempt] = OrderedDict()

    def attempt(self, subject: str, key: str, fingerprint: str) -> Attempt:
        index = (hashlib.sha256(subject.encode()).hexdigest(), key)
        found = self._attempts.get(index)
        if found is None:
            found = self._attempts[index] = Attempt(fingerprint)
            while len(self._attempts) > self.max_entries:
                self._attempts.popitem(last=False)
        return found

    def forget(self, subject: str, key: str) -> None:
        self._attempts.pop((hashlib.sha256(subject.encode()).hexdigest(), key), None)


@dataclass(frozen=True, slots=True)
class Receipt:
    submission: SubmissionRecord
    duplicate: bool


class SubmissionDesk:
    def __init__(
        self, router: Router | None, apis: Mapping[str, SubmissionApi], journal: SubmissionJournal
    ) -> None:
        self.router = router
        self.apis = apis
        self.journal = journal

    async def deliver(self, subject: str, key: str, delivery: Delivery) -> Receipt:
        attempt = self.journal.attempt(subject, key, delivery.fingerprint())
        if attempt.fingerprint != delivery.fingerprint():
            raise SubmissionRefusedError(
                "DUPLICATE", "This clientMutationId was used for another submission."
            )
        async with attempt.lock:  # a double click waits for the first request, then repeats it
            if attempt.done and attempt.submission is not None:
                return Receipt(attempt.submission, duplicate=True)
            try:
                return Receipt(await self._run(attempt, delivery), duplicate=False)
            except SubmissionRefusedError as exc:
                if not exc.retryable:
                    self.journal.forget(subject, key)
                raise

    async def _run(self, attempt: Attempt, delivery: Delivery) -> SubmissionRecord:
        api, destination_id = await self._route(delivery)
        try:
            destination = await api.destination(destination_id)
        except SourceBadResponseError as exc:
            raise SubmissionRefusedError(
                "DESTINATION_KEY_INVALID", "The authority's encryption key is unusable."
            ) from exc
        except SourceError as exc:
            raise SubmissionRefusedError(
                "UPSTREAM_FAILED", "The authority cannot be reached.", retryable=True
            ) from exc
        schema_uri = delivery.schema_uri or destination.schema_uris.get(delivery.leika_key)
        if delivery.schema_uri is None and schema_uri is not None:
            await self._check_form(api, schema_uri, delivery.form)
        data = json.dumps(delivery.form, ensure_ascii=False, separators=(",", ":")).encode()
        form = FormRecord(
            delivery.leika_key, delivery.service_name, data, schema_uri or "", delivery.postfach_ref
        )
        try:
            if attempt.submission is None:
                attempt.submission = await api.create(
                    destination,
                    delivery.leika_key,
                    delivery.service_name,
                    len(delivery.uploads),
                    delivery.case_id,
                )
            submission = attempt.submission
            for attachment_id, upload in zip(
                submission.attachment_ids, delivery.uploads, strict=True
            ):
                if attachment_id not in attempt.uploaded:
                    await api.upload(submission, destination, attachment_id, upload)
                    attempt.uploaded.add(attachment_id)
            await api.submit(submission, destination, form, delivery.uploads)
        except SourceRejectedError as exc:
            self._clean_up(attempt)
            raise SubmissionRefusedError(
                "REFUSED_BY_DESTINATION", "The authority refused the submission."
            ) from exc
        except SourceError as exc:
            raise SubmissionRefusedError(
                "UPSTREAM_FAILED",
                "Sending failed half-way; retry with the same clientMutationId.",
                retryable=True,
            ) from exc
        attempt.done = True
        return submission

    async def _route(self, delivery: Delivery) -> tuple[SubmissionApi, str]:
        if self.router is None:
            raise SubmissionRefusedError(
                "NO_ROUTE", "This gateway has no routing service configured."
            )
        try:
            route = await self.router.route(delivery.leika_key, delivery.ars)
        except SourceError as exc:
            raise SubmissionRefusedError(
                "UPSTREAM_FAILED", "The routing service cannot be reached.", retryable=True
            ) from exc
        # Only hosts of the network file are trusted to receive a citizen's data.
        api = next(
            (a for a in self.apis.values() if route and _host(a) == route.submission_url), None
        )
        if route is None or api is None:
            raise SubmissionRefusedError(
                "NO_ROUTE", "No authority takes this service for this region online."
            )
        return api, route.destination_id

    async def _check_form(self, api: SubmissionApi, uri: str, form: Any) -> None:
        try:
            schema = await api.form_schema(uri)
        except SourceError as exc:
            raise SubmissionRefusedError(
                "UPSTREAM_FAILED", "The form definition cannot be loaded.", retryable=True
            ) from exc
        errors = field_errors(schema, form) if schema is not None else []
        if errors:
            raise SubmissionRefusedError("INVALID_FORM", "The form has errors.", fields=errors)

    @staticmethod
    def _clean_up(attempt: Attempt) -> None:
        # Nothing to delete upstream (1.1.3 has no DELETE): the incomplete submission expires.
        attempt.submission, attempt.uploaded = None, set()


def _host(api: SubmissionApi) -> str:
    return api.portal.endpoints[Capability.SUBMISSIONS].url.rstrip("/")
