"""Which database a journal URL names, and the async driver that speaks to it.

Accepted: `postgresql://…` (also `postgres://` and `postgresql+asyncpg://`) → asyncpg;
`sqlite:///path` (also `sqlite+aiosqlite:///path`) → aiosqlite; no URL → the SQLite file
the caller names (the embedded default). PostgreSQL takes one option, `ssl` (asyncpg's
modes: disable, prefer, require, verify-ca, verify-full; libpq's `sslmode` is accepted as
its alias). An in-memory SQLite database is refused: each
pooled connection would see a database of its own, and the journal would forget on restart.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import JournalConfigError

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def journal_url(url: str | None, *, sqlite_path: str | Path | None = None) -> URL:
    """The SQLAlchemy URL with its async driver; `sqlite_path` when `url` is unset."""
    if not url:
        if sqlite_path is None:
            raise JournalConfigError(
                "No journal database: set PORTALGRAPH_DATABASE_URL or give a SQLite file path."
            )
        return URL.create("sqlite+aiosqlite", database=str(Path(sqlite_path).expanduser()))
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise JournalConfigError(
            "The journal URL is malformed; expected postgresql://user@host/db or sqlite:///path."
        ) from exc
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise JournalConfigError(
            f"The journal supports postgresql:// and sqlite:/// URLs, not {parsed.drivername}://."
        )
    parsed = parsed.set(drivername=driver)
    if parsed.get_backend_name() == SQLITE and parsed.database in (None, "", ":memory:"):
        raise JournalConfigError(
            "An in-memory SQLite journal is not supported; give a file: sqlite:///path/journal.db"
        )
    return _options(parsed)


def _options(url: URL) -> URL:
    """Only the URL options the journal understands; libpq's `sslmode` becomes asyncpg's `ssl`."""
    query = dict(url.query)
    if backend(url) == POSTGRESQL and "sslmode" in query:
        query.setdefault("ssl", query["sslmode"])
        del query["sslmode"]
    allowed = {"ssl"} if backend(url) == POSTGRESQL else set()
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise JournalConfigError(
            f"Unsupported journal URL option(s): {', '.join(unknown)}"
            + (" (PostgreSQL takes ssl= or sslmode=)" if allowed else "")
        )
    return url.set(query=query)


def backend(url: URL) -> str:
    """`postgresql` or `sqlite`."""
    return url.get_backend_name()


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, else None."""
    if backend(url) != SQLITE or not url.database:
        return None
    return Path(url.database)


def shown(url: URL) -> str:
    """The URL for logs and messages, without its password."""
    return url.render_as_string(hide_password=True)
