"""Failures of upstream calls (translated from HTTP and transport errors) and of the event log.

    SourceError                  any upstream failure; carries the UpstreamRef it is about
    ├── SourceUnavailableError   5xx, connection refused, breaker open
    │   ├── SourceTimeoutError   connect/read timeout or deadline passed
    │   │   ├── DeadlineExceededError   the request's deadline passed: nothing was sent
    │   │   └── BulkheadFullError       every slot stayed busy until the deadline: nothing sent
    │   ├── KeysUnavailableError        no signing keys were ever fetched, the key source is down
    │   └── EventLogUnavailableError    the event log cannot store or read events right now
    ├── SourceRateLimitedError   429, with the upstream's Retry-After
    ├── SourceBadResponseError   malformed body: bad JSON, missing fields, wrong types
    │   └── DestinationKeyError  a FIT-Connect destination's published key is unusable
    ├── SourceAuthError          401/403 from the upstream or a failed token exchange
    ├── SourceRejectedError      other 4xx: the upstream refused the request
    ├── SourceNotFoundError      404 for an object the gateway asked for
    │   └── InvalidIdError       an id not of the standard's form: nothing was sent
    └── EventPositionError       a resume position the event log cannot use

The event log's errors name the backend as `portal_id` and "status" as capability (live
updates carry status changes).

Each class's `code` is the `ErrorCode` a client sees. Messages are for logs and
operators; the GraphQL layer shows only the code. Standard library only.
"""

from __future__ import annotations

from typing import ClassVar

from sources.base.codes import ErrorCode
from sources.base.portals import UpstreamRef
from sources.base.vocabulary import Capability


class SourceError(Exception):
    code: ClassVar[ErrorCode] = ErrorCode.UPSTREAM_ERROR

    def __init__(self, message: str, *, upstream: UpstreamRef) -> None:
        super().__init__(message)
        self.upstream = upstream

    @property
    def portal_id(self) -> str:
        return self.upstream.portal_id

    @property
    def capability(self) -> Capability:
        return self.upstream.capability


class SourceUnavailableError(SourceError):
    code = ErrorCode.UPSTREAM_UNAVAILABLE


class SourceTimeoutError(SourceUnavailableError):
    code = ErrorCode.UPSTREAM_TIMEOUT


class DeadlineExceededError(SourceTimeoutError):
    """The request's deadline passed before the upstream was asked: nothing was sent."""


class BulkheadFullError(SourceTimeoutError):
    """Every slot of the upstream stayed busy until the deadline; nothing was sent."""


class KeysUnavailableError(SourceUnavailableError):
    """No keys were ever fetched and the key source does not answer."""


class SourceRateLimitedError(SourceError):
    code = ErrorCode.UPSTREAM_RATE_LIMITED

    def __init__(
        self, message: str, *, upstream: UpstreamRef, retry_after: float | None = None
    ) -> None:
        super().__init__(message, upstream=upstream)
        self.retry_after = retry_after


class SourceBadResponseError(SourceError):
    code = ErrorCode.UPSTREAM_BAD_RESPONSE


class DestinationKeyError(SourceBadResponseError):
    """The destination's encryption key is not RSA ≥ 4096 with a valid `x5c`: nothing is sent.

    Its code stays UPSTREAM_BAD_RESPONSE; the submission desk answers DESTINATION_KEY_INVALID."""


class SourceAuthError(SourceError):
    code = ErrorCode.UPSTREAM_AUTH_FAILED


class SourceRejectedError(SourceError):
    code = ErrorCode.UPSTREAM_REJECTED

    def __init__(
        self,
        message: str,
        *,
        upstream: UpstreamRef,
        status: int,
        functional_code: str | None = None,
    ) -> None:
        super().__init__(message, upstream=upstream)
        self.status = status
        self.functional_code = functional_code


class SourceNotFoundError(SourceError):
    code = ErrorCode.UPSTREAM_NOT_FOUND


class InvalidIdError(SourceNotFoundError):
    """An id that cannot name an object of this standard; nothing was sent upstream."""


class EventLogUnavailableError(SourceUnavailableError):
    """Not stored (or not read): a callback must not be answered 200, nor a poll marked seen."""

    code = ErrorCode.EVENT_LOG_UNAVAILABLE

    def __init__(self, message: str, *, backend: str) -> None:
        super().__init__(message, upstream=UpstreamRef(backend, Capability.STATUS))


class EventPositionError(SourceError):
    """A position that is malformed, of another log, or ahead of the log: the client's input."""

    code = ErrorCode.EVENT_POSITION_INVALID

    def __init__(self, message: str, *, backend: str) -> None:
        super().__init__(message, upstream=UpstreamRef(backend, Capability.STATUS))


def error_for_status(
    status: int,
    *,
    upstream: UpstreamRef,
    retry_after: float | None = None,
    functional_code: str | None = None,
) -> SourceError:
    """The exception for a non-success HTTP status, most specific first."""
    message = f"{upstream} answered HTTP {status}"
    if status == 429:
        return SourceRateLimitedError(message, upstream=upstream, retry_after=retry_after)
    if status in (401, 403):
        return SourceAuthError(message, upstream=upstream)
    if status == 404:
        return SourceNotFoundError(message, upstream=upstream)
    if status in (408, 504):
        return SourceTimeoutError(message, upstream=upstream)
    if 400 <= status < 500:
        return SourceRejectedError(
            message, upstream=upstream, status=status, functional_code=functional_code
        )
    return SourceUnavailableError(message, upstream=upstream)
