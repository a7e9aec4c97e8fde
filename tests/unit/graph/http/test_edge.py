"""The HTTP edge with fake apps: bearer auth, the one error body, media-type negotiation."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from graph.context import STATE_KEY, VIEWER_KEY, GatewayState
from graph.domain.adapters import Adapters
from graph.domain.errors import UnauthenticatedError
from graph.http.auth import BearerAuth
from graph.http.errors import error_body, http_refusal
from graph.http.spec import REQUEST_ERROR, GraphQLResponseType
from graph.settings import Settings
from sources.base import ErrorCode, TrustLevel, ViewerRecord
from tests.helpers.topologies import minimal_topology

VIEWER = ViewerRecord("s", TrustLevel.HIGH, (), *(None,) * 6, False, None, 0.0, token="good")


class Verifier:
    async def verify(self, token: str) -> ViewerRecord:
        if token != "good":
            raise UnauthenticatedError("The access token is invalid or expired.")
        return VIEWER


def gateway(verifier: Any) -> GatewayState:
    return GatewayState(Settings(), minimal_topology(), Adapters(), verifier)


async def call(app: Any, headers: dict[str, str], state: dict[str, Any]) -> tuple[Message, Any]:
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "state": state,
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0], orjson.loads(sent[1]["body"])


async def echo_viewer(scope: Scope, receive: Receive, send: Send) -> None:
    viewer = scope["state"].get(VIEWER_KEY)
    await JSONResponse({"viewer": viewer.subject if viewer else None})(scope, receive, send)


async def test_bearer_auth_passes_anonymous_and_valid_requests_and_refuses_bad_tokens() -> None:
    app = BearerAuth(echo_viewer)
    state = {STATE_KEY: gateway(Verifier())}
    assert (await call(app, {}, dict(state)))[1] == {"viewer": None}
    assert (await call(app, {"authorization": "Bearer good"}, dict(state)))[1] == {"viewer": "s"}
    start, body = await call(app, {"authorization": "Bearer bad"}, dict(state))
    assert start["status"] == 401
    assert (b"www-authenticate", b'Bearer error="invalid_token"') in start["headers"]
    assert body == error_body("The access token is invalid or expired.", ErrorCode.UNAUTHENTICATED)
    start, body = await call(app, {"authorization": "Basic x"}, dict(state))
    assert start["status"] == 401
    assert "Authorization: Bearer" in body["errors"][0]["message"]
    unconfigured = {STATE_KEY: gateway(None)}
    _, body = await call(app, {"authorization": "Bearer good"}, unconfigured)
    assert body["errors"][0]["message"] == "Sign-in is not configured on this gateway."


async def test_a_route_that_requires_sign_in_refuses_anonymous_requests() -> None:
    app = BearerAuth(echo_viewer, required=True)
    start, body = await call(app, {}, {STATE_KEY: gateway(Verifier())})
    assert start["status"] == 401
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


def test_strawberry_refusals_become_graphql_errors_with_a_code() -> None:
    batching = http_refusal(HTTPException(400, "Batching is not enabled"))
    assert batching.status_code == 400
    assert orjson.loads(batching.body)["errors"][0]["extensions"] == {"code": "BATCHING_DISABLED"}
    missing = http_refusal(HTTPException(404, "Not Found"))
    assert orjson.loads(missing.body)["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    other = http_refusal(HTTPException(400, "Unable to parse request body as JSON"))
    assert orjson.loads(other.body) == error_body(
        "Unable to parse request body as JSON", ErrorCode.BAD_REQUEST
    )


async def test_graphql_response_clients_get_their_media_type_and_400_for_request_errors() -> None:
    async def request_error(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"][REQUEST_ERROR] = True
        await JSONResponse({"errors": [{"message": "x"}]})(scope, receive, send)

    app = GraphQLResponseType(request_error)
    accept = {"accept": "application/graphql-response+json"}
    start, _ = await call(app, accept, {})
    assert start["status"] == 400
    assert (b"content-type", b"application/graphql-response+json; charset=utf-8") in start[
        "headers"
    ]
    legacy, _ = await call(app, {"accept": "application/json"}, {})
    assert legacy["status"] == 200
