"""Why a submission or reply was not (yet) delivered: answered as a value, not an error.

Everything a citizen can cause by content (no route, a form error, a refused file, a
duplicate key) is a `SubmissionRejected` result with one of these codes; graph/types/
registers the enum as the GraphQL enum `SubmissionRejection`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence


class SubmissionRejection(enum.Enum):
    NO_ROUTE = "NO_ROUTE"
    INVALID_FORM = "INVALID_FORM"
    ATTACHMENT_TOO_LARGE = "ATTACHMENT_TOO_LARGE"
    ATTACHMENT_TYPE_REFUSED = "ATTACHMENT_TYPE_REFUSED"
    ATTACHMENT_INFECTED = "ATTACHMENT_INFECTED"
    TOO_MANY_ATTACHMENTS = "TOO_MANY_ATTACHMENTS"
    DUPLICATE = "DUPLICATE"
    DESTINATION_KEY_INVALID = "DESTINATION_KEY_INVALID"
    REFUSED_BY_DESTINATION = "REFUSED_BY_DESTINATION"
    UPSTREAM_FAILED = "UPSTREAM_FAILED"
    REPLY_NOT_ALLOWED = "REPLY_NOT_ALLOWED"
    NO_POSTFACH = "NO_POSTFACH"


class SubmissionRefusedError(Exception):
    """An expected failure: the resolver answers it as `SubmissionRejected`."""

    def __init__(
        self,
        code: SubmissionRejection,
        message: str,
        *,
        retryable: bool = False,
        fields: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.code, self.retryable, self.fields = code, retryable, list(fields)
