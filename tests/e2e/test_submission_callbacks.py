"""Per-submission callbacks end to end: the gateway announces `callback {url, secret}` on
create (the secret its journal keeps), FIT-Connect (the sandbox) signs that submission's
new-events callbacks with it, and the gateway's hook accepts them."""

from __future__ import annotations

from tests.conftest import Gateway, Sandbox
from tests.helpers.callbacks import advance_case, post_callback, submitted, wait_for_callback


def test_a_submission_announces_its_own_callback_and_its_events_are_accepted(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    callbacks = clean_sandbox.network.callbacks
    sent, failed = callbacks.sent, callbacks.failed
    made = submitted(gateway, clean_sandbox, "cb", skip=15)
    assert made.callback_url == f"{gateway.url}/hooks/fitconnect/koeln"
    assert 32 <= len(made.secret) <= 512
    assert (callbacks.sent > sent, callbacks.failed) == (True, failed)  # the submit event

    sent = callbacks.sent
    advance_case(clean_sandbox, made.case)
    wait_for_callback(clean_sandbox, sent, failed)  # and the next one

    # The same body signed with a wrong secret is refused: the journal's secret decided.
    body = made.new_events()
    forged = post_callback(gateway.url, "koeln", body, "x" * 43)
    assert forged.status_code == 401
    genuine = post_callback(gateway.url, "koeln", body, made.secret)
    assert genuine.status_code == 200, genuine.text


def test_each_submission_has_a_secret_of_its_own(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    first = submitted(gateway, clean_sandbox, "cb-own", skip=15)
    second = submitted(gateway, clean_sandbox, "cb-own", skip=15)
    assert first.secret != second.secret
    # One submission's secret does not open the other's callback.
    answer = post_callback(gateway.url, "koeln", second.new_events(), first.secret)
    assert answer.status_code == 401
    answer = post_callback(gateway.url, "koeln", second.new_events(), second.secret)
    assert answer.status_code == 200, answer.text
