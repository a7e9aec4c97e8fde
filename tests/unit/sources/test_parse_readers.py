"""The strict readers the parse functions share: string lists and remembered timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sources._parse import MalformedError, aware, strings


def test_strings_keeps_a_list_of_strings_and_refuses_anything_else() -> None:
    assert strings(["050000000000", "000000000000"]) == ("050000000000", "000000000000")
    assert strings([]) == ()
    with pytest.raises(MalformedError, match="expected a string, got int"):
        strings(["050000000000", 5])
    with pytest.raises(MalformedError, match="expected a list"):
        strings("050000000000")


def test_a_repeated_timestamp_is_parsed_once_and_stays_correct() -> None:
    first = aware("2026-05-21T10:21:56.440Z")
    assert first == datetime(2026, 5, 21, 10, 21, 56, 440000, tzinfo=UTC)
    assert aware("2026-05-21T10:21:56.440Z") is first
    assert aware("2026-04-02T08:00:00") == datetime(2026, 4, 2, 8, tzinfo=UTC)  # naive: UTC
    assert aware(None) is None
    assert aware("") is None
    with pytest.raises(MalformedError):
        aware(20260402)
    with pytest.raises(ValueError, match="Invalid isoformat"):
        aware("yesterday")
