"""Every code a client can find in a GraphQL error's `extensions.code`, with its meaning.

One enum for the gateway and its adapters: `SourceError` subclasses carry the `UPSTREAM_*`
members, the GraphQL layer the rest. `ERROR_MEANINGS` gives each member one line for the
documentation's error table. Standard library only.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class ErrorCode(enum.StrEnum):
    # A failing upstream: its fields are null, the rest of the answer is there.
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
    UPSTREAM_RATE_LIMITED = "UPSTREAM_RATE_LIMITED"
    UPSTREAM_BAD_RESPONSE = "UPSTREAM_BAD_RESPONSE"
    UPSTREAM_AUTH_FAILED = "UPSTREAM_AUTH_FAILED"
    UPSTREAM_REJECTED = "UPSTREAM_REJECTED"
    UPSTREAM_NOT_FOUND = "UPSTREAM_NOT_FOUND"
    # What the client asked for.
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNKNOWN_REGION = "UNKNOWN_REGION"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INSUFFICIENT_TRUST_LEVEL = "INSUFFICIENT_TRUST_LEVEL"
    NOT_FOUND = "NOT_FOUND"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    # The document.
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
    # Hardening: limits checked before any upstream call.
    MAX_TOKENS_EXCEEDED = "MAX_TOKENS_EXCEEDED"
    MAX_CHARACTERS_EXCEEDED = "MAX_CHARACTERS_EXCEEDED"
    MAX_DEPTH_EXCEEDED = "MAX_DEPTH_EXCEEDED"
    MAX_ALIASES_EXCEEDED = "MAX_ALIASES_EXCEEDED"
    MAX_DIRECTIVES_EXCEEDED = "MAX_DIRECTIVES_EXCEEDED"
    MAX_FIELD_REPEATS_EXCEEDED = "MAX_FIELD_REPEATS_EXCEEDED"
    COST_ESTIMATED_TOO_EXPENSIVE = "COST_ESTIMATED_TOO_EXPENSIVE"
    RATE_LIMITED = "RATE_LIMITED"
    CSRF_PREFLIGHT_REQUIRED = "CSRF_PREFLIGHT_REQUIRED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    QUERY_NOT_IN_SAFELIST = "QUERY_NOT_IN_SAFELIST"
    # The HTTP request around the operation.
    BATCHING_DISABLED = "BATCHING_DISABLED"
    BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    BAD_REQUEST = "BAD_REQUEST"
    MAX_REPRESENTATIONS_EXCEEDED = "MAX_REPRESENTATIONS_EXCEEDED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    LENGTH_REQUIRED = "LENGTH_REQUIRED"
    UPLOADS_BUSY = "UPLOADS_BUSY"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    FORBIDDEN = "FORBIDDEN"
    EVENT_LOG_UNAVAILABLE = "EVENT_LOG_UNAVAILABLE"
    EVENT_POSITION_INVALID = "EVENT_POSITION_INVALID"
    # Browser clients (issue 20).
    SUBSCRIPTION_TRANSPORT_REQUIRED = "SUBSCRIPTION_TRANSPORT_REQUIRED"
    CORS_REFUSED = "CORS_REFUSED"
    DOWNLOAD_LINK_INVALID = "DOWNLOAD_LINK_INVALID"
    DOWNLOAD_LINK_EXPIRED = "DOWNLOAD_LINK_EXPIRED"


ERROR_MEANINGS: Mapping[ErrorCode, str] = MappingProxyType(
    {
        ErrorCode.UPSTREAM_ERROR: "an upstream failed in a way no other UPSTREAM_ code names",
        ErrorCode.UPSTREAM_UNAVAILABLE: "an upstream answered 5xx, was unreachable or its breaker is open",
        ErrorCode.UPSTREAM_TIMEOUT: "an upstream did not answer in time, or the request deadline passed",
        ErrorCode.UPSTREAM_RATE_LIMITED: "an upstream answered 429",
        ErrorCode.UPSTREAM_BAD_RESPONSE: "an upstream's answer could not be read (bad JSON, missing fields)",
        ErrorCode.UPSTREAM_AUTH_FAILED: "an upstream refused the gateway's credentials (401/403, token exchange)",
        ErrorCode.UPSTREAM_REJECTED: "an upstream refused the request (another 4xx)",
        ErrorCode.UPSTREAM_NOT_FOUND: "an upstream answered 404 for an object the gateway asked for",
        ErrorCode.BAD_USER_INPUT: "an argument is invalid; `extensions.argument` names it",
        ErrorCode.UNKNOWN_REGION: "a well-formed ARS names no region the municipality directory knows",
        ErrorCode.UNAUTHENTICATED: "the bearer token is missing where required, invalid or expired",
        ErrorCode.INSUFFICIENT_TRUST_LEVEL: "the sign-in's trust level is too low to open the object",
        ErrorCode.NOT_FOUND: "no such object among the viewer's own, or no such route",
        ErrorCode.TOO_MANY_SUBSCRIPTIONS: "the viewer has more live subscriptions than allowed",
        ErrorCode.INTERNAL_SERVER_ERROR: "anything unexpected; the message is masked",
        ErrorCode.GRAPHQL_PARSE_FAILED: "the document is not valid GraphQL syntax",
        ErrorCode.GRAPHQL_VALIDATION_FAILED: "the document does not validate against the schema",
        ErrorCode.INTROSPECTION_DISABLED: "introspection is off (production profile)",
        ErrorCode.MAX_TOKENS_EXCEEDED: "the document has more tokens than allowed",
        ErrorCode.MAX_CHARACTERS_EXCEEDED: "the document has more characters than allowed",
        ErrorCode.MAX_DEPTH_EXCEEDED: "the operation is nested deeper than allowed",
        ErrorCode.MAX_ALIASES_EXCEEDED: "the operation uses more aliases than allowed",
        ErrorCode.MAX_DIRECTIVES_EXCEEDED: "the operation uses more directives than allowed",
        ErrorCode.MAX_FIELD_REPEATS_EXCEEDED: "one field is repeated in a selection set more than allowed",
        ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE: "the operation's estimated cost is above the limit",
        ErrorCode.RATE_LIMITED: "too many operations; `extensions.retryAfter` says when to retry",
        ErrorCode.CSRF_PREFLIGHT_REQUIRED: "a simple cross-site request lacks the GraphQL-Preflight header",
        ErrorCode.PERSISTED_QUERY_NOT_FOUND: "the persisted document's hash is unknown",
        ErrorCode.PERSISTED_QUERY_HASH_MISMATCH: "the sha256Hash does not match the query sent",
        ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED: "the persisted-query version is not supported",
        ErrorCode.QUERY_NOT_IN_SAFELIST: "trusted-documents mode: the operation is not registered",
        ErrorCode.BATCHING_DISABLED: "a JSON array of operations was sent while batching is off",
        ErrorCode.BATCH_TOO_LARGE: "a batch holds more operations than allowed",
        ErrorCode.METHOD_NOT_ALLOWED: "a mutation was sent with GET; use POST",
        ErrorCode.BAD_REQUEST: "the HTTP request is malformed (body, parameters, document id)",
        ErrorCode.MAX_REPRESENTATIONS_EXCEEDED: "`_entities` got more representations than allowed",
        ErrorCode.PAYLOAD_TOO_LARGE: "a request body is over its limit (refused while it streams in)",
        ErrorCode.LENGTH_REQUIRED: "an upload did not declare its Content-Length",
        ErrorCode.UPLOADS_BUSY: "the shared upload budget is taken; retry after `Retry-After`",
        ErrorCode.REQUEST_TIMEOUT: "the request body stalled longer than allowed",
        ErrorCode.FORBIDDEN: "`_service { sdl }` in production without the router's token",
        ErrorCode.EVENT_LOG_UNAVAILABLE: "the live-update event log cannot store or read events right now",
        ErrorCode.EVENT_POSITION_INVALID: "a resume position (`after:` / Last-Event-ID) the event log cannot use",
        ErrorCode.SUBSCRIPTION_TRANSPORT_REQUIRED: "a subscription was sent as plain JSON; use SSE or WebSocket",
        ErrorCode.CORS_REFUSED: "the browser's Origin is not in PORTALGRAPH_CORS_ORIGINS",
        ErrorCode.DOWNLOAD_LINK_INVALID: "the download link's signature does not match (altered or foreign)",
        ErrorCode.DOWNLOAD_LINK_EXPIRED: "the download link is past its expiry; query a fresh one",
    }
)
