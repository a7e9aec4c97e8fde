"""Fuzzing the entry points anyone can reach (issue 18): never a 5xx, never a traceback.

Hypothesis drives the GraphQL HTTP body, GraphQL multipart uploads, FIT-Connect callbacks
and WebSocket frames (both subprotocols) against a real gateway on loopback; the last
test checks the process's memory stayed bounded. `make test` runs a bounded number of
examples per target (FUZZ_EXAMPLES, default 25); `make fuzz` runs many more.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import example, given, strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from graph.settings import Settings
from graph.testing import LoopThread
from sandbox.callbacks import sign
from tests.conftest import Gateway, Sandbox, running_gateway
from tests.helpers.abuse import rss_bytes
from tests.helpers.callbacks import Submitted, submitted
from tests.helpers.fuzzing import (
    ENTRY_KEYS,
    EXAMPLES,
    FUZZ,
    ServerErrors,
    callback_body,
    frames,
    json_values,
    latin1,
    operations,
    refused_cleanly,
)

START_RSS: list[int] = []


SERVER_ERRORS = ServerErrors()
MEMORY_BUDGET = 256 * 2**20


@pytest.fixture(scope="module")
def target(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    # running_gateway announces its callback hook: each submission gets its own secret.
    settings_ = gateway_settings.override(rate_limit_anonymous=0, rate_limit_viewer=0)
    with running_gateway(loop_thread, settings_, sandbox) as gw:
        START_RSS.append(rss_bytes())
        logging.getLogger().addHandler(SERVER_ERRORS)
        try:
            yield gw
        finally:
            logging.getLogger().removeHandler(SERVER_ERRORS)


@pytest.fixture(scope="module")
def submission(target: Gateway, sandbox: Sandbox) -> Submitted:
    """A submission made through the target: its callbacks are signed with its secret, so
    signed fuzz callbacks get past the signature check to the code behind it. The test
    alone sends its callbacks (the sandbox's FIT-Connect sends none)."""
    return submitted(target, sandbox, "fuzz", skip=20).take_over()


@FUZZ
@given(
    body=st.binary(max_size=3000)
    | operations.map(lambda o: json.dumps(o).encode())
    | st.lists(operations, max_size=3).map(lambda o: json.dumps(o).encode()),
    content_type=st.sampled_from(
        ["application/json", "application/graphql-response+json", "text/plain", ""]
    ),
    accept=st.sampled_from(["", "application/graphql-response+json", "text/event-stream"]),
)
def test_graphql_bodies(target: Gateway, body: bytes, content_type: str, accept: str) -> None:
    headers = {"GraphQL-Preflight": "1", "Content-Type": content_type, "Accept": accept}
    refused_cleanly(target.http.post("/graphql", content=body, headers=headers, timeout=10))


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["query", "variables", "operationName", "extensions"]),
        st.text(max_size=100),
    )
)
def test_graphql_get(target: Gateway, params: dict[str, str]) -> None:
    refused_cleanly(target.http.get("/graphql", params=params, headers={"GraphQL-Preflight": "1"}))


@FUZZ
@given(
    operations_field=operations.map(json.dumps) | st.text(max_size=200),
    map_field=st.dictionaries(
        st.text(max_size=5), st.lists(st.text(max_size=30) | json_values, max_size=3) | json_values
    ).map(json.dumps)
    | st.text(max_size=100),
    filename=st.text(max_size=60),
    mime=st.sampled_from(
        ["application/pdf", "text/plain", "image/png", "application/x-msdownload", "text/html"]
    ),
    content=st.binary(max_size=2000),
)
def test_multipart_uploads(
    target: Gateway,
    sandbox: Sandbox,
    operations_field: str,
    map_field: str,
    filename: str,
    mime: str,
    content: bytes,
) -> None:
    try:
        response = target.http.post(
            "/graphql",
            data={"operations": operations_field, "map": map_field},
            files={"0": (filename, content, mime)},
            headers={
                "GraphQL-Preflight": "1",
                "Authorization": f"Bearer {sandbox.demo_token('erika')}",
            },
        )
    except (httpx.LocalProtocolError, UnicodeEncodeError):
        return  # the client library refused to send it: nothing reached the server
    refused_cleanly(response)


