"""PVOG search answers decoded for the merge: typed, each text kept raw until asked for.

A search answer is mostly texts (descriptions, fees, links) of which a page reads only
the few fields the merge across tiers needs, and shows most services by name only.
Decoding the whole answer into dicts and strings was the largest part of a multi-portal
search's CPU (issue 21, docs/benchmarks.md): msgspec reads the envelope with each text as
`msgspec.Raw` (its bytes, unparsed) and decodes from each text only what `ServiceHit`
holds; the text itself is decoded when a client asks for its record.

An answer the typed reading refuses (a field of another type, a body not in UTF-8) is read
by the general path, `parse_search_page` over the decoded JSON, so what it accepts and
how it fails stay the same.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec

from sources._answer import decode_json
from sources._pvog_payloads import Full, Origin, parse_search_page
from sources.base import ServiceHit


class _Page(msgspec.Struct, gc=False):
    content: list[msgspec.Raw]
    totalElements: int | None = None  # noqa: N815 -- the PVOG's field name


class _Envelope(msgspec.Struct, gc=False):
    serviceDescriptions: _Page  # noqa: N815 -- the PVOG's field name


class _Hit(msgspec.Struct, gc=False):
    """What `parse_hit` reads of a text (the rest of the object is skipped, not decoded)."""

    id: str
    name: str
    ars: tuple[str, ...] = ()
    leikakeys: tuple[str, ...] | None = None
    organisationIds: tuple[str, ...] = ()  # noqa: N815 -- the PVOG's field name


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_HIT = msgspec.json.Decoder(_Hit)
_TEXT = msgspec.json.Decoder()


class NotJsonError(Exception):
    """The answer is not JSON at all (the adapter's "body is not JSON"). Not a ValueError:
    the adapter's translation of malformed payloads words this one its own way."""


def decode_search_page(
    content: bytes, portal_id: str, origin: Origin | None, full: Full
) -> tuple[list[ServiceHit], int | None]:
    """`parse_search_page` over the answer's bytes; `full` receives a hit's text as
    `msgspec.Raw` (decode it with `text_of`). Raises NotJsonError for a body that is no
    JSON, and what `parse_search_page` raises for a malformed one."""
    try:
        page = _ENVELOPE.decode(content).serviceDescriptions
        hits = [_hit(raw, portal_id, origin, full) for raw in page.content]
    except (msgspec.ValidationError, msgspec.DecodeError):
        try:
            body = decode_json(content)
        except ValueError as exc:
            raise NotJsonError(str(exc)) from exc
        return parse_search_page(body, portal_id, origin, full)
    total = page.totalElements
    if total is None:
        return hits, None
    if total < len(hits):
        # The general path words the refusal (one place for the message).
        return parse_search_page(decode_json(content), portal_id, origin, full)
    return hits, total


def _hit(raw: msgspec.Raw, portal_id: str, origin: Origin | None, full: Full) -> ServiceHit:
    item = _HIT.decode(raw)
    return ServiceHit(
        portal_id=(origin(item.ars) if origin else None) or portal_id,
        id=item.id,
        name=item.name,
        leika_keys=item.leikakeys or (),
        organisation_ids=item.organisationIds,
        full=partial(full, raw),
    )


def text_of(raw: Any) -> Any:
    """A hit's text as JSON values: decoded from its bytes when the typed path kept them."""
    return _TEXT.decode(raw) if isinstance(raw, msgspec.Raw) else raw
