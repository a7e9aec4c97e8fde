"""What a WebSocket connection keeps while idle: a timer until its token expires, no task,
no raw credentials (graph/http/websockets.py)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

from graph.http.websockets import TOKEN_EXPIRED, Expiry, has_type, without_credentials


def viewer_context(seconds: float) -> Any:
    return SimpleNamespace(viewer=SimpleNamespace(expires_at=time.time() + seconds))


async def test_the_expiry_waits_on_a_timer_and_closes_with_4403() -> None:
    closed: list[int] = []

    async def close(code: int, reason: str) -> None:
        closed.append(code)

    expiry = Expiry()
    expiry.start(viewer_context(0.05), close)
    assert isinstance(expiry.timer, asyncio.TimerHandle)
    assert expiry.closing is None  # no task for the token's lifetime
    assert not hasattr(expiry, "__dict__")
    await asyncio.sleep(0.15)
    assert closed == [TOKEN_EXPIRED]


async def test_a_cancelled_expiry_never_closes() -> None:
    closed: list[int] = []

    async def close(code: int, reason: str) -> None:
        closed.append(code)

    expiry = Expiry()
    expiry.start(viewer_context(0.05), close)
    expiry.cancel()
    await asyncio.sleep(0.15)
    assert closed == []


async def test_no_viewer_no_timer() -> None:
    expiry = Expiry()
    expiry.start(SimpleNamespace(viewer=None), None)  # type: ignore[arg-type]
    assert expiry.timer is None


def test_the_authenticated_connection_keeps_no_raw_authorization() -> None:
    context: Any = SimpleNamespace(connection_params={"Authorization": "Bearer t", "x": 1})
    without_credentials(context)
    assert context.connection_params == {"x": 1}
    context.connection_params = {"authorization": "Bearer t"}
    without_credentials(context)
    assert context.connection_params is None


def test_a_subscribe_needs_a_query_text_or_a_persisted_document() -> None:
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}

    def subscribe(payload: object) -> dict[str, object]:
        return {"id": "1", "type": "subscribe", "payload": payload}

    assert has_type(subscribe({"query": "{ __typename }"}))
    assert has_type(subscribe({"extensions": persisted}))  # APQ: the hash alone
    assert has_type(subscribe({"extensions": {"documentId": "0" * 64}}))  # a trusted id
    assert not has_type(subscribe({"query": "", "extensions": persisted}))
    assert not has_type(subscribe({"extensions": {"other": 1}}))
    assert not has_type(subscribe({}))
    assert not has_type(subscribe([]))
