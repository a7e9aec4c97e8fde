"""The authority's reply (Rückkanal) over real HTTP: FIT-Connect reply events in the case's
log become entries of the application's status history, and the reply reaches the viewer
through the reply channel the submission named (FINK: the Postfach, in the application's
thread of messages).

Submission API 1.1.3 has no endpoint through which a sender reads a reply's content; the
case's event log names the reply (`sub` reply:<id>) and when it came (docs/submissions.md).
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Gateway, Sandbox

WAITING = """query {
  me { applications(first: 100, status: [ACTION_REQUIRED]) { edges { node {
    id status statusHistory { status source detail replyId }
  } } } }
}"""
THREAD = """query($application: ID) {
  me { inbox(first: 100, application: $application) { edges { node {
    subject replyAllowed application { id }
  } } } }
}"""


def test_the_authoritys_reply_joins_history_and_thread(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = clean_sandbox.demo_token("erika")
    body = gateway.query(WAITING, token=token)
    assert "errors" not in body, body
    waiting = [e["node"] for e in body["data"]["me"]["applications"]["edges"]]
    assert waiting
    for app in waiting:
        replies = [e for e in app["statusHistory"] if e["replyId"]]
        # create-reply documents no step of the viewer's; submit-reply does.
        assert [e["detail"] for e in replies] == ["Antwort der Behörde eingegangen"]
        assert replies[0]["source"] == "FIT_CONNECT"
        # A reply does not move the case: the application still waits for the viewer.
        assert replies[0]["status"] == "ACTION_REQUIRED"
        assert app["status"] == "ACTION_REQUIRED"
        assert all(e["replyId"] is None for e in app["statusHistory"] if e not in replies)
        thread = gateway.query(THREAD, {"application": app["id"]}, token=token)
        assert "errors" not in thread, thread
        messages: list[dict[str, Any]] = [e["node"] for e in thread["data"]["me"]["inbox"]["edges"]]
        assert any(m["replyAllowed"] and m["subject"].startswith("Rückfrage") for m in messages)
