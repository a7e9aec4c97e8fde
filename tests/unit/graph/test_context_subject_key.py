"""The viewer's journal pseudonym (an HMAC of the subject) is made once per request
context, and is always the current viewer's: a socket's context gets its viewer late."""

from __future__ import annotations

from typing import Any, cast

from graph.context import Context
from graph.domain.outages import OutageLog
from graph.domain.submitting import SubjectKeys
from sources.base import TrustLevel, ViewerRecord


class CountingKeys(SubjectKeys):
    def __init__(self) -> None:
        super().__init__(b"test key")
        self.made: list[str] = []

    def __call__(self, subject: str) -> str:
        self.made.append(subject)
        return super().__call__(subject)


def viewer(subject: str) -> ViewerRecord:
    return ViewerRecord(
        subject, TrustLevel.HIGH, ("eID",), None, None, None, None, None, None, False, None,
        2e9, f"token-of-{subject}",
    )  # fmt: skip


def context(keys: SubjectKeys | None, who: ViewerRecord | None) -> Context:
    gateway = cast(Any, type("Gateway", (), {"subject_keys": keys})())
    loaders, actions = cast(Any, None), cast(Any, None)
    return Context(None, None, gateway, loaders, actions, OutageLog(), viewer=who)  # type: ignore[arg-type]


def test_the_pseudonym_is_made_once_per_context_and_is_the_viewers() -> None:
    keys = CountingKeys()
    erika = context(keys, viewer("erika"))
    first = erika.subject_key()
    assert [erika.citizen.subject_key() for _ in range(5)] == [first] * 5
    assert (first, keys.made) == (SubjectKeys(b"test key")("erika"), ["erika"])
    max_ = context(keys, viewer("max"))  # another request: its own, never Erika's
    assert max_.subject_key() == SubjectKeys(b"test key")("max") != first
    assert keys.made == ["erika", "max"]


def test_a_viewer_set_later_or_changed_gets_its_own_pseudonym() -> None:
    keys = CountingKeys()
    socket = context(keys, None)
    assert socket.subject_key() is None  # anonymous until connection_init
    socket.viewer = viewer("erika")
    assert socket.subject_key() == SubjectKeys(b"test key")("erika")
    socket.viewer = viewer("max")
    assert socket.subject_key() == SubjectKeys(b"test key")("max")
    assert keys.made == ["erika", "max"]


def test_no_pseudonym_without_a_journal_and_none_in_the_contexts_repr() -> None:
    assert context(None, viewer("erika")).subject_key() is None
    with_key = context(CountingKeys(), viewer("erika"))
    key = with_key.subject_key()
    assert key is not None
    assert key not in repr(with_key)
