"""PVOG search answers decoded for the merge: typed, each text kept raw until asked for.

A search answer is mostly texts (descriptions, fees, links) of which a page reads only
the few fields the merge across tiers needs, and shows most services by name only.
Decoding the whole answer into dicts and strings was the largest part of a multi-portal
search's CPU (issue 21, docs/benchmarks.md): msgspec reads of each text only what
`ServiceHit` holds, skipping the rest; when a client asks for a record, the answer is split
into its texts (`msgspec.Raw`, once per answer) and that text decoded.

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


class _Hit(msgspec.Struct, gc=False):
    """What `parse_hit` reads of a text (the rest of the object is skipped, not decoded)."""

    id: str
    name: str
    ars: tuple[str, ...] = ()
    leikakeys: tuple[str, ...] | None = None
    organisationIds: tuple[str, ...] = ()  # noqa: N815 -- the PVOG's field name


class _HitPage(msgspec.Struct, gc=False):
    content: list[_Hit]
    totalElements: int | None = None  # noqa: N815 -- the PVOG's field name


class _HitEnvelope(msgspec.Struct, gc=False):
    serviceDescriptions: _HitPage  # noqa: N815 -- the PVOG's field name


class _TextPage(msgspec.Struct, gc=False):
    content: list[msgspec.Raw]


class _TextEnvelope(msgspec.Struct, gc=False):
    serviceDescriptions: _TextPage  # noqa: N815 -- the PVOG's field name


_HITS = msgspec.json.Decoder(_HitEnvelope)
_TEXTS = msgspec.json.Decoder(_TextEnvelope)
_TEXT = msgspec.json.Decoder()


class NotJsonError(Exception):
    """The answer is not JSON at all (the adapter's "body is not JSON"). Not a ValueError:
    the adapter's translation of malformed payloads words this one its own way."""


class _Texts:
    """An answer's texts, split (each kept raw) when the first is asked for: a page mostly
    shows names only, and then the answer is read once, for the hits."""

    __slots__ = ("content", "split")

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.split: list[msgspec.Raw] | None = None

    def at(self, index: int) -> msgspec.Raw:
        if self.split is None:
            self.split = _TEXTS.decode(self.content).serviceDescriptions.content
        return self.split[index]


class TextAt:
    """One hit's text: its answer and position (what `full` receives; `text_of` reads it)."""

    __slots__ = ("index", "texts")

    def __init__(self, texts: _Texts, index: int) -> None:
        self.texts = texts
        self.index = index


def decode_search_page(
    content: bytes, portal_id: str, origin: Origin | None, full: Full
) -> tuple[list[ServiceHit], int | None]:
    """`parse_search_page` over the answer's bytes; `full` receives a hit's text as a
    `TextAt` (decode it with `text_of`). Raises NotJsonError for a body that is no JSON,
    and what `parse_search_page` raises for a malformed one."""
    try:
        page = _HITS.decode(content).serviceDescriptions
    except (msgspec.ValidationError, msgspec.DecodeError):
        try:
            body = decode_json(content)
        except ValueError as exc:
            raise NotJsonError(str(exc)) from exc
        return parse_search_page(body, portal_id, origin, full)
    texts = _Texts(content)
    hits = [
        _hit(item, TextAt(texts, i), portal_id, origin, full) for i, item in enumerate(page.content)
    ]
    total = page.totalElements
    if total is None:
        return hits, None
    if total < len(hits):
        # The general path words the refusal (one place for the message).
        return parse_search_page(decode_json(content), portal_id, origin, full)
    return hits, total


def _hit(item: _Hit, text: TextAt, portal_id: str, origin: Origin | None, full: Full) -> ServiceHit:
    return ServiceHit(
        portal_id=(origin(item.ars) if origin else None) or portal_id,
        id=item.id,
        name=item.name,
        leika_keys=item.leikakeys or (),
        organisation_ids=item.organisationIds,
        full=partial(full, text),
    )


def text_of(raw: Any) -> Any:
    """A hit's text as JSON values: decoded from the answer when the typed path read it."""
    return _TEXT.decode(raw.texts.at(raw.index)) if isinstance(raw, TextAt) else raw
