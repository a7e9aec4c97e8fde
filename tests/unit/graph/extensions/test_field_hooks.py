"""Hooks bound per field: plain fields resolve in one call and pass through no hook."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import GraphQLObjectType

from graph.extensions.at_hand import AtHandExecutionContext
from graph.extensions.audit import AuditLog, audited_as
from graph.extensions.field_hooks import bind_field_hooks
from graph.schema import build_schema
from graph.types.message import Message
from graph.types.service import Service
from graph.types.submission import ApplicationsForgotten
from tests.unit.graph.domain.test_live_pollers import VIEWER, message

SCHEMA = build_schema()


def resolver(type_name: str, field: str) -> Callable[..., Any]:
    parent = SCHEMA._schema.type_map[type_name]
    assert isinstance(parent, GraphQLObjectType)
    found: Callable[..., Any] | None = parent.fields[field].resolve
    assert found is not None
    return found


def test_no_extension_wraps_every_field_and_plain_fields_resolve_directly() -> None:
    # A `resolve` hook on any extension would put every field of every operation through it.
    extensions = [factory() for factory in SCHEMA.extensions]
    assert [type(e).__name__ for e in extensions if e._implements_resolve()] == []
    assert resolver("Message", "subject").__name__ == "resolve_plain"
    # Audited: may return a personal object (a Message behind an edge); counted: its own resolver.
    assert resolver("MessageEdge", "node").__name__ == "resolve_audited"
    assert resolver("Message", "application").__name__ == "resolve_counted"
    assert bind_field_hooks(SCHEMA._schema) == 0  # bound once, however often it is called


def test_a_plain_field_still_reads_the_attribute_behind_its_graphql_name() -> None:
    class Row:
        is_notice = True

    assert resolver("Message", "isNotice")(Row(), None) is True


def test_the_audit_knows_each_result_type_once() -> None:
    assert audited_as(Message) == ("Message", False)
    assert audited_as(ApplicationsForgotten) == ("Application", True)  # "deleted"
    assert audited_as(Service) == (None, False)


def test_the_audit_writes_each_line_once_and_keeps_nothing_before_the_first(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = AuditLog(lambda subject: "p-" + subject)
    assert (log.seen, log.who) == (None, None)  # what an idle subscription's instance holds
    info: Any = SimpleNamespace(context=SimpleNamespace(viewer=SimpleNamespace(subject="s-1")))
    with caplog.at_level(logging.INFO, logger="portalgraph.audit"):
        for _ in range(2):
            log._emit(info, "Message", "m1", "ok")
        log._emit(info, "Message", "m2", "denied")
    lines = [r.__dict__["audit"] for r in caplog.records if r.name == "portalgraph.audit"]
    assert lines == [
        {"who": "p-s-1", "what": "Message", "id": "m1", "result": "ok"},
        {"who": "p-s-1", "what": "Message", "id": "m2", "result": "denied"},
    ]


def test_the_audit_writes_a_line_for_a_result_given_now_or_awaited(
    caplog: pytest.LogCaptureFixture,
) -> None:
    found = Message.from_record(message(1), SimpleNamespace(id="koeln"), VIEWER)  # type: ignore[arg-type]
    info: Any = SimpleNamespace(
        context=SimpleNamespace(viewer=VIEWER),
        field_name="node",
        is_awaitable=AtHandExecutionContext.is_awaitable,
    )

    async def later(_root: Any, _info: Any) -> Message:
        return found

    log = AuditLog(lambda subject: "p-" + subject)
    with caplog.at_level(logging.INFO, logger="portalgraph.audit"):
        assert log.around(lambda _root, _info: found, None, info) is found
        log.seen = None  # the same line again
        assert asyncio.run(log.around(later, None, info)) is found
    lines = [r.__dict__["audit"]["id"] for r in caplog.records if r.name == "portalgraph.audit"]
    assert lines == [found.id, found.id]
