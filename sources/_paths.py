"""Raw ids into URL paths: checked against their standard's id format, then percent-encoded.

An id reaches an adapter from a client (a global id's raw part, a callback's case id). Put
into a path unchecked, `../` or `?` leaves its segment and reaches other paths on the
upstream host (issue 18 #4). An id that cannot be the standard's is "not found": no
upstream call is made for it.
"""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import quote

from sources.base import UpstreamRef
from sources.errors import InvalidIdError

# PVOG object ids: <Mandant>.<Typ>.<lokaleId>, e.g. L100042.LB.101954, B100019.LB.581863,
# L100042.OE.2292 (reference/portalverbund.md, PVOG Suchdienst API samples).
PVOG_ID = re.compile(r"[LB][0-9]{1,12}\.[A-Z]{2}\.[0-9]{1,20}")
# FIT-Connect ids (submission, case, destination) are UUIDs (FIT-Connect Submission API).
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Ids of bilateral APIs (account areas, Postfach, payment transactions) have no published
# format: any printable ASCII without whitespace, bounded, and always encoded.
OPAQUE = re.compile(r"[!-~]{1,128}")


class Where(Protocol):
    """What an error names: the Upstream an adapter calls."""

    @property
    def ref(self) -> UpstreamRef: ...


def segment(upstream: Where, value: str, form: re.Pattern[str] = OPAQUE) -> str:
    """`value` as one path segment: checked against `form`, every reserved byte encoded."""
    if not form.fullmatch(value) or value in (".", ".."):
        raise InvalidIdError(
            f"{upstream.ref}: an id not of the standard's form", upstream=upstream.ref
        )
    return quote(value, safe="")
