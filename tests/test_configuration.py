"""Configuration: docs/configuration.md's one table against the code, check-config, workers, replicas."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from graph import server
from graph.cli import main
from graph.settings import LimitSettings, Settings, SettingsError
from tests.conftest import Sandbox

PAGE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
ROW = re.compile(r"^\| `(PORTALGRAPH_[A-Z0-9_]+)` \| ([^|]+) \|")


def configuration_table() -> dict[str, str]:
    page = PAGE.read_text(encoding="utf-8")
    table = page.split("\n\n| variable | default | meaning |", 1)[1].split("\n\n", 1)[0]
    return {m[1]: m[2].strip() for line in table.splitlines() if (m := ROW.match(line))}


def documented(default: Any, cell: str) -> bool:
    if default is None:
        return cell == "unset"
    if default == "":
        return cell == "empty"
    text = cell.strip("`")
    if isinstance(default, bool):
        return text == ("on" if default else "off")
    if isinstance(default, int | float):
        return float(text) == float(default)
    return bool(text == default)


def test_the_readme_table_lists_every_setting_with_its_default() -> None:
    table = configuration_table()
    variables = Settings.variables()
    elsewhere = {n for n, (_, f) in variables.items() if f.metadata["documented"]}
    names = {n: f for n, (_, f) in variables.items() if n not in elsewhere}
    assert set(table) == set(names), set(table) ^ set(names)
    wrong = [n for n, f in names.items() if not documented(f.default, table[n])]
    assert not wrong, {n: (names[n].default, table[n]) for n in wrong}
    root = PAGE.parents[1]
    for name in elsewhere:
        page = variables[name][1].metadata["documented"]
        assert name in (root / page).read_text(encoding="utf-8"), (name, page)


def test_settings_are_grouped_typed_and_validated_however_they_are_built() -> None:
    settings = Settings.from_env(
        {"PORTALGRAPH_CACHE": "off", "PORTALGRAPH_RESPONSE_CACHE": "true", "SECRET_X": "s3"}
    )
    assert settings.cache.enabled is False
    assert settings.cache.responses is True
    assert settings.cache.response_seconds is None  # CACHE=off turns off both
    assert settings.secrets["SECRET_X"] == "s3"
    assert "s3" not in repr(settings)
    for raw, value in (("on", True), ("1", True), ("FALSE", False), ("0", False)):
        assert Settings.from_env({"PORTALGRAPH_CACHE": raw}).cache.enabled is value
    with pytest.raises(SettingsError, match="PORTALGRAPH_CACHE must be on or off"):
        Settings.from_env({"PORTALGRAPH_CACHE": "maybe"})
    with pytest.raises(SettingsError, match="PORTALGRAPH_MAX_DEPTH must be positive"):
        LimitSettings(max_depth=0)  # built in code: checked all the same
    with pytest.raises(SettingsError, match="DEFAULT_PAGE_SIZE must be between"):
        Settings().override(default_page_size=500)
    with pytest.raises(SettingsError, match="PORTALGRAPH_CACHE must be on or off"):
        Settings().override(cache="off")  # the old string spelling is refused
    assert Settings().override(poll_interval=0.5).live.poll_interval == 0.5


def test_more_than_one_replica_needs_redis() -> None:
    with pytest.raises(SettingsError, match="REPLICAS is 2: more than one replica needs"):
        Settings.from_env({"PORTALGRAPH_REPLICAS": "2"})
    Settings.from_env({"PORTALGRAPH_REPLICAS": "2", "PORTALGRAPH_REDIS_URL": "redis://r:6379/0"})
    for bad in ({"PORTALGRAPH_WORKERS": "-1"}, {"PORTALGRAPH_OTEL_SAMPLE_RATIO": "2"}):
        with pytest.raises(SettingsError):
            Settings.from_env(bad)


def test_workers_follow_the_cpus_the_process_may_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert server.worker_count(3) == 3
    cpus = len(os.sched_getaffinity(0))
    limit = tmp_path / "cpu.max"
    monkeypatch.setattr(server, "CGROUP_CPU", limit)
    limit.write_text("max 100000\n")
    assert server.worker_count(0) == cpus
    limit.write_text("150000 100000\n")  # 1.5 CPUs
    assert server.worker_count(0) == min(cpus, 2)
    limit.unlink()
    assert server.worker_count(0) == cpus


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, **env: str
) -> tuple[int, str, str]:
    for name in Settings.variables():  # CI sets PORTALGRAPH_REDIS_URL, for one
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_config_passes_and_fails_with_clear_messages(
    gateway_settings: Settings,  # puts the sandbox's secrets into the environment
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    network = str(sandbox.toml_path)
    code, out, _ = run_cli(monkeypatch, capsys, "check-config", PORTALGRAPH_NETWORK=network)
    assert code == 0
    assert "settings ok (profile development, 1 replica(s)" in out
    assert "6 portal(s) in the graph" in out  # bund, nrw, 4 municipalities (network file v2)

    code, _, err = run_cli(
        monkeypatch, capsys, "check-config", PORTALGRAPH_NETWORK=network, PORTALGRAPH_REPLICAS="3"
    )
    assert code == 2
    assert "PORTALGRAPH_REPLICAS is 3: more than one replica needs PORTALGRAPH_REDIS_URL" in err

    # start-up refuses the same, before binding a port
    code, _, err = run_cli(
        monkeypatch, capsys, "serve", PORTALGRAPH_NETWORK=network, PORTALGRAPH_REPLICAS="2"
    )
    assert code == 2
    assert "more than one replica needs" in err

    secret = next(line for line in sandbox.toml_path.read_text().splitlines() if "_env" in line)
    missing = secret.split('"')[1]
    monkeypatch.delenv(missing, raising=False)
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "check-config",
        PORTALGRAPH_NETWORK=network,
        PORTALGRAPH_PROFILE="production",
    )
    assert code == 2
    assert f"environment variable {missing} is not set" in err
    assert "warning: PORTALGRAPH_AUDIT_KEY is unset" in err

    broken = tmp_path / "network.toml"
    broken.write_text(
        sandbox.toml_path.read_text().replace('tier = "MUNICIPAL"', 'tier = "CITY"', 1)
    )
    code, _, err = run_cli(monkeypatch, capsys, "check-config", PORTALGRAPH_NETWORK=str(broken))
    assert code == 2
    assert "portals[2].tier: tier must be FEDERAL, STATE or MUNICIPAL (got 'CITY')" in err

    # A version 1 file: one message saying what moved where, at check-config and start-up.
    old = tmp_path / "network-v1.toml"
    old.write_text('[[portals]]\nid = "koeln"\n[portals.services]\nurl = "http://x"\n')
    for command in ("check-config", "serve"):
        code, _, err = run_cli(monkeypatch, capsys, command, PORTALGRAPH_NETWORK=str(old))
        assert code == 2, command
        assert "this is a version 1 network file" in err, command


def test_check_config_refuses_a_sqlite_journal_for_several_replicas_and_keyless_production(
    gateway_settings: Settings,  # puts the sandbox's secrets into the environment
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    network = str(sandbox.toml_path)
    replicas = {"PORTALGRAPH_REPLICAS": "2", "PORTALGRAPH_REDIS_URL": "redis://r:6379/0"}
    code, out, err = run_cli(
        monkeypatch, capsys, "check-config", PORTALGRAPH_NETWORK=network, **replicas
    )
    assert code == 2
    assert "journal SQLite" in out
    assert "PORTALGRAPH_REPLICAS is 2 but the journal is SQLite" in err
    assert "PORTALGRAPH_DATABASE_URL=postgresql://" in err
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "check-config",
        PORTALGRAPH_NETWORK=network,
        PORTALGRAPH_DATABASE_URL="postgresql://u:p@db:5432/journal",
        **replicas,
    )
    assert (code, "journal PostgreSQL" in out, "SQLite" in err) == (0, True, False)
    for name in ("PORTALGRAPH_JOURNAL_KEYS", "PORTALGRAPH_JOURNAL_SUBJECT_KEY"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "check-config",
        PORTALGRAPH_NETWORK=network,
        PORTALGRAPH_PROFILE="production",
        PORTALGRAPH_AUDIT_KEY="a",
    )
    assert code == 2
    assert "PORTALGRAPH_JOURNAL_KEYS is required in production" in err
    assert "PORTALGRAPH_JOURNAL_SUBJECT_KEY is required in production" in err


def test_migrate_and_purge_run_on_the_configured_journal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = str(tmp_path / "data")
    code, out, _ = run_cli(monkeypatch, capsys, "migrate", PORTALGRAPH_DATA_DIR=data)
    assert code == 0
    assert "journal.db" in out
    assert "at revision" in out
    assert (tmp_path / "data" / "journal.db").exists()
    code, out, _ = run_cli(monkeypatch, capsys, "journal", "purge", PORTALGRAPH_DATA_DIR=data)
    assert (code, out.strip()) == (0, "journal purge: 0 entries older than 365 days deleted")
    # production on a database without the schema: the journal's message, exit 2
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "journal",
        "purge",
        PORTALGRAPH_DATA_DIR=str(tmp_path / "empty"),
        PORTALGRAPH_PROFILE="production",
        PORTALGRAPH_JOURNAL_KEYS="k1:" + "A" * 43 + "=",
    )
    assert code == 2
    assert "Run `portalgraph migrate`" in err


def test_the_event_log_url_names_a_known_backend() -> None:
    assert Settings().override(event_log_url="nats://127.0.0.1:4222").live.event_log_url
    with pytest.raises(SettingsError, match="EVENT_LOG_URL must start with redis://"):
        Settings().override(event_log_url="kafka://broker:9092")
