"""The callback hook trusts a signature only on the path of the submission's own portal and
for its own case, both as the journal recorded them when the gateway created the
submission. A genuinely signed callback sent to another portal's hook, or naming another
case, is refused exactly as a callback for an unknown submission is: the same status and
body, so the hook is no oracle for which submission belongs where, and it asks no upstream.
"""

from __future__ import annotations

import json
import uuid

from tests.conftest import Gateway, Sandbox
from tests.helpers.callbacks import post_callback, submitted

EVENTS = "GET /v1/cases/{caseId}/events"


def with_ids(body: bytes, **ids: str) -> bytes:
    """The new-events body with some of its submission's ids replaced."""
    document = json.loads(body)
    document["submissions"][0].update(ids)
    return json.dumps(document).encode()


def test_a_signed_callback_on_another_portals_hook_or_for_another_case_is_refused(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    made = submitted(gateway, clean_sandbox, "cb-portal", skip=16)
    assert made.portal == "koeln"
    body = made.new_events()
    unknown = with_ids(body, submissionId=str(uuid.uuid4()))
    asked = clean_sandbox.calls("koeln", "status").get(EVENTS, 0)

    # As an unknown submission is answered, on the hook of another portal the gateway serves.
    baseline = post_callback(gateway.url, "dormagen", unknown, made.secret)
    assert baseline.status_code == 401, baseline.text
    elsewhere = post_callback(gateway.url, "dormagen", body, made.secret)
    assert (elsewhere.status_code, elsewhere.json()) == (401, baseline.json())
    # The submission's own hook, but a case it did not create (signed with its secret).
    other_case = with_ids(body, caseId=str(uuid.uuid4()))
    wrong_case = post_callback(gateway.url, "koeln", other_case, made.secret)
    assert (wrong_case.status_code, wrong_case.json()) == (401, baseline.json())
    assert clean_sandbox.calls("koeln", "status").get(EVENTS, 0) == asked  # nothing fetched

    genuine = post_callback(gateway.url, "koeln", body, made.secret)
    assert genuine.status_code == 200, genuine.text
