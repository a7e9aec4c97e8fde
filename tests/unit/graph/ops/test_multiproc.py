"""PROMETHEUS_MULTIPROC_DIR for several workers: made, handed on by the environment, removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.ops.multiproc import ENV, enabled, shared_directory


def test_several_workers_share_a_private_directory_that_is_removed_afterwards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    with shared_directory(2) as path:
        assert path is not None
        assert path.is_dir()
        assert os.environ[ENV] == str(path)  # what the spawned workers inherit
        assert enabled()
    assert not path.exists()
    assert ENV not in os.environ


def test_one_worker_keeps_plain_in_process_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    with shared_directory(1) as path:
        assert path is None
        assert not enabled()


def test_an_operators_directory_is_used_and_only_stale_metric_files_go(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"from the last run")
    (given / "README").write_text("the operator's own file")
    monkeypatch.setenv(ENV, str(given))
    with shared_directory(1) as path:
        assert path == given
        assert sorted(p.name for p in given.iterdir()) == ["README"]
    assert given.is_dir()
    assert os.environ[ENV] == str(given)
