"""submitApplication and replyToMessage: checks here, delivery in graph/domain/submitting.py.

Bad arguments are BAD_USER_INPUT errors; everything a citizen can cause by content
(no route, a form error, a refused file, a duplicate key) is a `SubmissionRejected` value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from graph.context import Info
from graph.domain.access import can_open
from graph.domain.errors import BadUserInputError, InsufficientTrustLevelError, NotFoundError
from graph.domain.ids import id_parts
from graph.domain.refusals import SubmissionRefusedError, SubmissionRejection
from graph.domain.submitting import Delivery
from graph.domain.uploads import UploadLimits, UploadRefusedError, read_upload
from graph.resolvers.inbox import as_message
from graph.types.application import Application
from graph.types.submission import (
    ApplicationSubmitted,
    FieldError,
    ReplySent,
    SubmissionRejected,
    SubmitApplicationInput,
)
from sources.base import LEIKA_PATTERN, UploadRecord, ViewerRecord

CLIENT_KEY = re.compile(r"^[\w.:-]{1,64}$")
ARS12 = re.compile(r"^\d{12}$")
REPLY_SCHEMA = "urn:portalgraph:reply:1.0.0"
MAX_REPLY = 10_000


def rejected(code: SubmissionRejection, message: str, key: str, **extra: Any) -> SubmissionRejected:
    fields = [FieldError(path=p, message=m) for p, m in extra.get("fields", [])]
    return SubmissionRejected(
        code=code,
        message=message,
        retryable=bool(extra.get("retryable", False)),
        field_errors=fields,
        client_mutation_id=key,
    )


async def prepared_uploads(info: Info, files: Sequence[Any]) -> list[UploadRecord]:
    """Every attachment checked and hashed, then scanned; raises UploadRefusedError."""
    uploads = info.context.settings.uploads
    limits = UploadLimits.parse(uploads.max_bytes, uploads.max_files, uploads.types)
    if len(files) > limits.max_files:
        raise UploadRefusedError(
            SubmissionRejection.TOO_MANY_ATTACHMENTS, f"At most {limits.max_files} attachments."
        )
    if not all(hasattr(f, "file") for f in files):
        # `Upload` takes any value: a string in place of a multipart file part got as far
        # as reading it and answered INTERNAL_SERVER_ERROR.
        raise BadUserInputError("attachments", "each must be a file part of a multipart request")
    read = [read_upload(f, limits) for f in files]
    scanner = info.context.gateway.adapters.scanner
    for upload in read:
        finding = await scanner.scan(upload)
        if finding is not None:
            raise UploadRefusedError(
                SubmissionRejection.ATTACHMENT_INFECTED, f"{upload.filename}: {finding}"
            )
    return read


def signed_in(info: Info, key: str) -> ViewerRecord:
    info.context.token()  # refuses anonymous requests
    if not CLIENT_KEY.match(key):
        raise BadUserInputError(
            "clientMutationId", "must be 1 to 64 letters, digits, '.', ':', '-', '_'"
        )
    viewer = info.context.viewer
    assert viewer is not None
    return viewer


async def submit_application(
    info: Info, data: SubmitApplicationInput
) -> ApplicationSubmitted | SubmissionRejected:
    key = data.client_mutation_id
    viewer = signed_in(info, key)
    if not LEIKA_PATTERN.match(data.leika_key):
        raise BadUserInputError("leikaKey", "must match ^99\\d{12}$")
    if not ARS12.match(data.ars):
        raise BadUserInputError("ars", "must be a 12-digit Amtlicher Regionalschlüssel")
    desk = info.context.gateway.adapters.submission_desk
    if desk is None:
        return rejected(SubmissionRejection.NO_ROUTE, "This gateway takes no submissions.", key)
    if viewer.postfach_handle is None:
        return rejected(
            SubmissionRejection.NO_POSTFACH,
            "Your account has no Postfach for the authority's answer.",
            key,
        )
    try:
        uploads = await prepared_uploads(info, data.attachments)
        service = await info.context.loaders.service_for(data.ars, data.leika_key)
        delivery = Delivery(
            leika_key=data.leika_key,
            ars=data.ars,
            service_name=service.name if service else f"Leistung {data.leika_key}",
            form=data.form,
            uploads=uploads,
            postfach_ref=viewer.postfach_handle,
        )
        receipt = await desk.deliver(viewer.subject, key, delivery)
    except UploadRefusedError as exc:
        return rejected(exc.code, str(exc), key)
    except SubmissionRefusedError as exc:
        return rejected(exc.code, str(exc), key, retryable=exc.retryable, fields=exc.fields)
    submission = receipt.submission
    # The portal's account area, asked once: an account there is learned as a link, so
    # later queries ask it (and only the linked ones). A citizen without an account
    # there: the journal's entry stands for the application.
    info.context.citizen.written()
    listed = await info.context.citizen.applications(submission.portal_id)
    record = next((a for a in listed if a.case_id == submission.case_id), None)
    portal = info.context.gateway.portals[submission.portal_id]
    return ApplicationSubmitted(
        submission_id=submission.submission_id,
        case_id=submission.case_id,
        duplicate=receipt.duplicate,
        application=Application.from_record(record, portal) if record else None,
        client_mutation_id=key,
    )


async def reply_to_message(
    info: Info, message_id: str, body: str, files: Sequence[Any], key: str
) -> ReplySent | SubmissionRejected:
    viewer = signed_in(info, key)
    portal_id, local_id = id_parts(message_id, "Message", argument="messageId")
    if not 0 < len(body.strip()) <= MAX_REPLY:
        raise BadUserInputError("body", f"must be 1 to {MAX_REPLY} characters")
    record = await info.context.citizen.find_message(portal_id, local_id)
    if record is None:
        raise NotFoundError("No such message in your mailbox.")
    if not can_open(record.required_trust_level, viewer):
        raise InsufficientTrustLevelError(
            "Sign in with a higher trust level to answer this message.",
            requiredTrustLevel=record.required_trust_level.name,
        )
    application = None
    if record.application_id is not None:
        application = await info.context.citizen.application_named(portal_id, record.application_id)
    desk = info.context.gateway.adapters.submission_desk
    if not record.reply_allowed or application is None or desk is None:
        return rejected(
            SubmissionRejection.REPLY_NOT_ALLOWED,
            "The authority accepts no reply to this message.",
            key,
        )
    try:
        delivery = Delivery(
            leika_key=application.leika_key or "",
            # The application's portal, not the message's: the BundID Postfach holds the
            # messages of every portal's applications, the reply goes to the case's authority.
            ars=info.context.gateway.portals[application.portal_id].ars,
            service_name=application.service_name or "Antwort",
            form={"inReplyTo": local_id, "text": body},
            uploads=await prepared_uploads(info, files),
            postfach_ref=viewer.postfach_handle,
            case_id=application.case_id,
            schema_uri=REPLY_SCHEMA,
        )
        receipt = await desk.deliver(viewer.subject, key, delivery)
    except UploadRefusedError as exc:
        return rejected(exc.code, str(exc), key)
    except SubmissionRefusedError as exc:
        return rejected(exc.code, str(exc), key, retryable=exc.retryable, fields=exc.fields)
    return ReplySent(
        submission_id=receipt.submission.submission_id,
        case_id=receipt.submission.case_id,
        duplicate=receipt.duplicate,
        in_reply_to=as_message(info, record),
        client_mutation_id=key,
    )
