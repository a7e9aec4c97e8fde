"""Which database and driver a journal URL names."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.journal import JournalConfigError, journal_url
from sources.journal.urls import shown, sqlite_file


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u:pw@db:5432/journal", "postgresql+asyncpg"),
        ("postgres://u@db/journal", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@db/journal", "postgresql+asyncpg"),
        ("sqlite:////var/lib/portalgraph/journal.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///journal.db", "sqlite+aiosqlite"),
    ],
)
def test_urls_get_their_async_driver(given: str, driver: str) -> None:
    assert journal_url(given).drivername == driver


def test_no_url_means_the_callers_sqlite_file(tmp_path: Path) -> None:
    url = journal_url(None, sqlite_path=tmp_path / "data" / "journal.db")
    assert url.drivername == "sqlite+aiosqlite"
    assert sqlite_file(url) == tmp_path / "data" / "journal.db"
    assert journal_url("", sqlite_path="j.db").database == "j.db"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (None, "PORTALGRAPH_DATABASE_URL"),
        ("mysql://u@db/journal", "not mysql://"),
        ("postgresql+psycopg2://u@db/j", "not postgresql\\+psycopg2://"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("::not a url::", "malformed"),
        ("postgresql://u@db/j?application_name=x", "application_name"),
        ("sqlite:///j.db?timeout=3", "timeout"),
    ],
)
def test_unusable_urls_are_refused_with_the_reason(given: str | None, message: str) -> None:
    with pytest.raises(JournalConfigError, match=message):
        journal_url(given)


def test_shown_urls_hide_the_password() -> None:
    url = journal_url("postgresql://portalgraph:s3cret-pw@db/journal")
    assert "s3cret-pw" not in shown(url)
    assert "portalgraph:***@db" in shown(url)


def test_libpq_sslmode_becomes_the_drivers_ssl_option() -> None:
    assert dict(journal_url("postgresql://u@db/j?sslmode=verify-full").query) == {
        "ssl": "verify-full"
    }
    assert dict(journal_url("postgresql://u@db/j?ssl=require").query) == {"ssl": "require"}
