"""A real PostgreSQL for tests: a freshly created database with a random name, dropped after.

The server comes from PORTALGRAPH_TEST_POSTGRES_URL (`.ci/run` exports it and starts
PostgreSQL when none answers), else postgresql://postgres@127.0.0.1:5432/postgres (trust
auth). Without a server the tests skip and say why, except in CI, where a missing
PostgreSQL is a broken machine and the tests fail.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ENV = "PORTALGRAPH_TEST_POSTGRES_URL"
DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    return os.environ.get(ENV) or DEFAULT


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def _execute(url: str, *statements: str) -> None:
    # CREATE/DROP DATABASE refuse to run inside a transaction: autocommit.
    engine = create_async_engine(
        make_url(url).set(drivername="postgresql+asyncpg"),
        isolation_level="AUTOCOMMIT",
        connect_args={"timeout": 3},
    )
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def require_postgres() -> str:
    """The server's admin URL, or skip (fail in CI) with the reason."""
    url = server_url()
    try:
        asyncio.run(_execute(url, "SELECT 1"))
    except Exception as exc:  # any failure to connect means: no usable server
        reason = f"PostgreSQL at {_shown(url)} does not answer ({type(exc).__name__}: {exc})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI needs it (.ci/run starts one)")
        pytest.skip(f"{reason}; set {ENV} or start PostgreSQL to run these tests")
    return url


@contextmanager
def fresh_database(prefix: str = "portalgraph_test") -> Iterator[str]:
    """A new, empty database on the test server; dropped (with its sessions) afterwards."""
    admin = require_postgres()
    name = f"{prefix}_{secrets.token_hex(6)}"
    asyncio.run(_execute(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
