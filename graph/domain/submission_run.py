"""One attempt of the submission desk, moved on from the state the journal stored.

PREPARED: route, create (POST /v1/submissions), record the ids (ANNOUNCED) and the case
route. ANNOUNCED: upload what is not recorded as uploaded, one journal step each. Then
submit and record SUBMITTED. Every step is committed before the next upstream call, so a
process killed anywhere leaves a state a retry continues from (docs/journal.md lists the
windows). A refusal is noted in the journal: retryable ones free the lease, final ones
free the key (the incomplete submission is not deleted: Submission API 1.1.3 has no
DELETE, it expires at FIT-Connect).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import secrets
from collections.abc import Awaitable
from http import HTTPStatus
from typing import TYPE_CHECKING, TypeVar

from graph.domain.refusals import SubmissionRefusedError, SubmissionRejection
from sources.base import (
    CallbackRecord,
    DestinationRecord,
    FormRecord,
    SubmissionApi,
    SubmissionRecord,
)
from sources.errors import SourceBadResponseError, SourceError, SourceRejectedError
from sources.journal import (
    Announcement,
    JournalError,
    SubmissionEntry,
    SubmissionState,
    Ticket,
)

if TYPE_CHECKING:
    from graph.domain.submitting import Delivery, SubmissionDesk

T = TypeVar("T")
logger = logging.getLogger("portalgraph.submissions")


class Run:
    """One attempt the desk owns, moved on from the state the journal stored."""

    def __init__(
        self,
        desk: SubmissionDesk,
        ticket: Ticket,
        entry: SubmissionEntry,
        delivery: Delivery,
        *,
        audience: str,
    ) -> None:
        self.desk, self.ticket, self.entry, self.delivery = desk, ticket, entry, delivery
        self.audience = audience
        self.submissions = desk.journal.journal.submissions

    async def go(self) -> SubmissionRecord:
        keeping = asyncio.create_task(self._keep_lease())
        try:
            return await self._go()
        except SubmissionRefusedError as exc:
            await self._note(exc.code.value, retryable=exc.retryable)
            raise
        finally:
            keeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeping

    async def _keep_lease(self) -> None:
        """Renews the lease while this attempt runs: a slow upload must not let a retry on
        another replica take the attempt over. A dead process renews nothing, so its lease
        runs out and a retry resumes."""
        lease = self.desk.journal.lease_seconds
        while True:
            await asyncio.sleep(lease / 3)
            try:
                await self.submissions.renew(self.ticket, lease)
            except JournalError as exc:  # finished meanwhile, or lost: the steps will tell
                logger.info("lease not renewed (%s)", exc.code)
                return

    async def _go(self) -> SubmissionRecord:
        entry, delivery = self.entry, self.delivery
        resumed_after_submit = entry.state is SubmissionState.UPLOADED
        if entry.state is SubmissionState.PREPARED:
            api, destination_id = await self.desk.route(delivery)
            destination = await self._destination(api, destination_id)
        else:  # announced before: the same submission, never a second POST /v1/submissions
            api = await self._api(entry.portal_id)
            destination = await self._destination(api, entry.destination_id or "")
        schema_uri = delivery.schema_uri or destination.schema_uris.get(delivery.leika_key)
        if delivery.schema_uri is None and schema_uri is not None:
            await self.desk.check_form(api, schema_uri, delivery.form)
        data = json.dumps(delivery.form, ensure_ascii=False, separators=(",", ":")).encode()
        form = FormRecord(
            delivery.leika_key, delivery.service_name, data, schema_uri or "", delivery.postfach_ref
        )
        submission = record_of(entry) if entry.submission_id else None
        try:
            if submission is None:
                submission = await self._announce(api, destination)
            for attachment_id, upload in zip(
                submission.attachment_ids, delivery.uploads, strict=True
            ):
                if attachment_id not in self.entry.uploaded_ids:
                    await api.upload(submission, destination, attachment_id, upload)
                    self.entry = await self._journal(
                        self.submissions.uploaded(self.ticket, attachment_id)
                    )
            try:
                await api.submit(submission, destination, form, delivery.uploads)
            except SourceRejectedError as exc:
                # Killed after the submit call, before the journal heard: the repeat finds
                # the submission sent (409), and a submission leaves `incomplete` once.
                if not (resumed_after_submit and exc.status == HTTPStatus.CONFLICT):
                    raise
        except SourceRejectedError as exc:
            raise SubmissionRefusedError(
                SubmissionRejection.REFUSED_BY_DESTINATION, "The authority refused the submission."
            ) from exc
        except SourceError as exc:
            raise SubmissionRefusedError(
                SubmissionRejection.UPSTREAM_FAILED,
                "Sending failed half-way; retry with the same clientMutationId.",
                retryable=True,
            ) from exc
        self.entry = await self._journal(self.submissions.submitted(self.ticket))
        return submission

    async def _announce(
        self, api: SubmissionApi, destination: DestinationRecord
    ) -> SubmissionRecord:
        delivery = self.delivery
        # One secret per submission (FIT-Connect: 32-512 characters; this is 43): FIT-Connect
        # signs this submission's callbacks with it, and the journal keeps it encrypted.
        secret = secrets.token_urlsafe(32)
        portal_id = self.desk.portal_id(api, delivery)
        url = self.desk.callback_url(portal_id) if self.desk.callback_url else None
        submission = await api.create(
            destination,
            delivery.leika_key,
            delivery.service_name,
            len(delivery.uploads),
            delivery.case_id,
            callback=CallbackRecord(url, secret) if url else None,
        )
        submission = dataclasses.replace(submission, portal_id=portal_id)
        announcement = Announcement(
            portal_id=submission.portal_id,
            destination_id=submission.destination_id,
            submission_id=submission.submission_id,
            case_id=submission.case_id,
            attachment_ids=submission.attachment_ids,
            callback_secret=secret,
        )
        self.entry = await self._journal(self.submissions.announced(self.ticket, announcement))
        route = {
            "audience": self.audience,
            "portalId": submission.portal_id,
            "applicationId": submission.case_id,
            "caseId": submission.case_id,
            "serviceName": delivery.service_name[:200],
            "reference": None,
        }
        await self._journal(
            self.desk.journal.journal.routes.upsert(
                submission.portal_id,
                submission.case_id,
                self.ticket.subject_key,
                self.audience,
                route,
            )
        )
        return submission

    async def _api(self, portal_id: str | None) -> SubmissionApi:
        api = await self.desk.api_of(portal_id, self.delivery)
        if api is None:  # the portal left the network file since the attempt started
            raise SubmissionRefusedError(
                SubmissionRejection.NO_ROUTE, "The authority no longer takes submissions here."
            )
        return api

    async def _destination(self, api: SubmissionApi, destination_id: str) -> DestinationRecord:
        try:
            return await api.destination(destination_id)
        except SourceBadResponseError as exc:
            raise SubmissionRefusedError(
                SubmissionRejection.DESTINATION_KEY_INVALID,
                "The authority's encryption key is unusable.",
            ) from exc
        except SourceError as exc:
            raise SubmissionRefusedError(
                SubmissionRejection.UPSTREAM_FAILED,
                "The authority cannot be reached.",
                retryable=True,
            ) from exc

    async def _journal(self, step: Awaitable[T]) -> T:
        try:
            return await step
        except JournalError as exc:  # the lease is kept until it runs out; a retry resumes
            raise journal_down(exc) from exc

    async def _note(self, reason: str, *, retryable: bool) -> None:
        """A retryable failure frees the lease for the retry; a final one frees the key."""
        with contextlib.suppress(JournalError):  # else the lease runs out by itself
            self.entry = await self.submissions.failed(self.ticket, reason, retryable=retryable)


def record_of(entry: SubmissionEntry) -> SubmissionRecord:
    return SubmissionRecord(
        portal_id=entry.portal_id or "",
        destination_id=entry.destination_id or "",
        submission_id=entry.submission_id or "",
        case_id=entry.case_id or "",
        attachment_ids=tuple(a.attachment_id or "" for a in entry.attachments),
    )


def journal_down(exc: JournalError) -> SubmissionRefusedError:
    # The code and the journal's message only: it never carries a statement's parameters.
    logger.warning("submission not recorded (%s): %s", exc.code, exc)
    return SubmissionRefusedError(
        SubmissionRejection.UPSTREAM_FAILED,
        "The gateway cannot record the submission right now; retry with the same clientMutationId.",
        retryable=True,
    )
