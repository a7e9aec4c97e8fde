"""A subscription needs a stream: refuse one that arrived as a single-answer HTTP request.

Strawberry lets a POST carry a subscription and then executes it like a query, which
ends in a masked "Unexpected error." for the first field. The client sent it to the
right URL with the wrong transport; say which transports carry subscriptions.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph.http.spec import wants_event_stream
from sources.base import ErrorCode

MESSAGE = (
    "Subscriptions need a stream: use a WebSocket (graphql-ws, protocol graphql-transport-ws)"
    " or Server-Sent Events (graphql-sse, 'Accept: text/event-stream') on this URL."
)


class SubscriptionTransport(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        single_answer = isinstance(request, Request) and not wants_event_stream(
            request.headers.get("accept", "")
        )
        if single_answer and context.operation_type is OperationType.SUBSCRIPTION:
            raise GraphQLError(
                MESSAGE, extensions={"code": ErrorCode.SUBSCRIPTION_TRANSPORT_REQUIRED}
            )
        yield
