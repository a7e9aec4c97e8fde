"""GraphQL over HTTP: the `application/graphql-response+json` media type and its status codes.

Strawberry answers every operation as `application/json` with 200, which the spec keeps for
legacy clients. Clients that accept `application/graphql-response+json` get that type, and a
request error (parse, validation or variable coercion: nothing executed, so no `data`) is a
400 for them, as the spec asks; a field error stays a 200 with partial data.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.streaming import JSONEncoder, SSETransport
from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE = "application/graphql-response+json"
EVENT_STREAM = "text/event-stream"
# What a single result can be sent as, in the order the gateway prefers on a tie of q.
SINGLE_RESULT = (GRAPHQL_RESPONSE, "application/json")
REQUEST_ERROR = "graphql_request_error"


def preferred_media_type(accept: str, offered: Sequence[str]) -> str | None:
    """The offered type the client prefers (RFC 9110 §12.5.1), None if it takes none.

    Each offered type gets the q of the most specific range matching it; the highest q
    wins, and on equal q the type whose range the client listed first. A missing or
    empty Accept takes anything: the first offered type.
    """
    if not accept.strip():
        return offered[0] if offered else None
    ranges: list[tuple[str, float]] = []
    for media_range in accept.split(","):
        media, *params = (part.strip().lower() for part in media_range.split(";"))
        if media:
            ranges.append((media, _quality(params)))
    best: tuple[float, int, str] | None = None
    for kind in offered:
        matched = _match(kind, ranges)
        if matched is None or matched[1] <= 0:
            continue
        position, quality = matched
        if best is None or (quality, -position) > (best[0], -best[1]):
            best = (quality, position, kind)
    return best[2] if best else None


def _match(kind: str, ranges: list[tuple[str, float]]) -> tuple[int, float] | None:
    """(position, q) of the most specific range naming `kind`: exact, then type/*, */*."""
    family = kind.split("/", 1)[0] + "/*"
    for pattern in (kind, family, "*/*"):
        for position, (media, quality) in enumerate(ranges):
            if media == pattern:
                return position, quality
    return None


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                return min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def wants_event_stream(accept: str) -> bool:
    """Stream only when the client prefers SSE to every JSON answer it would take."""
    return preferred_media_type(accept, (*SINGLE_RESULT, EVENT_STREAM)) == EVENT_STREAM


def prefers_stream(accept: str) -> bool:
    """An SSE or multipart answer (subscriptions, @defer): not bounded by the request deadline."""
    streams = (EVENT_STREAM, "multipart/mixed")
    return preferred_media_type(accept, (*SINGLE_RESULT, *streams)) in streams


class NegotiatedSSETransport(SSETransport):
    """Strawberry streams whenever `text/event-stream` appears in Accept at all; urql's
    default Accept lists it after the JSON types, so it would get a stream it can't read.
    """

    def accepts(self, accept: str) -> bool:
        return wants_event_stream(accept)

    def encode_next(self, response: GraphQLHTTPResponse, encode_json: JSONEncoder) -> str:
        """A live event that selected `eventId` carries it as the SSE `id:`, so a browser's
        EventSource resumes after it by itself (Last-Event-ID, graph/resolvers/subscriptions.py)."""
        event = super().encode_next(response, encode_json)
        event_id = sse_event_id(response)
        return f"id: {event_id}\r\n{event}" if event_id else event


def sse_event_id(response: GraphQLHTTPResponse) -> str | None:
    """The `eventId` of a subscription result's one root field, if selected and one line."""
    data = response.get("data")
    if not isinstance(data, dict) or len(data) != 1:
        return None
    payload = next(iter(data.values()))
    event_id = payload.get("eventId") if isinstance(payload, dict) else None
    if not isinstance(event_id, str) or not event_id.isprintable() or "\x00" in event_id:
        return None
    return event_id


def accepts_graphql_response(headers: Headers) -> bool:
    """Whether the client lists the GraphQL response media type (q > 0) at all.

    Named explicitly, not through `*/*`: a legacy client that takes anything keeps JSON.
    """
    for media_range in headers.get("accept", "").split(","):
        media, *params = (part.strip().lower() for part in media_range.split(";"))
        if media == GRAPHQL_RESPONSE and _quality(params) > 0:
            return True
    return False


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing executed: no data and only errors that belong to no field."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def mark_request_error(
    request: Request, result: ExecutionResult, body: GraphQLHTTPResponse
) -> GraphQLHTTPResponse:
    """Remember a request error for `GraphQLResponseType`; drop `data`, which the spec omits then."""
    if is_request_error(result):
        request.scope.setdefault("state", {})[REQUEST_ERROR] = True
        if accepts_graphql_response(request.headers):
            body.pop("data", None)
    return body


class GraphQLResponseType:
    """Pure ASGI: relabel JSON answers for clients that accept the GraphQL response type.

    Around the GraphQL route, so refusals and response-cache hits are relabelled too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not accepts_graphql_response(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return

        async def relabel(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("application/json"):
                    headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
                    # Other refusals (429 rate limit, 413, ...) carry their own status.
                    errored = scope.get("state", {}).get(REQUEST_ERROR)
                    if errored and message["status"] == 200:
                        message["status"] = 400
            await send(message)

        await self.app(scope, receive, relabel)
