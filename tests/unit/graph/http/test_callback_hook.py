"""The callback hook's answers with a stub journal and live hub: which secret decides,
and that a journal that cannot be asked is a retryable 503, never a 401 or a 500."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from graph.context import STATE_KEY, GatewayState
from graph.domain.adapters import Adapters
from graph.http.callbacks import callback_app
from graph.settings import Settings
from sources.journal import CallbackTarget, JournalSecretError, JournalUnavailableError
from tests.helpers.callbacks import signed
from tests.helpers.topologies import minimal_topology

SUBMISSION = "f39ab143-d91a-474a-b69f-b00f1a1873c2"
CASE = "9eec7d3e-dc66-4f82-9f52-1520bf96a32e"
SECRET = "s" * 43
BODY = (
    b'{"type": "new-events", "submissions": [{"submissionId": "' + SUBMISSION.encode() + b'",'
    b' "caseId": "' + CASE.encode() + b'"}]}'
)
Answer = str | CallbackTarget | Exception | None


class Submissions:
    """The journal's answer: a secret (of the submission on koeln's hook, for CASE), a
    whole target, nothing, or an error."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.asked: list[str] = []

    async def callback_target(self, submission_id: str) -> CallbackTarget | None:
        self.asked.append(submission_id)
        if isinstance(self.answer, Exception):
            raise self.answer
        if isinstance(self.answer, str):
            return CallbackTarget("koeln", CASE, self.answer)
        return self.answer


class Routes:
    async def lookup(self, portal_id: str, case_id: str) -> list[Any]:
        return []  # nobody follows the case: accepted, nothing to publish


def hook(answer: Answer) -> tuple[TestClient, Submissions]:
    submissions = Submissions(answer)
    live = SimpleNamespace(adapters=SimpleNamespace(case_events=object()), routes=Routes())
    state = GatewayState(
        Settings(),
        minimal_topology(),
        Adapters(),
        None,
        live=cast(Any, live),
        journal=cast(Any, SimpleNamespace(submissions=submissions)),
        portals=cast(Any, {"koeln": object()}),
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = {STATE_KEY: state}
        scope["path_params"] = {"portal": scope["path"].rsplit("/", 1)[-1]}
        await callback_app(scope, receive, send)

    return TestClient(app), submissions


def test_the_submissions_own_secret_opens_the_hook() -> None:
    client, submissions = hook(SECRET)
    answer = client.post("/hooks/fitconnect/koeln", content=BODY, headers=signed(SECRET, BODY))
    assert (answer.status_code, answer.json()) == (200, {"accepted": 1, "published": 0})
    assert submissions.asked == [SUBMISSION]


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (None, 401),  # no submission of this gateway: nobody's secret
        ("another-secret-of-thirty-two-characters", 401),
        (CallbackTarget("bonn", CASE, SECRET), 401),  # the submission went out via bonn
        (CallbackTarget("koeln", "another-case", SECRET), 401),  # not the case the body names
        (JournalSecretError("key gone"), 401),  # its key left the key ring: refused
        (JournalUnavailableError("down"), 503),  # not heard: FIT-Connect retries
    ],
)
def test_without_the_submissions_secret_the_hook_refuses(answer: Answer, status: int) -> None:
    client, _ = hook(answer)
    response = client.post("/hooks/fitconnect/koeln", content=BODY, headers=signed(SECRET, BODY))
    assert response.status_code == status, response.text
    if status == 503:
        assert response.headers["retry-after"] == "5"


def test_unknown_portals_unsigned_and_malformed_callbacks_ask_no_journal() -> None:
    client, submissions = hook(SECRET)
    headers = signed(SECRET, BODY)
    assert (
        client.post("/hooks/fitconnect/nowhere", content=BODY, headers=headers).status_code == 404
    )
    assert client.post("/hooks/fitconnect/koeln", content=BODY).status_code == 401
    malformed = client.post("/hooks/fitconnect/koeln", content=b"[]", headers=headers)
    assert malformed.status_code == 400
    assert submissions.asked == []
