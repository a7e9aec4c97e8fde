"""Most local wins across the pages of one directory answer (issue 17 item 9, issue 16 item 3).

The PVOG answers a search with *texts*: with `useArsHierarchy` a Köln search holds the Bund's,
NRW's and Köln's text of the same service, in an order of its own, not necessarily side by
side. No published parameter returns only the most local text or groups by LeiKa key (read:
reference/portalverbund.md §1.2, the live-tested clients it names), so the gateway pages on
the texts and shows a text only if it is its service's *winner in the whole answer*: the most
local text of its LeiKa key, the smallest id among equally local ones. That rule needs no
order: each service has exactly one winner at exactly one position, so walking the pages
shows it exactly once, and a cursor is simply the winner's position in the answer.

Whether a text wins is known from the texts read so far when a more local one is among them
(it loses) or when the whole answer was read; otherwise one look-up of its LeiKa key
(the same search narrowed to those keys) tells. These functions hold that rule and the
over-fetch arithmetic, without HTTP or GraphQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graph.domain.merge import outranks
from sources.base import ServiceHit

SMALLEST, LARGEST = 5, 500  # the PVOG's page sizes: at least 5, the gateway asks at most 500
# First guess of texts a service: below the Bund the PVOG adds Land and Bund texts (about two
# a service in the sandbox's Köln answer); a federal search holds the Bund's texts only.
TEXTS_PER_SERVICE, FEDERAL_TEXTS_PER_SERVICE = 2.0, 1.0


@dataclass(frozen=True, slots=True)
class Text:
    """One text of the directory's answer: where it is, and how local its author is."""

    position: int
    record: ServiceHit  # what the merge reads; the full description only for a shown one
    locality: int  # significant ARS digits of the portal the text is from (Bund 0, Köln 5)


def service_key(record: ServiceHit) -> str:
    """The service a text describes: its LeiKa key; a text without any is its own service."""
    return record.leika_keys[0] if record.leika_keys else f"{record.portal_id}/{record.id}"


def _beats(text: Text, other: Text) -> bool:
    return outranks(text.locality, text.record.id, other.locality, other.record.id)


def decide(
    read: Iterable[Text], looked_up: Mapping[str, Sequence[Text]], *, whole: bool
) -> dict[int, bool | None]:
    """Per position read: True when the text is its service's winner in the whole answer,
    False when a better text of its service exists, None when only a look-up can tell.

    `looked_up` holds every text of the answer for each key looked up; `whole`: every text of
    the answer has been read."""
    texts = list(read)
    best: dict[str, Text] = {}
    for text in [*texts, *(t for group in looked_up.values() for t in group)]:
        key = service_key(text.record)
        if key not in best or _beats(text, best[key]):
            best[key] = text
    decided: dict[int, bool | None] = {}
    for text in texts:
        key = service_key(text.record)
        winner = best[key].record.id == text.record.id
        settled = whole or key in looked_up or not text.record.leika_keys
        decided[text.position] = False if not winner else (True if settled else None)
    return decided


def take(
    order: Sequence[int], decided: Mapping[int, bool | None], wanted: int
) -> tuple[list[int], bool | None]:
    """The first `wanted` winners along `order` (positions in paging direction) and whether
    another winner follows: True, False (none among the texts read), None (unknown: an
    undecided text stands before it, and the page stops there)."""
    shown: list[int] = []
    for position in order:
        verdict = decided[position]
        if verdict is None:
            return shown, None
        if verdict:
            if len(shown) == wanted:
                return shown, True
            shown.append(position)
    return shown, False


def texts_to_read(wanted: int, found: int, read: int, *, guess: float = TEXTS_PER_SERVICE) -> int:
    """How many more texts to ask for to find `wanted` more winners: the ratio seen so far
    (`read` texts gave `found` winners), at first `guess`, within page limits."""
    ratio = read / found if found else guess
    return min(max(math.ceil(wanted * max(ratio, 1.0)), SMALLEST), LARGEST)


def page_at(frontier: int, count: int, *, forwards: bool) -> tuple[int, int]:
    """One upstream page (`page`, `size`) that reads on from `frontier` (the next position
    forwards, or the one after the last position wanted backwards) by up to `count` texts:
    the size from `count` to twice it that reads the most new texts in one call."""
    low = min(max(count, SMALLEST), LARGEST)
    best: tuple[int, int, int] | None = None
    for size in range(low, min(2 * low, LARGEST) + 1):
        page = frontier // size if forwards else max(frontier - 1, 0) // size
        new = (page + 1) * size - frontier if forwards else frontier - page * size
        if best is None or min(new, count) > best[0]:
            best = (min(new, count), page, size)
            if best[0] == count:  # nothing reads more: the smallest such size stays
                break
    assert best is not None
    return best[1], best[2]
