"""Authenticated callbacks already handled, until their signature window closes.

Issue 18 #10: a replay (same portal and signature) within the five minutes a signature is
valid is answered without upstream work; it carried nothing new. Bounded: the oldest
entries go first, and a forgotten replay merely does the work again. Per process: a replay
reaching another replica is handled there once more (idempotent).
"""

from __future__ import annotations

from collections import OrderedDict


class ReplayGuard:
    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self.until: OrderedDict[tuple[str, str], float] = OrderedDict()

    def seen(self, portal_id: str, signature: str, now: float) -> bool:
        while self.until and next(iter(self.until.values())) < now:
            self.until.popitem(last=False)
        return (portal_id, signature.strip().lower()) in self.until

    def remember(self, portal_id: str, signature: str, until: float) -> None:
        self.until[(portal_id, signature.strip().lower())] = until
        while len(self.until) > self.size:
            self.until.popitem(last=False)
