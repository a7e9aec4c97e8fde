"""The journal as a whole: readiness, the observer seam, the error boundary."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from graph.testing import free_port
from sources.journal import (
    Announcement,
    Journal,
    JournalConflictError,
    JournalUnavailableError,
    SubmissionState,
    upgrade,
)
from tests.unit.sources.journal.conftest import DRAFT


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []

    def observe(self, operation: str, seconds: float, error: str | None) -> None:
        assert seconds >= 0
        self.seen.append((operation, error))


async def test_ping_answers_on_a_live_database(journal: Journal) -> None:
    await journal.ping()
    assert journal.backend in {"sqlite", "postgresql"}


async def test_a_database_that_does_not_answer_is_a_typed_error() -> None:
    recorder = Recorder()
    url = f"postgresql://portalgraph:pw-not-shown@127.0.0.1:{free_port()}/journal"
    async with Journal.connect(url, observer=recorder, db_timeout=1) as journal:
        with pytest.raises(JournalUnavailableError, match=r"journal journal\.ping failed") as err:
            await journal.ping()
        with pytest.raises(JournalUnavailableError):
            await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=5)
        assert "pw-not-shown" not in repr(journal)
    assert "pw-not-shown" not in str(err.value)
    assert recorder.seen == [
        ("journal.ping", "JOURNAL_UNAVAILABLE"),
        ("submissions.claim", "JOURNAL_UNAVAILABLE"),
    ]


async def test_the_observer_sees_every_operation_and_how_it_ended(database_url: str) -> None:
    recorder = Recorder()
    async with Journal.connect(database_url, observer=recorder) as journal:
        claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=5)
        assert claim.ticket is not None
        with pytest.raises(JournalConflictError):
            await journal.submissions.submitted(replace(claim.ticket, owner="not-the-owner"))
        await journal.submissions.announced(
            claim.ticket, Announcement("fitconnect", "d", "sub", "case", ("a1", "a2"))
        )
        with pytest.raises(ValueError, match="not announced"):
            await journal.submissions.uploaded(claim.ticket, "x")
        await journal.ping()
    assert recorder.seen == [
        ("submissions.claim", None),
        ("submissions.submitted", "JOURNAL_CONFLICT"),
        ("submissions.announced", None),
        ("submissions.uploaded", "JOURNAL_MISUSE"),
        ("journal.ping", None),
    ]


async def test_the_embedded_default_creates_its_data_directory(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "journal.db"
    await upgrade(None, sqlite_path=path)
    async with Journal.connect(None, sqlite_path=path) as journal:
        await journal.ensure_migrated()
        assert journal.backend == "sqlite"
    assert path.exists()


async def test_many_writers_in_one_process_all_get_through(database_url: str) -> None:
    async def lifecycle(journal: Journal, index: int) -> SubmissionState:
        key = f"busy-{index}"
        claim = await journal.submissions.claim("s", key, "fp", DRAFT, owner="A", lease_seconds=60)
        assert claim.ticket is not None
        ids = (f"{key}-1", f"{key}-2")
        await journal.submissions.announced(
            claim.ticket, Announcement("fitconnect", "d", f"sub-{key}", f"case-{key}", ids)
        )
        for attachment_id in ids:
            await journal.submissions.uploaded(claim.ticket, attachment_id)
        return (await journal.submissions.submitted(claim.ticket)).state

    async with Journal.connect(database_url, pool_size=16) as journal:
        states = await asyncio.gather(*(lifecycle(journal, n) for n in range(24)))
    assert states == [SubmissionState.SUBMITTED] * 24
