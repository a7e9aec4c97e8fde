"""Most local wins over a whole answer, page by page (graph.domain.merge_pages)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, strategies as st

from graph.domain.merge_pages import Text, decide, page_at, service_key, take, texts_to_read
from sources.base import hit_of
from tests.helpers.records import service_record

BUND, NRW, KOELN = 0, 2, 5  # significant ARS digits of the three tiers' portals


def text(position: int, leika: str, locality: int, suffix: str = "") -> Text:
    portal = {BUND: "bund", NRW: "nrw", KOELN: "koeln"}[locality]
    return Text(
        position,
        hit_of(service_record(portal, f"{portal}-{leika}{suffix}", leika, (leika,))),
        locality,
    )


def test_a_less_local_text_loses_and_the_winner_waits_for_a_look_up() -> None:
    read = [text(0, "99085001012000", BUND), text(1, "99085001012000", KOELN)]
    assert decide(read, {}, whole=False) == {0: False, 1: None}
    assert decide(read, {}, whole=True) == {0: False, 1: True}
    looked_up = {"99085001012000": read}
    assert decide(read, looked_up, whole=False) == {0: False, 1: True}


def test_a_more_local_text_elsewhere_in_the_answer_beats_the_one_on_the_page() -> None:
    bund = text(3, "99085001012000", BUND)
    koeln_far_away = text(-1, "99085001012000", KOELN)
    assert decide([bund], {"99085001012000": [bund, koeln_far_away]}, whole=False) == {3: False}


def test_equally_local_texts_the_smallest_id_wins_and_a_text_without_key_is_its_own() -> None:
    first, second = text(0, "99001", KOELN, "b"), text(1, "99001", KOELN, "a")
    keyless = Text(2, hit_of(service_record("koeln", "koeln-x", "Eigene Leistung", ())), KOELN)
    assert decide([first, second, keyless], {}, whole=False) == {0: False, 1: None, 2: True}
    assert service_key(keyless.record) == "koeln/koeln-x"


@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from([BUND, NRW, KOELN])), max_size=40))
def test_verdicts_do_not_depend_on_the_order_of_the_texts(rows: list[tuple[int, int]]) -> None:
    texts = [text(i, f"99{key:012d}", local, f"-{i}") for i, (key, local) in enumerate(rows)]
    shuffled = texts[::-1]
    assert decide(texts, {}, whole=True) == decide(shuffled, {}, whole=True)


def test_take_stops_at_an_open_text_and_proves_a_next_page_with_one_more_winner() -> None:
    assert take([0, 1, 2, 3], {0: True, 1: False, 2: True, 3: True}, 2) == ([0, 2], True)
    assert take([0, 1, 2], {0: True, 1: False, 2: True}, 2) == ([0, 2], False)
    assert take([0, 1, 2], {0: True, 1: None, 2: True}, 2) == ([0], None)
    assert take([5, 4, 3], {5: True, 4: True, 3: False}, 1) == ([5], True)  # backwards


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("first", [1, 5, 7, 20])
def test_walking_the_pages_shows_each_service_once_with_its_most_local_text(
    seed: int, first: int
) -> None:
    """Pages as the resolver builds them: the cursor is the position of the page's last
    service, the next page starts right after it; look-ups settle every key (here: all)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible answer, not a secret
    answer = [
        text(i, f"99{rng.randrange(30):012d}", rng.choice([BUND, NRW, KOELN]), f"-{i}")
        for i in range(rng.randrange(0, 120))
    ]
    by_key: dict[str, list[Text]] = {}
    for found in answer:
        by_key.setdefault(service_key(found.record), []).append(found)
    shown: list[Text] = []
    start = 0
    while True:
        window = answer[start : start + 2 * first + 3]  # what one read brings, say
        verdicts = decide(window, by_key, whole=False)
        page, more = take([t.position for t in window], verdicts, first)
        if more is False and start + len(window) < len(answer):  # read on: window too small
            window = answer[start:]
            page, more = take(
                [t.position for t in window], decide(window, by_key, whole=False), first
            )
        shown += [answer[p] for p in page]
        if not more:
            break
        start = page[-1] + 1
    keys = [service_key(t.record) for t in shown]
    assert sorted(keys) == sorted(by_key)
    for found in shown:
        rivals = by_key[service_key(found.record)]
        assert found.locality == max(r.locality for r in rivals)


def test_the_first_read_guesses_two_texts_a_service_then_learns_the_ratio() -> None:
    assert texts_to_read(6, 0, 0) == 12
    assert texts_to_read(6, 3, 12) == 24  # 12 texts gave 3 services: 4 a service
    assert texts_to_read(1, 5, 5) == 5  # never below the PVOG's smallest page
    assert texts_to_read(400, 1, 10) == 500  # never above the largest the gateway asks


@given(st.integers(0, 5000), st.integers(1, 600), st.booleans())
def test_a_read_is_one_page_that_brings_new_texts(
    frontier: int, count: int, forwards: bool
) -> None:
    if not forwards and frontier == 0:
        return  # nothing lies before the start
    page, size = page_at(frontier, count, forwards=forwards)
    assert 5 <= size <= 500
    first, stop = page * size, (page + 1) * size
    assert (first <= frontier < stop) if forwards else (first < frontier <= stop)


def test_a_first_page_reads_exactly_the_guess() -> None:
    assert page_at(0, 12, forwards=True) == (0, 12)
    assert page_at(42, 49, forwards=True) == (0, 91)  # the rest of a 91-text answer
