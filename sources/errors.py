"""Failures of upstream calls, translated from HTTP and transport errors.

    SourceError                  any upstream failure; carries portal id and capability
    ├── SourceUnavailableError   5xx, connection refused, breaker open
    │   └── SourceTimeoutError   connect/read timeout or deadline passed
    ├── SourceRateLimitedError   429, with the upstream's Retry-After
    ├── SourceBadResponseError   malformed body: bad JSON, missing fields, wrong types
    │   └── DestinationKeyError  a FIT-Connect destination's published key is unusable
    ├── SourceAuthError          401/403 from the upstream or a failed token exchange
    ├── SourceRejectedError      other 4xx: the upstream refused the request
    └── SourceNotFoundError      404 for an object the gateway asked for

Messages are for logs and operators; the GraphQL layer shows only a code.
Standard library only.
"""

from __future__ import annotations


class SourceError(Exception):
    code = "UPSTREAM_ERROR"

    def __init__(self, message: str, *, portal_id: str, capability: str) -> None:
        super().__init__(message)
        self.portal_id = portal_id
        self.capability = capability


class SourceUnavailableError(SourceError):
    code = "UPSTREAM_UNAVAILABLE"


class SourceTimeoutError(SourceUnavailableError):
    code = "UPSTREAM_TIMEOUT"


class SourceRateLimitedError(SourceError):
    code = "UPSTREAM_RATE_LIMITED"

    def __init__(
        self,
        message: str,
        *,
        portal_id: str,
        capability: str,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, portal_id=portal_id, capability=capability)
        self.retry_after = retry_after


class SourceBadResponseError(SourceError):
    code = "UPSTREAM_BAD_RESPONSE"


class DestinationKeyError(SourceBadResponseError):
    """The destination's encryption key is not RSA ≥ 4096 with a valid `x5c`: nothing is sent."""

    code = "DESTINATION_KEY_INVALID"


class SourceAuthError(SourceError):
    code = "UPSTREAM_AUTH_FAILED"


class SourceRejectedError(SourceError):
    code = "UPSTREAM_REJECTED"

    def __init__(
        self,
        message: str,
        *,
        portal_id: str,
        capability: str,
        status: int,
        functional_code: str | None = None,
    ) -> None:
        super().__init__(message, portal_id=portal_id, capability=capability)
        self.status = status
        self.functional_code = functional_code


class SourceNotFoundError(SourceError):
    code = "UPSTREAM_NOT_FOUND"


def error_for_status(
    status: int,
    *,
    portal_id: str,
    capability: str,
    retry_after: float | None = None,
    functional_code: str | None = None,
) -> SourceError:
    """The exception for a non-success HTTP status, most specific first."""
    where = {"portal_id": portal_id, "capability": capability}
    message = f"{portal_id}/{capability} answered HTTP {status}"
    if status == 429:
        return SourceRateLimitedError(message, retry_after=retry_after, **where)
    if status in (401, 403):
        return SourceAuthError(message, **where)
    if status == 404:
        return SourceNotFoundError(message, **where)
    if status in (408, 504):
        return SourceTimeoutError(message, **where)
    if 400 <= status < 500:
        return SourceRejectedError(message, status=status, functional_code=functional_code, **where)
    return SourceUnavailableError(message, **where)
