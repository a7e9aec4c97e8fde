"""Who may open what: the trust-level rule, written once.

A message, attachment or notice names the trust level (Vertrauensniveau) its sender
requires; a sign-in below it sees the message locked (subject and sender only) and can
neither read, download, mark nor answer it.
"""

from __future__ import annotations

from sources.base import TrustLevel, ViewerRecord


def can_open(required: TrustLevel, viewer: ViewerRecord | None) -> bool:
    """Whether `viewer` signed in at `required` or higher; anonymous viewers open nothing."""
    return viewer is not None and viewer.trust_level >= required
