"""The one builder of GraphQL-shaped error bodies at the HTTP edge.

Whatever refuses a request before or around GraphQL (a bad token, a CSRF-able request,
a malformed body, a download it may not serve) answers like an operation that failed:
`{"data": null, "errors": [{"message", "extensions": {"code", ...}}]}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from starlette.responses import JSONResponse
from strawberry.schema.exceptions import InvalidOperationTypeError

from graph.domain.errors import PublicError
from graph.domain.messages import Language, localise
from graph.http.request_body import SUBSCRIPTION_NEEDS_STREAM
from sources.base import ErrorCode

# Strawberry refuses malformed HTTP requests with a plain-text reason; clients get
# the same GraphQL error shape as everywhere else, with a code per reason, and a refusal
# that a setting changes names the setting.
HTTP_REASON_CODES = {
    "Batching is not enabled": ErrorCode.BATCHING_DISABLED,
    "Too many operations": ErrorCode.BATCH_TOO_LARGE,
    SUBSCRIPTION_NEEDS_STREAM: ErrorCode.SUBSCRIPTION_TRANSPORT_REQUIRED,
}
HTTP_REASON_HINTS = {
    "Batching is not enabled": " — send one operation per request, or set PORTALGRAPH_MAX_BATCH",
    "Too many operations": " — the limit is PORTALGRAPH_MAX_BATCH",
}


def error_body(message: str, code: ErrorCode, **extensions: Any) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": code, **extensions}}],
    }


def error_response(
    status: int,
    message: str,
    code: ErrorCode,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    return JSONResponse(
        error_body(message, code, **extensions), status_code=status, headers=headers
    )


def public_error_response(status: int, error: PublicError, lang: Language = "en") -> JSONResponse:
    """A `PublicError` as an HTTP answer in the client's language; 401s say how to authenticate."""
    extensions = {k: v for k, v in error.extensions.items() if k != "code"}
    headers = None
    if error.code is ErrorCode.UNAUTHENTICATED:
        # RFC 6750 §3: error_description is for the developer; extensions.reason for code.
        challenge = 'Bearer error="invalid_token"'
        if description := getattr(error, "description", None):
            challenge += f', error_description="{description}"'
        headers = {"WWW-Authenticate": challenge}
    message = localise(str(error), lang)
    return error_response(status, message, error.code, headers=headers, **extensions)


def http_refusal(exc: HTTPException, lang: Language = "en") -> JSONResponse:
    """Strawberry's refusal of a malformed request, in GraphQL's error shape."""
    status, headers = exc.status_code, {}
    code = HTTP_REASON_CODES.get(exc.reason, ErrorCode.BAD_REQUEST)
    if isinstance(exc.__cause__, InvalidOperationTypeError):
        # GraphQL-over-HTTP: mutations MUST NOT run on GET; 405 tells the client to POST.
        status, code, headers = 405, ErrorCode.METHOD_NOT_ALLOWED, {"Allow": "POST"}
    elif status == 404:
        code = ErrorCode.NOT_FOUND
    message = localise(exc.reason + HTTP_REASON_HINTS.get(exc.reason, ""), lang)
    return error_response(status, message, code, headers=headers)
