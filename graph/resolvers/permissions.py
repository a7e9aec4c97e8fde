"""Field permissions: who may call a field at all, checked before its arguments are read."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from graph.context import Info
from graph.domain.errors import UnauthenticatedError


class SignedIn(BasePermission):
    """Every mutation acts for the viewer: anonymous callers get UNAUTHENTICATED.

    Without it an anonymous mutation fell through to the lookup of the viewer's object
    and answered NOT_FOUND, which sent client developers looking for a wrong id.
    """

    message = "Sign in to make changes: send 'Authorization: Bearer <token>'."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer is not None

    def on_unauthorized(self) -> None:
        raise UnauthenticatedError(self.message or "", reason="NO_TOKEN")
