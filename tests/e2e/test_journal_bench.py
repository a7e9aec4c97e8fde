"""`make bench` part journal in miniature: `python -m bench --smoke --only journal` runs the
journal's cost per submission on SQLite and PostgreSQL and the dashboard with the journal on
PostgreSQL, SQLite and off, as processes. Timings are not asserted (the machine may be
busy), only that every figure exists and that each mode made the same upstream calls."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.journal_part import journal_section
from tests.helpers.postgres import require_postgres


@pytest.mark.slow
@pytest.mark.alone  # three gateways and a sandbox one after the other load both cores
def test_the_journal_part_measures_both_backends_and_the_dashboard_in_three_modes(
    tmp_path: Path,
) -> None:
    require_postgres()  # skip (fail in CI) without PostgreSQL, saying why
    out = tmp_path / "figures.json"
    subprocess.run(  # noqa: S603 - our own benchmark module
        [sys.executable, "-m", "bench", "--smoke", "--only", "journal", "--json", str(out)],
        check=True,
        timeout=240,
        cwd=Path(__file__).parents[2],
        capture_output=True,
    )
    journal = json.loads(out.read_text())["journal"]
    for backend in ("sqlite", "postgresql"):
        for entry in journal["cost"][backend].values():
            assert entry["median"]["p50_ms"] > 0, (backend, entry)
    assert list(journal["dashboard"]) == ["postgresql", "sqlite", "off"]
    for mode, entry in journal["dashboard"].items():
        assert entry["p50_ms"] > 0, (mode, entry)
        assert entry["same_upstream_calls"] is True, (mode, entry)
    section = "\n".join(journal_section(journal))
    assert "| off |" in section
    assert "| postgresql | 2 |" in section  # two lifecycles at once in the smoke run
