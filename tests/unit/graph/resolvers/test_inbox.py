"""The inbox builds a Message only for the records on the requested page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from graph.resolvers.inbox import NEWEST_FIRST, Messages
from graph.resolvers.pagination import Page, paginate
from graph.types.message import Message
from tests.unit.graph.domain.test_live_pollers import VIEWER, message


def info() -> Any:
    portal: Any = SimpleNamespace(id="koeln")
    return SimpleNamespace(
        context=SimpleNamespace(gateway=SimpleNamespace(portals={"koeln": portal}), viewer=VIEWER)
    )


def test_a_page_of_500_out_of_600_builds_500_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    records = [replace(message(n), received_at=start + timedelta(minutes=n)) for n in range(600)]
    records.sort(key=NEWEST_FIRST, reverse=True)
    built: list[str] = []
    original = Message.from_record.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Message], record: Any, *args: Any) -> Message:
        built.append(record.id)
        return original(cls, record, *args)  # type: ignore[no-any-return]

    monkeypatch.setattr(Message, "from_record", classmethod(counting))
    page = paginate(Messages(info(), records), list_name="inbox", page=Page(first=500))
    assert len(built) == 500
    assert page.total_count == 600
    assert page.page_info.has_next_page
    assert [e.node.subject for e in page.edges[:2]] == ["Nachricht 599", "Nachricht 598"]
    assert page.edges[0].node.portal.id == "koeln"
    assert Messages(info(), records)[1].subject == "Nachricht 598"
