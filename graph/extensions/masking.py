"""Every error gets a code; unexpected ones are masked; production hides suggestions.

`should_mask_error` is the rule `MaskErrors` applies: resolver exceptions are masked
unless they are a `PublicError`; parse and validation errors are kept. `ErrorHygiene`
gives each error without a code the one that says what went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors, SchemaExtension

from graph.domain.errors import PublicError
from graph.domain.messages import HEADER as LANGUAGE_HEADER, Language, language, localise
from sources.base import ErrorCode

MASKED_MESSAGE = "Unexpected error."
# graphql-core has no switch for suggestions (graphql-core#97), so they are cut from the text.
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
PARSER_ABORTED = "Document contains more than"
INTROSPECTION_OFF = "introspection has been disabled"
# graphql-core words a null for a non-null variable in Python's terms.
NOT_NONE = re.compile(r"Expected value of non-null type '([^']+)' not to be None\.")
NOT_NONE_TEXT = r"null is not allowed for type '\1'; omit the field or send a value."


def should_mask_error(error: GraphQLError) -> bool:
    """Mask resolver exceptions unless they are public; keep parse/validation errors."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not isinstance(original, PublicError)


def error_code(error: GraphQLError) -> ErrorCode:
    """The code of an error that carries none: what the client did wrong, or masked."""
    if isinstance(error, GraphQLSyntaxError):
        if PARSER_ABORTED in error.message:
            return ErrorCode.MAX_TOKENS_EXCEEDED
        return ErrorCode.GRAPHQL_PARSE_FAILED
    if error.message == MASKED_MESSAGE and error.original_error is None:
        return ErrorCode.INTERNAL_SERVER_ERROR
    if INTROSPECTION_OFF in error.message:
        return ErrorCode.INTROSPECTION_DISABLED
    if error.path is None:
        return ErrorCode.GRAPHQL_VALIDATION_FAILED
    return ErrorCode.INTERNAL_SERVER_ERROR


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


def request_language(context: object) -> Language:
    """The language of an operation's client: its HTTP request's or WebSocket handshake's."""
    request = getattr(context, "request", None)
    headers = getattr(request, "headers", None)
    return language(headers.get(LANGUAGE_HEADER) if headers is not None else None)


def cleaned(errors: list[GraphQLError], context: object, *, production: bool) -> list[GraphQLError]:
    """Each error with its code, in the client's language; document errors once each."""
    lang = request_language(context)
    return _distinct([public_error(e, hide_suggestions=production, lang=lang) for e in errors])


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


class Masking(MaskErrors):
    """Strawberry's MaskErrors, its test per result made cheap.

    Strawberry asks `isinstance(result, _ResultWithErrors)`, a runtime-checkable
    Protocol: typing walks the protocol's members on every operation, 5 % of the CPU of a
    five-item directory page. The protocol's one member is `errors`, so the same test is
    an `errors` attribute that is not empty.
    """

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]  # ExecutionResult or a stream result


class ErrorHygiene(SchemaExtension):
    """Give every error a code and, in production, strip "Did you mean" suggestions.

    List it before MaskErrors: extension exits run in reverse, so this sees masked errors.
    """

    def __init__(self, *, production: bool) -> None:
        self.production = production

    def _clean(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            context = self.execution_context.context
            result.errors = cleaned(errors, context, production=self.production)  # type: ignore[attr-defined]  # ExecutionResult or a stream result

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # ParserCache parses inside its hook, so syntax errors (and the token limit)
            # escape the operation as exceptions instead of arriving as a result.
            lang = request_language(self.execution_context.context)
            raise public_error(error, hide_suggestions=self.production, lang=lang) from None
        result = self.execution_context.result
        self._clean(getattr(result, "initial_result", result))

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # Before the yield: the stream sends the result while the hook is suspended there,
        # so cleaning afterwards left WebSocket and SSE errors without a code.
        self._clean(result)
        yield
