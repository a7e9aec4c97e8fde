"""Issue 18 findings 2, 8 and 10 on /hooks/fitconnect/{portal}: callbacks under attack.

Before: the endpoint read the whole body before its 64 KiB check and before checking the
signature; one unsigned 300 MiB POST took the process from 146 to 721 MiB.
"""

from __future__ import annotations

import time

from tests.conftest import Gateway, Sandbox
from tests.e2e.test_live import STATUS
from tests.e2e.test_live_callbacks import ROUTED
from tests.helpers.abuse import figures, rss_bytes
from tests.helpers.callbacks import post_callback, submitted
from tests.helpers.live import LiveClient
from tests.helpers.rawhttp import stream_body

HUGE = 300 * 2**20


def test_an_oversized_unsigned_callback_is_refused_while_streaming(gateway: Gateway) -> None:
    rss_before = rss_bytes()
    with figures("callback-300MiB-content-length") as found:
        answer = stream_body(gateway.url, "/hooks/fitconnect/koeln", total=HUGE)
        found.note("sent_mib", answer.sent / 2**20)
        found.note("rss_growth_mib", (rss_bytes() - rss_before) / 2**20)
    assert answer.status == 413, answer.head
    assert answer.sent < 16 * 2**20, "answered before the body was read"


def test_an_oversized_chunked_callback_is_refused_while_streaming(gateway: Gateway) -> None:
    rss_before = rss_bytes()
    with figures("callback-300MiB-chunked") as found:
        answer = stream_body(gateway.url, "/hooks/fitconnect/koeln", total=HUGE, chunked=True)
        found.note("sent_mib", answer.sent / 2**20)
        found.note("rss_growth_mib", (rss_bytes() - rss_before) / 2**20)
    assert answer.status == 413, answer.head
    assert answer.sent < 16 * 2**20, "answered before the body was read"


def event_log_fetches(sandbox: Sandbox) -> int:
    # Only the case event log: the gateway's pollers call other endpoints meanwhile.
    return sandbox.calls("koeln", "status").get("GET /v1/cases/{caseId}/events", 0)


def test_a_replayed_callback_makes_no_upstream_call(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    """Issue 18 #10: a replay within its window answers without re-fetching the event log."""
    made = submitted(gateway, clean_sandbox, "replay", skip=16)
    live = LiveClient(gateway.url, made.token)
    try:
        live.subscribe(STATUS, {"id": made.application["id"]})
        time.sleep(ROUTED)  # the subscription follows the case: callbacks for it do work
        body, at = made.new_events(), int(time.time())
        first = post_callback(gateway.url, "koeln", body, made.secret, at=at)
        assert first.status_code == 200, first.text
        assert event_log_fetches(clean_sandbox) >= 1  # a callback that counts is real work
        clean_sandbox.reset_stats()
        replays = [post_callback(gateway.url, "koeln", body, made.secret, at=at) for _ in range(5)]
        with figures("callback-replayed-5x") as found:
            found.note("event_log_fetches", event_log_fetches(clean_sandbox))
        assert all(r.status_code == 200 for r in replays)
        assert all(r.json().get("replayed") for r in replays)
        assert event_log_fetches(clean_sandbox) == 0
        # A new callback (new timestamp) for the same case is real work again.
        time.sleep(1.1)
        assert post_callback(gateway.url, "koeln", body, made.secret).status_code == 200
        assert event_log_fetches(clean_sandbox) >= 1
    finally:
        live.close()
