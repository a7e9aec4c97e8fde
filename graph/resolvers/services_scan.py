"""What one services page has read of the PVOG's answer: texts by position, and look-ups.

A read asks one upstream page (`page`, `size`) of the search; a look-up asks the same search
narrowed to some LeiKa keys (`leikaIds`), which answers every text of those services, so
most local wins can be decided for them (graph.domain.merge_pages). Every call counts
against the page's budget; a failed call (an outage) ends the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from graph.domain.merge_pages import LARGEST, SMALLEST, Text, service_key
from graph.loaders import Loaders
from sources.base import ServiceHit, ServicePageRecord, ServiceQuery, ars_prefix

# Texts a look-up asks per key at first: a service has one text per tier that describes it
# (Bund, Land, Kreis, municipality), about two on average; more come on a further page.
LOOKUP_TEXTS_PER_KEY = 3


def lookup_size(keys: int) -> int:
    """The page size a look-up of this many LeiKa keys asks for."""
    return min(max(LOOKUP_TEXTS_PER_KEY * keys, SMALLEST), LARGEST)


class AnswerRead:
    """The texts of one search read so far (positions in the PVOG's answer)."""

    def __init__(self, loaders: Loaders, query: ServiceQuery, budget: int) -> None:
        self.loaders = loaders
        self.query = query
        self.budget = budget
        self.calls = 0
        self.total: int | None = None
        self.texts: dict[int, Text] = {}
        self.read: set[int] = set()  # positions read, texts of no network portal included
        self.looked_up: dict[str, list[Text]] = {}
        self.failed = False

    @property
    def spent(self) -> bool:
        return self.failed or self.calls >= self.budget

    @property
    def whole(self) -> bool:
        """Every text of the answer has been read: every verdict is known without look-ups."""
        return self.total is not None and len(self.read) >= self.total

    async def read_page(self, page: int, size: int) -> bool:
        answer = await self._search(replace(self.query, page=page, size=size))
        if answer is None:
            return False
        first = page * size
        self.read.update(range(first, min(first + size, self.total or 0)))
        for text in self._texts(answer.services, first):
            self.texts[text.position] = text
        return True

    async def look_up(self, keys: Iterable[str]) -> bool:
        """Every text of the answer for these LeiKa keys; False when the budget ran out
        before the look-up was complete (the keys stay undecided) or it failed."""
        wanted = tuple(sorted(set(keys)))
        size = lookup_size(len(wanted))
        narrowed = replace(self.query, leika_keys=wanted, size=size)
        found: list[ServiceHit] = []
        page = 0
        while not self.spent:
            answer = await self._search(replace(narrowed, page=page), counts_total=False)
            if answer is None:
                return False
            found.extend(answer.services)
            if not answer.services or (page + 1) * size >= answer.total:
                # `leikaIds` replaced the search's own key filter: keep what that filter let
                # through (a text's service is its first key, the filter may match another).
                asked = set(self.query.leika_keys)
                kept = [r for r in found if not asked or asked & set(r.leika_keys)]
                texts = self._texts(kept, -len(kept))  # positions unknown: not used
                for key in wanted:
                    self.looked_up[key] = [t for t in texts if service_key(t.record) == key]
                return True
            page += 1
        return False

    async def _search(
        self, query: ServiceQuery, *, counts_total: bool = True
    ) -> ServicePageRecord | None:
        self.calls += 1
        answer = await self.loaders.search_page(query)
        if answer is None:
            self.failed = True
        elif counts_total:
            self.total = answer.total
        return answer

    def _texts(self, records: Iterable[ServiceHit], first: int) -> list[Text]:
        """The records as texts at consecutive positions from `first`; a text of no portal
        of the network is not shown and takes part in no verdict."""
        records = list(records)
        # Locality per portal once, not per text: an answer holds few portals' texts.
        locality = {
            portal_id: len(ars_prefix(portal.ars))
            for portal_id, portal in self.loaders.origins(records).items()
        }
        return [
            Text(first + i, r, locality[r.portal_id])
            for i, r in enumerate(records)
            if r.portal_id in locality
        ]
