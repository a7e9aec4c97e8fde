"""The signed-in viewer: `me` is null for anonymous clients."""

from __future__ import annotations

from graph.context import Info
from graph.types.account import Me


def me(info: Info) -> Me | None:
    viewer = info.context.viewer
    return Me.from_record(viewer) if viewer else None
