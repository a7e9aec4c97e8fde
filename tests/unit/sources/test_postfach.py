"""The Postfach plug-in: message_v6 inside the mailbox envelope, replyAddress, status_v6 ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sources._parse import MalformedError
from sources.postfach import parse_message, parse_status_update

SAMPLES = Path(__file__).parents[2] / "samples/postfach"
MESSAGE = json.loads((SAMPLES / "message_v6.json").read_text())
STATUS = json.loads((SAMPLES / "status_v6.json").read_text())


def envelope(**message: Any) -> dict[str, Any]:
    return {
        "id": "m-1",
        "receivedAt": "2025-03-01T10:15:30Z",
        "readAt": None,
        "isNotice": False,
        "message": MESSAGE | message,
        "attachments": [],
    }


def test_a_reply_is_allowed_exactly_when_the_authority_gives_a_reply_address() -> None:
    assert parse_message(envelope(), "koeln").reply_allowed
    assert not parse_message(envelope(replyAddress=None), "koeln").reply_allowed
    assert not parse_message(envelope(replyAddress=""), "koeln").reply_allowed
    invented = envelope(replyAddress=None) | {"replyAllowed": True}  # not a published field
    assert not parse_message(invented, "koeln").reply_allowed


def test_an_attachment_without_an_envelope_entry_is_known_by_its_hash() -> None:
    [attachment] = parse_message(envelope(), "koeln").attachments
    assert attachment.id == MESSAGE["attachments"][0]["sha512sum"]
    assert attachment.mime_type is None


@pytest.mark.parametrize("level", [0, 5, "3", True])
def test_levels_outside_one_to_four_are_malformed(level: Any) -> None:
    with pytest.raises(MalformedError):
        parse_message(envelope(stork_qaa_level=level), "koeln")


def test_status_updates_get_stable_distinct_ids_from_their_content() -> None:
    first = parse_status_update(STATUS, "koeln")
    later = parse_status_update(STATUS | {"createdDate": "2025-03-02T08:00:00.000Z"}, "koeln")
    assert first.id == parse_status_update(dict(STATUS), "koeln").id
    assert first.id != later.id
    minimal = {k: STATUS[k] for k in ("applicationId", "status", "publicServiceName",
                                      "senderName", "createdDate")}  # fmt: skip
    assert parse_status_update(minimal, "koeln").detail is None
