"""Errors the client may see, and the rule that masks everything else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.responses import JSONResponse
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import InvalidOperationTypeError

from graph.loaders import OutageEntry
from graph.messages import HEADER as LANGUAGE_HEADER, Language, language, localise

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


MASKED_MESSAGE = "Unexpected error."
# graphql-core has no switch for suggestions (graphql-core#97), so they are cut from the text.
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
PARSER_ABORTED = "Document contains more than"
INTROSPECTION_OFF = "introspection has been disabled"
# graphql-core words a null for a non-null variable in Python's terms.
NOT_NONE = re.compile(r"Expected value of non-null type '([^']+)' not to be None\.")
NOT_NONE_TEXT = r"null is not allowed for type '\1'; omit the field or send a value."


def error_code(error: GraphQLError) -> str:
    """The code of an error that carries none: what the client did wrong, or masked."""
    if isinstance(error, GraphQLSyntaxError):
        return "MAX_TOKENS_EXCEEDED" if PARSER_ABORTED in error.message else "GRAPHQL_PARSE_FAILED"
    if error.message == MASKED_MESSAGE and error.original_error is None:
        return "INTERNAL_SERVER_ERROR"
    if INTROSPECTION_OFF in error.message:
        return "INTROSPECTION_DISABLED"
    return "GRAPHQL_VALIDATION_FAILED" if error.path is None else "INTERNAL_SERVER_ERROR"


def public_error(
    error: GraphQLError, *, hide_suggestions: bool, lang: Language = "en"
) -> GraphQLError:
    code = (error.extensions or {}).get("code")
    message = SUGGESTION.sub("", error.message) if hide_suggestions else error.message
    message = NOT_NONE.sub(NOT_NONE_TEXT, message)
    message = localise(message, lang)
    if code and message == error.message:
        return error
    return GraphQLError(
        message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        {**(error.extensions or {}), "code": code or error_code(error)},
    )


class ErrorHygiene(SchemaExtension):
    """Give every error a code and, in production, strip "Did you mean" suggestions.

    List it before MaskErrors: extension exits run in reverse, so this sees masked errors.
    """

    def __init__(self, *, production: bool) -> None:
        self.production = production

    def _clean(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            hide, lang = self.production, self._language()
            cleaned = [public_error(e, hide_suggestions=hide, lang=lang) for e in errors]
            result.errors = _distinct(cleaned)  # type: ignore[attr-defined]

    def _language(self) -> Language:
        # HTTP request or WebSocket handshake: both carry the client's Accept-Language.
        request = getattr(self.execution_context.context, "request", None)
        headers = getattr(request, "headers", None)
        return language(headers.get(LANGUAGE_HEADER) if headers is not None else None)

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # ParserCache parses inside its hook, so syntax errors (and the token limit)
            # escape the operation as exceptions instead of arriving as a result.
            lang = self._language()
            raise public_error(error, hide_suggestions=self.production, lang=lang) from None
        result = self.execution_context.result
        self._clean(getattr(result, "initial_result", result))

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # Before the yield: the stream sends the result while the hook is suspended there,
        # so cleaning afterwards left WebSocket and SSE errors without a code.
        self._clean(result)
        yield


# Strawberry refuses malformed HTTP requests with a plain-text reason; clients get
# the same GraphQL error shape as everywhere else, with a code per reason, and a refusal
# that a setting changes names the setting.
HTTP_REASON_CODES = {
    "Batching is not enabled": "BATCHING_DISABLED",
    "Too many operations": "BATCH_TOO_LARGE",
}
HTTP_REASON_HINTS = {
    "Batching is not enabled": " — send one operation per request, or set PORTALGRAPH_MAX_BATCH",
    "Too many operations": " — the limit is PORTALGRAPH_MAX_BATCH",
}


def _distinct(errors: list[GraphQLError]) -> list[GraphQLError]:
    """One error per message for document errors: ten bad directives are one mistake."""
    seen: set[str] = set()
    kept = []
    for error in errors:
        if error.path is None and error.message in seen:
            continue
        seen.add(error.message)
        kept.append(error)
    return kept


def http_refusal(exc: HTTPException, lang: Language = "en") -> JSONResponse:
    status, headers = exc.status_code, {}
    code = HTTP_REASON_CODES.get(exc.reason, "BAD_REQUEST")
    if isinstance(exc.__cause__, InvalidOperationTypeError):
        # GraphQL-over-HTTP: mutations MUST NOT run on GET; 405 tells the client to POST.
        status, code, headers = 405, "METHOD_NOT_ALLOWED", {"Allow": "POST"}
    elif status == 404:
        code = "NOT_FOUND"
    message = localise(exc.reason + HTTP_REASON_HINTS.get(exc.reason, ""), lang)
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)
