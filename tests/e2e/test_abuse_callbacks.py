"""Issue 18 findings 2, 8 and 10 on /hooks/fitconnect/{portal}: callbacks under attack.

Before: the endpoint read the whole body before its 64 KiB check and before checking the
signature; one unsigned 300 MiB POST took the process from 146 to 721 MiB.
"""

from __future__ import annotations

from tests.conftest import Gateway
from tests.helpers.abuse import figures, rss_bytes
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
