"""GraphQL over HTTP: the `application/graphql-response+json` media type and its status codes.

Strawberry answers every operation as `application/json` with 200, which the spec keeps for
legacy clients. Clients that accept `application/graphql-response+json` get that type, and a
request error (parse, validation or variable coercion: nothing executed, so no `data`) is a
400 for them, as the spec asks; a field error stays a 200 with partial data.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE = "application/graphql-response+json"
REQUEST_ERROR = "graphql_request_error"


def accepts_graphql_response(headers: Headers) -> bool:
    for media_range in headers.get("accept", "").split(","):
        media, *params = (part.strip().lower() for part in media_range.split(";"))
        if media == GRAPHQL_RESPONSE and not any(_is_zero_quality(p) for p in params):
            return True
    return False


def _is_zero_quality(param: str) -> bool:
    # `;q=0` (or 0.0, 0.000) means "not acceptable" (RFC 9110 §12.4.2).
    name, _, value = param.partition("=")
    return name.strip() == "q" and value.strip().strip("0").strip(".") == ""


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
