"""The journal in the gateway: keys per profile, start-up per profile, the periodic purge."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from graph.ops.journal import open_journal, purge_loop, secret_box, subject_keys
from graph.settings import Secrets, Settings, SettingsError
from sources.events import InMemoryLock
from sources.journal import Draft, JournalNotMigratedError

KEYS = {
    "PORTALGRAPH_JOURNAL_KEYS": "k1:" + "A" * 43 + "=",
    "PORTALGRAPH_JOURNAL_SUBJECT_KEY": "unit-subject-key",
}


def settings_in(folder: Path, **values: object) -> Settings:
    return Settings().override(data_dir=str(folder), **values)


def test_production_requires_both_keys_and_development_derives_demo_keys() -> None:
    production = Settings().override(profile="production")
    with pytest.raises(SettingsError, match="PORTALGRAPH_JOURNAL_KEYS is required"):
        secret_box(production)
    with pytest.raises(SettingsError, match="PORTALGRAPH_JOURNAL_SUBJECT_KEY is required"):
        subject_keys(production)
    configured = dataclasses.replace(production, secrets=Secrets(KEYS))
    assert secret_box(configured).current == "k1"
    assert subject_keys(configured)("sub") != subject_keys(Settings())("sub")
    assert subject_keys(Settings())("sub") == subject_keys(Settings())("sub")  # stable demo


async def test_development_migrates_and_production_refuses_an_unmigrated_database(
    tmp_path: Path,
) -> None:
    production = dataclasses.replace(
        settings_in(tmp_path / "prod", profile="production"), secrets=Secrets(KEYS)
    )
    (tmp_path / "prod").mkdir()
    with pytest.raises(JournalNotMigratedError, match="portalgraph migrate"):
        async with open_journal(production):
            pass
    async with open_journal(settings_in(tmp_path / "dev")) as journal:
        assert journal.backend == "sqlite"
        await journal.ping()
    assert (tmp_path / "dev" / "journal.db").exists()


async def test_the_replica_holding_the_lock_purges_finished_entries(tmp_path: Path) -> None:
    settings = settings_in(
        tmp_path, journal_retention_days=0.5 / 86_400, journal_purge_interval=0.2
    )
    async with open_journal(settings) as journal:
        claim = await journal.submissions.claim(
            "subject",
            "k",
            "f",
            Draft("99085001012000", "Reisepass", "053150000000"),
            owner="o",
            lease_seconds=5,
        )
        assert claim.ticket is not None
        await journal.submissions.failed(claim.ticket, "INVALID_FORM", retryable=False)
        held = InMemoryLock()
        assert await held.acquire("journal:purge", 60)  # another replica purges
        waiting = asyncio.create_task(purge_loop(journal, settings, held))
        await asyncio.sleep(1.2)
        assert len(await journal.entries("subject")) == 1
        waiting.cancel()
        purging = asyncio.create_task(purge_loop(journal, settings, InMemoryLock()))
        await asyncio.sleep(1.0)
        purging.cancel()
        assert await journal.entries("subject") == []
