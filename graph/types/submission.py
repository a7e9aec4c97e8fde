"""Submitting applications and replying to the authority (FIT-Connect, Rückkanal)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from graph.domain.refusals import SubmissionRejection
from graph.types.application import Application
from graph.types.message import Message
from graph.types.vocabulary import describe_values


@strawberry.input(description="A new application (Antrag) for one service in one region.")
class SubmitApplicationInput:
    leika_key: str = strawberry.field(description="LeiKa key of the service, `^99\\d{12}$`.")
    ars: str = strawberry.field(
        description="Region (12-digit ARS) the application is for; it picks the responsible authority."
    )
    form: JSON = strawberry.field(
        description="The filled-in form as JSON; checked against the service's form schema."
    )
    attachments: list[Upload] = strawberry.field(
        default_factory=list,
        description="Files, sent per the GraphQL multipart request spec; size and type limits apply.",
    )
    client_mutation_id: str = strawberry.field(
        description="Idempotency key chosen by the client (1–64 characters). Retry with the same key after a failure; a repeat after success returns the same result."
    )


strawberry.enum(
    SubmissionRejection, description="Why a submission or reply was not (yet) delivered."
)
describe_values(
    SubmissionRejection,
    {
        "NO_ROUTE": "No authority takes this service for this region online (Routing).",
        "INVALID_FORM": "The form breaks the service's schema; see fieldErrors.",
        "ATTACHMENT_TOO_LARGE": "A file is larger than the gateway accepts.",
        "ATTACHMENT_TYPE_REFUSED": "A file's type is not accepted, or its content does not match it.",
        "ATTACHMENT_INFECTED": "The virus scan found malware in a file.",
        "TOO_MANY_ATTACHMENTS": "More files than the gateway accepts at once.",
        "DUPLICATE": "The clientMutationId was used for a different submission.",
        "DESTINATION_KEY_INVALID": "The authority's published encryption key is unusable; nothing was sent.",
        "REFUSED_BY_DESTINATION": "The authority's system refused the submission; it was deleted again.",
        "UPSTREAM_FAILED": "An upstream failed half-way; retry with the same clientMutationId.",
        "REPLY_NOT_ALLOWED": "The message accepts no reply (no return channel).",
        "NO_POSTFACH": "The account has no Postfach for the authority's answer.",
    },
)


@strawberry.type(description="One field of the form that breaks the service's schema.")
class FieldError:
    path: str = strawberry.field(
        description="JSON pointer into `form`, e.g. /antragsteller/vorname."
    )
    message: str = strawberry.field(description="What is wrong (English, from the schema check).")


@strawberry.type(
    description="Nothing was delivered. If `retryable`, send the same request again with the same clientMutationId; otherwise nothing is left upstream."
)
class SubmissionRejected:
    code: SubmissionRejection = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Human-readable reason, safe to show.")
    retryable: bool = strawberry.field(
        description="Whether a retry with the same clientMutationId may complete it."
    )
    field_errors: list[FieldError] = strawberry.field(
        description="Per-field problems when code is INVALID_FORM; empty otherwise."
    )
    client_mutation_id: str = strawberry.field(description="The client's key, echoed.")


@strawberry.type(description="The application was encrypted, delivered and submitted.")
class ApplicationSubmitted:
    submission_id: str = strawberry.field(description="FIT-Connect submission id.")
    case_id: str = strawberry.field(description="FIT-Connect case id (Vorgang).")
    duplicate: bool = strawberry.field(
        description="True when this repeats an earlier successful request with the same clientMutationId."
    )
    application: Application | None = strawberry.field(
        description="The new application in the viewer's account area (null if the portal has not listed it yet)."
    )
    client_mutation_id: str = strawberry.field(description="The client's key, echoed.")


@strawberry.type(
    description="The reply was delivered to the authority as a submission in the same case."
)
class ReplySent:
    submission_id: str = strawberry.field(description="FIT-Connect submission id of the reply.")
    case_id: str = strawberry.field(description="Case (Vorgang) the reply belongs to.")
    duplicate: bool = strawberry.field(
        description="True when this repeats an earlier successful request with the same clientMutationId."
    )
    in_reply_to: Message = strawberry.field(description="The message answered.")
    client_mutation_id: str = strawberry.field(description="The client's key, echoed.")


SubmitApplicationResult = Annotated[
    ApplicationSubmitted | SubmissionRejected,
    strawberry.union("SubmitApplicationResult", description="Outcome of `submitApplication`."),
]
ReplyToMessageResult = Annotated[
    ReplySent | SubmissionRejected,
    strawberry.union("ReplyToMessageResult", description="Outcome of `replyToMessage`."),
]


@strawberry.type(
    description="The viewer's finished applications deleted from this gateway's record (GDPR Art. 17)."
)
class ApplicationsForgotten:
    count: int = strawberry.field(
        description="How many finished entries (submitted or failed) were deleted; entries still being sent stay."
    )
    audit_result: strawberry.Private[str] = "deleted"  # the audit line's result, no content
