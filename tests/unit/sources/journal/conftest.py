"""Every journal test runs against SQLite (a temporary file) and PostgreSQL (a database
created for this test session), each migrated to head and emptied before the test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from sources.journal import AttachmentDigest, Draft, Journal, SecretBox, journal_url, upgrade
from sources.journal.tables import metadata
from tests.helpers.postgres import fresh_database

BACKENDS = ["sqlite", "postgresql"]
KEY = SecretBox.parse("k1:" + "A" * 43 + "=")
DRAFT = Draft(
    service_key="99085001012000",
    service_name="Reisepass beantragen",
    region="053150000000",
    attachments=(
        AttachmentDigest("a" * 128, 1200, "application/pdf"),
        AttachmentDigest("b" * 128, 3400, "image/png"),
    ),
)


class Clock:
    """The journal's time, moved by the test (leases expire when the test says so)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with fresh_database("portalgraph_journal") as url:
        asyncio.run(upgrade(url))
        yield url


async def empty(url: str) -> None:
    engine = create_async_engine(journal_url(url))
    try:
        async with engine.begin() as conn:
            names = ", ".join(t.name for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'journal.db'}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty journal database of either backend."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
        asyncio.run(upgrade(url))
        return url
    shared: str = request.getfixturevalue("postgres_url")
    asyncio.run(empty(shared))
    return shared


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def journal(database_url: str, clock: Clock) -> AsyncIterator[Journal]:
    async with Journal.connect(database_url, secrets=KEY, clock=clock) as opened:
        yield opened
