"""Hypothesis settings, strategies and checks for tests/e2e/test_fuzz.py (issue 18)."""

from __future__ import annotations

import json
import logging
import os

import httpx
from hypothesis import HealthCheck, settings, strategies as st

from tests.helpers.callbacks import Submitted

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no example database on disk: every run draws afresh
)


class ServerErrors(logging.Handler):
    """ERROR records of uvicorn and the gateway: an exception escaped to the server."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("sandbox"):
            self.records.append(f"{record.name}: {record.getMessage()} {record.exc_info!r}"[:500])


QUERIES = [
    "{ portals { id name } }",
    '{ services(ars: "053150000000", first: 3) { totalCount edges { node { id name } } } }',
    "query($id: ID!) { service(id: $id) { id name } }",
    "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
    "mutation($f: Upload) { __typename }",
    "subscription { inboxMessageReceived { subject } }",
    "{ me { givenName } }",
    "{ __schema { types { name } } }",
    "query { node(id: $id) { id } }",
    "{",
    "",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)
queries = st.sampled_from(QUERIES) | st.text(max_size=200)
operations = st.fixed_dictionaries(
    {},
    optional={
        "query": queries | json_values,
        "variables": json_values,
        "operationName": st.text(max_size=20) | json_values,
        "extensions": json_values,
        "documentId": st.text(max_size=70),
    },
)


def refused_cleanly(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    assert 'File "' not in response.text


latin1 = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=140)
ENTRY_KEYS = st.sampled_from(["submissionId", "caseId", "destinationId", "type", "extra"])


def callback_body(
    made: Submitted, shape: str, changes: dict[str, object], extra: dict[str, object]
) -> bytes:
    """The submission's own new-events body ("real"), one entry changed, or more entries."""
    document = json.loads(made.new_events())
    entry = document["submissions"][0]
    if shape == "changed":
        document = {**document, **extra, "submissions": [{**entry, **changes}]}
    elif shape == "more":
        document["submissions"] = [entry, {**entry, **changes}]
    return json.dumps(document).encode()


# WebSocket frames of both subprotocols (graphql-transport-ws, graphql-ws).
message_types = st.sampled_from(
    [
        "connection_init",
        "subscribe",
        "start",
        "stop",
        "complete",
        "ping",
        "pong",
        "next",
        "ka",
        "connection_terminate",
    ]
)
frames = st.fixed_dictionaries(
    {"type": message_types | json_values},
    optional={
        "id": st.text(max_size=8) | json_values,
        "payload": st.fixed_dictionaries(
            {}, optional={"query": queries | json_values, "variables": json_values}
        )
        | json_values,
    },
).map(json.dumps) | st.text(max_size=200)
