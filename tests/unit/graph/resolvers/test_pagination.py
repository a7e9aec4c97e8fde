from __future__ import annotations

import pytest

from graph.domain.errors import BadUserInputError
from graph.domain.ids import check_global_id, from_global_id, to_global_id
from graph.resolvers.arguments import check_ars, check_first_page, check_leika_key
from graph.resolvers.pagination import decode_cursor, encode_cursor, paginate, start_after
from graph.settings import Settings


def test_pages_follow_each_other_without_gaps_or_overlap() -> None:
    items = list(range(7))
    first = paginate(items, list_name="l", first=3, start=start_after(None, "l"))
    after_first = start_after(first.page_info.end_cursor, "l")
    second = paginate(items, list_name="l", first=3, start=after_first)
    last = paginate(
        items, list_name="l", first=3, start=start_after(second.page_info.end_cursor, "l")
    )
    assert [e.node for e in first.edges + second.edges + last.edges] == items
    assert first.page_info.has_next_page
    assert not first.page_info.has_previous_page
    assert not last.page_info.has_next_page
    assert last.page_info.has_previous_page
    assert first.total_count == 7


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
        check_first_page(101, settings)
    assert check_first_page(None, settings) == 20


def test_global_ids_round_trip_and_reject_foreign_strings() -> None:
    assert from_global_id(to_global_id("Service", "koeln", "L1.LB.2")) == (
        "Service",
        ("koeln", "L1.LB.2"),
    )
    for bad in ("abc", "W10", "WyJTZXJ2aWNlIl0", "eyJhIjoxfQ"):
        with pytest.raises(BadUserInputError):
            check_global_id(bad)
