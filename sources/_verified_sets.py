"""Security Event Tokens verified once, not on every read of a case's log.

A status page reads the same event logs again and again, and each SET's PS512
signature check (RSA) was 17 % of the dashboard's CPU (issue 21). A SET never changes:
the same token string verified by the same key verifies again. So after a successful
verification the claims are kept, keyed by a digest of the token, with the issuer and
key id it named and the very key object that verified it.

A hit counts only while the key source still hands out that same object for that
issuer and key id: a refreshed key set (a rotation, or the periodic refresh after its
max-age) and a re-fetched destination key are new objects, so every SET verified under
the old keys is verified again, and one signed by a withdrawn key is then dropped.
Failures are never kept (a bad token costs its verification each time, as before).
The memory is bounded; the least recently used entry goes first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

VERIFIED_SETS = 4096  # about a dashboard's worth of cases times their events, many times over


@dataclass(frozen=True, slots=True)
class VerifiedSet:
    issuer: str
    kid: str | None
    keys: object  # the KeySet or RSAKey that verified it; compared by identity
    claims: dict[str, Any]


class VerifiedSets:
    def __init__(self, limit: int = VERIFIED_SETS) -> None:
        self.limit = limit
        self._entries: OrderedDict[bytes, VerifiedSet] = OrderedDict()
        self.hits = 0  # for tests and the benchmark: signature checks saved

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str) -> VerifiedSet | None:
        """The entry of an earlier successful verification of `token`, if still held.

        The caller must resolve the keys for the entry's issuer and key id again and use
        the claims only if `still_valid` says those are the keys that verified them.
        """
        digest = _digest(token)
        found = self._entries.get(digest)
        if found is not None:
            self._entries.move_to_end(digest)
        return found

    def still_valid(self, entry: VerifiedSet, keys: object) -> bool:
        if entry.keys is keys:
            self.hits += 1
            return True
        return False

    def remember(self, token: str, entry: VerifiedSet) -> None:
        """Keep a successful verification (call only after the signature checked out)."""
        digest = _digest(token)
        self._entries[digest] = entry
        self._entries.move_to_end(digest)
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)


def _digest(token: str) -> bytes:
    # A digest bounds the key's size whatever the token's; SHA-256 makes a collision with
    # a verified token as hard as forging it. The encoding must be injective (no
    # "replace"): two tokens that differ must never share an entry.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
