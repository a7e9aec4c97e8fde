"""Errors whose message is written for the client: plain exceptions carrying an ErrorCode.

The GraphQL layer never masks them (graph/extensions/masking.py); HTTP endpoints answer
them in the same GraphQL error shape (graph/http/errors.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sources.base import ErrorCode


class PublicError(Exception):
    """An error whose message is written for the client; never masked."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInputError(PublicError):
    code = ErrorCode.BAD_USER_INPUT

    def __init__(self, argument: str, problem: str) -> None:
        super().__init__(f"Argument '{argument}': {problem}", argument=argument)


class UnknownRegionError(PublicError):
    """A well-formed ARS (Amtlicher Regionalschlüssel) that names no known region."""

    code = ErrorCode.UNKNOWN_REGION

    def __init__(self, argument: str, ars: str, why: str) -> None:
        super().__init__(
            f"Argument '{argument}': the region {ars} is unknown: {why}", argument=argument
        )


class UnauthenticatedError(PublicError):
    code = ErrorCode.UNAUTHENTICATED


class NotFoundError(PublicError):
    code = ErrorCode.NOT_FOUND


class InsufficientTrustLevelError(PublicError):
    code = ErrorCode.INSUFFICIENT_TRUST_LEVEL


class TooManySubscriptionsError(PublicError):
    code = ErrorCode.TOO_MANY_SUBSCRIPTIONS


class EventPositionInvalidError(PublicError):
    """A resume position (`after:` / Last-Event-ID) the event log cannot use, or one older
    than what it still holds (`reason`: INVALID or EXPIRED)."""

    code = ErrorCode.EVENT_POSITION_INVALID


class EventLogDownError(PublicError):
    code = ErrorCode.EVENT_LOG_UNAVAILABLE
