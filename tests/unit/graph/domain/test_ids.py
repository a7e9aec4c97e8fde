"""Global IDs: round trip, refusals naming the argument."""

from __future__ import annotations

import base64
import json

import pytest

from graph.domain.errors import BadUserInputError
from graph.domain.ids import (
    check_global_id,
    from_global_id,
    id_parts,
    to_global_id,
    unpadded_urlsafe_b64,
)
from sources.base import ErrorCode


def test_ids_are_the_ones_issued_before_they_were_encoded_by_orjson() -> None:
    # Clients keep IDs: the bytes must be what json.dumps compact, non-ASCII wrote.
    assert to_global_id("Message", "koeln", "M-1") == "WyJNZXNzYWdlIiwia29lbG4iLCJNLTEiXQ"
    tricky = 'a"b\\c\n\t\x01\x7f ü € 😀 \u2028'
    raw = json.dumps(["Message", "koeln", tricky], separators=(",", ":"), ensure_ascii=False)
    expected = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    assert to_global_id("Message", "koeln", tricky) == expected


def test_the_encoding_is_base64s_url_safe_alphabet_unpadded() -> None:
    # Every length modulo 3 (padding 0-2) and bytes that encode to '+' and '/' in base64.
    for raw in (b"", b"\xfb", b"\xfb\xff", b"\xfb\xff\xbf", b"pg1:inbox:499", bytes(range(256))):
        expected = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert unpadded_urlsafe_b64(raw) == expected
    assert "-" in unpadded_urlsafe_b64(b"\xfb\xff")
    assert "_" in unpadded_urlsafe_b64(b"\xff\xff")


def test_global_ids_round_trip_and_refuse_what_we_did_not_issue() -> None:
    global_id = to_global_id("Application", "koeln", "A-1")
    assert from_global_id(global_id) == ("Application", ("koeln", "A-1"))
    assert id_parts(global_id, "Application") == ("koeln", "A-1")
    with pytest.raises(BadUserInputError, match="is not the ID of a Message"):
        id_parts(global_id, "Message", argument="messageId")
    for bad in ("", "!!", to_global_id("x")[:-2], "WyJ4Il0"):
        with pytest.raises(BadUserInputError, match="is not a valid ID") as caught:
            check_global_id(bad, argument="id")
        assert caught.value.extensions == {"code": ErrorCode.BAD_USER_INPUT, "argument": "id"}
