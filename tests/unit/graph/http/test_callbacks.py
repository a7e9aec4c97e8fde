"""The callback hook's body readers: which submission's secret may authenticate a callback."""

from __future__ import annotations

import json

import pytest

from graph.http.callbacks import submission_ids

SUBMISSION = "9eec7d3e-dc66-4f82-9f52-1520bf96a32e"


def body(*submissions: object) -> bytes:
    return json.dumps({"type": "new-events", "submissions": list(submissions)}).encode()


def test_the_submission_ids_of_a_callback_are_read_in_order() -> None:
    other = "d12caea8-f372-4eb1-b102-b0a228253a11"
    assert submission_ids(body({"submissionId": SUBMISSION}, {"submissionId": other})) == [
        SUBMISSION,
        other,
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"[]",
        b'{"submissions": "x"}',
        body({"caseId": SUBMISSION}),  # no submissionId: no secret to look up
        body({"submissionId": "../../etc"}),
        body("not an object"),
        b"\xff",
    ],
)
def test_a_callback_naming_no_well_formed_submission_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - decode errors and shape errors alike
        submission_ids(raw)
