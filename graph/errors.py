"""Errors the client may see, and the rule that masks everything else."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from graph.loaders import OutageEntry

UPSTREAM_MESSAGES = {
    "UPSTREAM_UNAVAILABLE": "is unavailable",
    "UPSTREAM_TIMEOUT": "did not answer in time",
    "UPSTREAM_RATE_LIMITED": "is rate limiting requests",
    "UPSTREAM_BAD_RESPONSE": "sent a response that could not be read",
}


class PublicError(Exception):
    """An error whose message is written for the client; never masked."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInputError(PublicError):
    code = "BAD_USER_INPUT"

    def __init__(self, argument: str, problem: str) -> None:
        super().__init__(f"Argument '{argument}': {problem}", argument=argument)


class UnauthenticatedError(PublicError):
    code = "UNAUTHENTICATED"


def should_mask_error(error: GraphQLError) -> bool:
    """Mask resolver exceptions unless they are public; keep parse/validation errors."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not isinstance(original, PublicError)


def outage_message(entry: OutageEntry) -> str:
    reason = UPSTREAM_MESSAGES.get(entry.code, "failed")
    return f"Portal '{entry.portal_id}' ({entry.capability.value}) {reason}; its data is missing."


def outage_error(entry: OutageEntry) -> GraphQLError:
    return GraphQLError(
        outage_message(entry),
        extensions={
            "code": entry.code,
            "portalId": entry.portal_id,
            "capability": entry.capability.name,
        },
    )


class NotFoundError(PublicError):
    code = "NOT_FOUND"