@FUZZ
@given(
    shape=st.sampled_from(["raw", "real", "changed", "more"]),
    raw=st.binary(max_size=2000)
    | st.fixed_dictionaries({"submissions": json_values}).map(lambda d: json.dumps(d).encode()),
    changes=st.dictionaries(ENTRY_KEYS, json_values | st.uuids().map(str), max_size=3),
    extra=st.dictionaries(st.text(max_size=10), json_values, max_size=3),
    timestamp=latin1,
    signature=latin1,
    signed=st.booleans(),
    portal=st.sampled_from(["koeln", "bund", "nowhere", "..", "%00"]),
)
# The submission's own callback, signed: accepted (the fuzzed runs then reach past the check).
@example(
    shape="real",
    raw=b"",
    changes={},
    extra={},
    timestamp="",
    signature="",
    signed=True,
    portal="koeln",
)
def test_callbacks(
    target: Gateway,
    submission: Submitted,
    shape: str,
    raw: bytes,
    changes: dict[str, object],
    extra: dict[str, object],
    timestamp: str,
    signature: str,
    signed: bool,
    portal: str,
) -> None:
    body = raw if shape == "raw" else callback_body(submission, shape, changes, extra)
    if signed:  # signed with the submission's own secret, as its FIT-Connect would
        timestamp = str(int(time.time()))
        signature = sign(submission.secret, timestamp, body)
    headers = [
        (b"callback-timestamp", timestamp.encode("latin-1")),
        (b"callback-authentication", signature.encode("latin-1")),
        (b"content-type", b"application/json"),
    ]
    try:
        response = target.http.post(f"/hooks/fitconnect/{portal}", content=body, headers=headers)
    except httpx.LocalProtocolError:
        return  # a header value the client library will not send (e.g. only spaces)
    refused_cleanly(response)
    if signed and shape == "real" and portal == submission.portal:
        assert response.status_code == 200, response.text


@FUZZ
@given(
    protocol=st.sampled_from(["graphql-transport-ws", "graphql-ws"]),
    messages=st.lists(frames, min_size=1, max_size=5),
    init_first=st.booleans(),
)
def test_websocket_frames(
    target: Gateway, protocol: str, messages: list[str], init_first: bool
) -> None:
    url = target.url.replace("http://", "ws://") + "/graphql"
    received: list[str] = []
    code = None
    with connect(url, subprotocols=[Subprotocol(protocol)], open_timeout=5) as ws:
        try:
            if init_first:
                ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            for message in messages:
                ws.send(message)
            deadline = time.monotonic() + 0.3
            while (left := deadline - time.monotonic()) > 0:
                try:
                    received.append(str(ws.recv(timeout=left)))
                except TimeoutError:
                    break
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
    assert code != 1011 or protocol == "graphql-ws", (code, messages)  # 1011: internal error
    assert not any("Traceback" in r or 'File "' in r for r in received), received


def test_no_exception_reached_the_server(target: Gateway) -> None:
    # Masked "unexpected error in operation" logs count too: each is a bug to fix.
    assert SERVER_ERRORS.records == []


def test_memory_stayed_bounded_and_the_gateway_serves(target: Gateway) -> None:
    assert target.http.get("/healthz").status_code == 200
    body = target.query("{ portals { id } }")
    assert body["data"]["portals"]
    growth = rss_bytes() - START_RSS[0]
    print(f"[figures] fuzz: rss_growth_mib={growth / 2**20:.1f} examples_per_target={EXAMPLES}")
    assert growth < MEMORY_BUDGET, f"RSS grew {growth / 2**20:.0f} MiB during the fuzz run"
