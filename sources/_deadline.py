"""The request deadline every upstream call honours: at most the time the GraphQL request
has left. The view sets it (`deadline_after`); tasks started inside the request
(DataLoader batches, gathers) inherit it with their context; `Upstream` and the
resilience layer read it (`remaining_time`)."""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

# Monotonic time by which the current GraphQL request must be answered.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "portalgraph_deadline", default=None
)


@contextlib.contextmanager
def deadline_after(seconds: float | None) -> Iterator[None]:
    """Bound every upstream call made inside the block to `seconds` from now (None: unbounded)."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def no_deadline() -> None:
    """No deadline from here on, in the running task's own context (a WebSocket
    connection's top level: nothing to reset, and no context manager kept for the
    socket's life). Whatever context the task was copied from, its deadline is gone."""
    _deadline.set(None)


def remaining_time() -> float | None:
    """Seconds left until the current request's deadline, or None outside a request."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()
