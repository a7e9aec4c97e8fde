"""The callback hook's body reader: which submission's secret may authenticate a callback."""

from __future__ import annotations

import json

import pytest

from graph.http.callbacks import Named, named_submissions

SUBMISSION = "9eec7d3e-dc66-4f82-9f52-1520bf96a32e"
CASE = "f39ab143-d91a-474a-b69f-b00f1a1873c2"
DESTINATION = "d12caea8-f372-4eb1-b102-b0a228253a11"


def body(*submissions: object) -> bytes:
    return json.dumps({"type": "new-events", "submissions": list(submissions)}).encode()


def test_the_submissions_of_a_callback_are_read_in_order() -> None:
    first = {"submissionId": SUBMISSION, "caseId": CASE, "destinationId": DESTINATION}
    second = {"submissionId": DESTINATION, "caseId": CASE}
    assert named_submissions(body(first, second)) == [
        Named(SUBMISSION, CASE, DESTINATION),
        Named(DESTINATION, CASE, None),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"[]",
        b"not json",
        b'{"submissions": "x"}',
        b'{"submissions": []}',
        body({"caseId": CASE}),  # no submissionId: no secret to look up
        body({"submissionId": SUBMISSION}),  # no caseId: nothing to fetch
        body({"submissionId": "../../etc", "caseId": CASE}),
        body({"submissionId": SUBMISSION, "caseId": CASE, "destinationId": "d"}),
        body("not an object"),
        b'{"submissions": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
        b"\xff",
    ],
)
def test_a_callback_naming_no_well_formed_submission_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - decode errors and shape errors alike
        named_submissions(raw)
