from __future__ import annotations

from typing import Any

import pytest

from graph.domain.errors import BadUserInputError
from graph.domain.ids import check_global_id, from_global_id, to_global_id
from graph.resolvers.arguments import check_ars, check_leika_key, check_page_size
from graph.resolvers.pagination import Page, decode_cursor, encode_cursor, page_request, paginate
from graph.settings import Settings

SETTINGS = Settings()


def page(**arguments: Any) -> Page:
    return page_request("l", SETTINGS, **arguments)


def test_pages_follow_each_other_without_gaps_or_overlap() -> None:
    items = list(range(7))
    first = paginate(items, list_name="l", page=page(first=3))
    second = paginate(items, list_name="l", page=page(first=3, after=first.page_info.end_cursor))
    last = paginate(items, list_name="l", page=page(first=3, after=second.page_info.end_cursor))
    assert [e.node for e in first.edges + second.edges + last.edges] == items
    assert first.page_info.has_next_page
    assert not first.page_info.has_previous_page
    assert not last.page_info.has_next_page
    assert last.page_info.has_previous_page
    assert first.total_count == 7


def test_backward_pages_from_the_end_and_before_a_cursor() -> None:
    items = list(range(7))
    tail = paginate(items, list_name="l", page=page(last=3))
    assert [e.node for e in tail.edges] == [4, 5, 6]
    assert tail.page_info.has_previous_page
    assert not tail.page_info.has_next_page
    before = paginate(items, list_name="l", page=page(last=3, before=tail.page_info.start_cursor))
    assert [e.node for e in before.edges] == [1, 2, 3]
    head = paginate(items, list_name="l", page=page(last=3, before=before.page_info.start_cursor))
    assert [e.node for e in head.edges] == [0]
    assert not head.page_info.has_previous_page
    assert head.page_info.has_next_page
    # after and before together bound a range; first or last trims it.
    both = page(after=encode_cursor("l", 1), before=encode_cursor("l", 5))
    assert [e.node for e in paginate(items, list_name="l", page=both).edges] == [2, 3, 4]
    with pytest.raises(BadUserInputError, match="Argument 'last'"):
        page(first=2, last=2)
    with pytest.raises(BadUserInputError, match="Argument 'before'"):
        page(last=2, before="nope")


@pytest.mark.parametrize("cursor", ["", "%%%", "bm90LWEtY3Vyc29y", encode_cursor("l", 1)[:-2]])
def test_malformed_cursors_are_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInputError, match="Argument 'after'"):
        decode_cursor(cursor, "l")


def test_a_cursor_of_another_list_is_refused() -> None:
    with pytest.raises(BadUserInputError, match="another list"):
        decode_cursor(encode_cursor("inbox", 3), "services")


def test_argument_checks_name_the_argument() -> None:
    settings = Settings()
    assert check_ars("05315") == "053150000000"
    for bad in ("5315", "0531500000000", "05a15"):
        with pytest.raises(BadUserInputError, match="Argument 'ars'"):
            check_ars(bad)
    assert check_leika_key("99085001012000") == "99085001012000"
    with pytest.raises(BadUserInputError, match="Argument 'leikaKey'"):
        check_leika_key("98085001012000")
    with pytest.raises(BadUserInputError, match="at most 100"):
        check_page_size(101, settings, "first")
    assert page_request("l", settings) == Page(first=20)


def test_global_ids_round_trip_and_reject_foreign_strings() -> None:
    assert from_global_id(to_global_id("Service", "koeln", "L1.LB.2")) == (
        "Service",
        ("koeln", "L1.LB.2"),
    )
    for bad in ("abc", "W10", "WyJTZXJ2aWNlIl0", "eyJhIjoxfQ"):
        with pytest.raises(BadUserInputError):
            check_global_id(bad)
