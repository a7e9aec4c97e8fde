"""The JavaScript clients frontend teams use: graphql-ws (WebSocket) and graphql-sse (SSE)."""

from __future__ import annotations

from tests.conftest import Gateway, Sandbox
from tests.helpers.nodejs import node_json


def test_graphql_ws_and_graphql_sse_clients(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    report = node_json(
        "clients.mjs",
        gateway.url,
        clean_sandbox.demo_token("lena"),
        clean_sandbox.url("koeln", "inbox"),
        timeout=90,
    )
    ws, sse = report["ws"], report["sse"]
    assert ws["query"] == 4
    assert ws["queryDone"] is True
    assert ws["event"] == "graphql-ws 1"
    # terminate() dropped the socket; the client dialled again and its next operation ran.
    assert ws["afterReconnect"] == "graphql-ws 2"
    assert ws["reconnects"] == 1
    assert ws["completed"] is True
    assert "nope" in ws["validationError"]
    assert ws["anonymousError"] == "UNAUTHENTICATED"
    assert sse["event"] == "graphql-sse"
    assert sse["completed"] is True
