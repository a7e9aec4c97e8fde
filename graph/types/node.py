"""The Relay `Node` interface and the opaque global IDs behind it."""

from __future__ import annotations

import base64
import binascii
import json

import strawberry


@strawberry.interface(description="An object with a stable, opaque global ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID; pass it to `node(id:)`.")


def to_global_id(type_name: str, *parts: str) -> strawberry.ID:
    raw = json.dumps([type_name, *parts], separators=(",", ":"), ensure_ascii=False)
    return strawberry.ID(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def from_global_id(global_id: str) -> tuple[str, tuple[str, ...]]:
    """Decode a global ID; raises ValueError for anything this gateway did not issue."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise ValueError("not a Portalgraph ID") from exc
    if (
        not isinstance(decoded, list)
        or len(decoded) < 2
        or not all(isinstance(part, str) for part in decoded)
    ):
        raise ValueError("not a Portalgraph ID")
    return decoded[0], tuple(decoded[1:])
