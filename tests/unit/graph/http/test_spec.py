"""Content negotiation: JSON unless the client prefers an event stream."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph.http.spec import (
    EVENT_STREAM,
    SINGLE_RESULT,
    NegotiatedSSETransport,
    preferred_media_type,
    prefers_stream,
    sse_event_id,
    wants_event_stream,
)

URQL_QUERY = (
    "application/graphql-response+json, application/graphql+json, application/json,"
    " text/event-stream, multipart/mixed"
)
URQL_SUBSCRIPTION = "text/event-stream, multipart/mixed"
APOLLO = "application/graphql-response+json,application/json;q=0.9"


@pytest.mark.parametrize(
    ("accept", "streams"),
    [
        (URQL_QUERY, False),
        (URQL_SUBSCRIPTION, True),
        (APOLLO, False),
        ("text/event-stream", True),  # graphql-sse
        ("text/event-stream;q=0.5, application/json", False),
        ("application/json;q=0.5, text/event-stream", True),
        ("application/json, text/event-stream", False),  # equal q: the first listed
        ("text/event-stream, application/json", True),
        ("*/*", False),
        ("", False),
        ("text/*", True),
        ("text/event-stream;q=0", False),
        ("application/json;q=0, text/event-stream;q=0.1", True),
    ],
)
def test_event_stream_only_when_preferred(accept: str, streams: bool) -> None:
    assert wants_event_stream(accept) is streams


def test_preferred_type_and_refusal() -> None:
    offered = (*SINGLE_RESULT, EVENT_STREAM)
    assert preferred_media_type(APOLLO, offered) == "application/graphql-response+json"
    assert preferred_media_type("application/*;q=0.2, */*;q=0.1", offered) == SINGLE_RESULT[0]
    assert preferred_media_type("image/png", offered) is None
    assert preferred_media_type("application/json;q=bogus", SINGLE_RESULT) is None


@pytest.mark.parametrize(
    ("accept", "streams"),
    [
        (URQL_QUERY, False),
        (URQL_SUBSCRIPTION, True),
        ('multipart/mixed;subscriptionSpec="1.0", application/json;q=0.9', True),
        ("", False),
        ("image/png", False),
    ],
)
def test_prefers_stream(accept: str, streams: bool) -> None:
    assert prefers_stream(accept) is streams


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({"data": {"inboxMessageReceived": {"eventId": "1-2", "subject": "x"}}}, "1-2"),
        ({"data": {"inboxMessageReceived": {"subject": "x"}}}, None),  # not selected
        ({"data": None, "errors": [{"message": "no"}]}, None),
        ({"data": {"a": {"eventId": "1"}, "b": {"eventId": "2"}}}, None),  # not one root
        ({"data": {"a": {"eventId": "1\r\nevent: forged"}}}, None),  # one line only
        ({"data": {"a": {"eventId": 7}}}, None),
    ],
)
def test_the_sse_id_is_the_selected_event_id(response: Any, expected: str | None) -> None:
    assert sse_event_id(response) == expected


def test_an_sse_event_with_an_event_id_starts_with_its_id_line() -> None:
    transport = NegotiatedSSETransport()
    framed = transport.encode_next({"data": {"a": {"eventId": "1-2"}}}, json.dumps)
    assert framed.startswith("id: 1-2\r\nevent: next\r\ndata: ")
    plain = transport.encode_next({"data": {"a": {"subject": "s"}}}, json.dumps)
    assert plain.startswith("event: next\r\n")
