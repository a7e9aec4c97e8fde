"""`portalgraph check-config` on a version 2 network file: summary, secrets, lines and keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.cli import main
from graph.config_check import check
from graph.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "network-v2.example.toml"
SECRETS = {
    "PVOG_CLIENT_ID": "pg",
    "FITCONNECT_CLIENT_SECRET": "s",
    "PORTALGRAPH_IDP_CLIENT_SECRET": "s",
    "EPAY21_PASSWORD": "p",
}


def files(tmp_path: Path) -> dict[str, str]:
    for name in ("cert.pem", "key.pem", "ca.pem"):
        (tmp_path / name).write_text("-----BEGIN X-----\n")
    return {
        "EPAYBL_CLIENT_CERT": str(tmp_path / "cert.pem"),
        "EPAYBL_CLIENT_KEY": str(tmp_path / "key.pem"),
        "EPAYBL_CA_BUNDLE": str(tmp_path / "ca.pem"),
    }


def test_the_example_passes_when_every_secret_is_set(tmp_path: Path) -> None:
    report = check(
        Settings.from_env({"PORTALGRAPH_NETWORK": str(EXAMPLE), **SECRETS, **files(tmp_path)})
    )
    assert report.problems == []
    text = "\n".join(report.lines)
    assert "network file version 2" in text
    assert "2 provider(s), 3 tenant(s)" in text
    assert "5 portal(s) in the graph" in text
    assert "platform kommunalportal-nrw: 3 municipalities" in text


def test_missing_secrets_and_unreadable_files_name_line_and_key(tmp_path: Path) -> None:
    environ = {**SECRETS, **files(tmp_path), "EPAYBL_CA_BUNDLE": str(tmp_path / "gone.pem")}
    del environ["EPAY21_PASSWORD"]
    report = check(Settings.from_env({"PORTALGRAPH_NETWORK": str(EXAMPLE), **environ}))
    lines = EXAMPLE.read_text().splitlines()
    assert len(report.problems) == 2
    password, bundle = sorted(report.problems, key=lambda p: "EPAY21" not in p)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("password_env"))
    assert password == (
        f"{EXAMPLE}:{number}: payment_providers[1].auth.password_env:"
        " environment variable EPAY21_PASSWORD is not set"
    )
    assert (
        "payment_providers[0].auth.ca_file_env: EPAYBL_CA_BUNDLE names a file that cannot" in bundle
    )


def test_the_cli_reports_every_problem_of_a_broken_v2_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "network.toml"
    text = EXAMPLE.read_text().replace('kind = "epay21"', 'kind = "epay22"')
    broken.write_text(text.replace('method = "client_secret_post"', 'method = "post"'))
    monkeypatch.setenv("PORTALGRAPH_NETWORK", str(broken))
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert "fitconnect.auth.method: method must be one of" in err
    assert "payment_providers[1].kind: kind must be one of" in err
    assert f"{broken}:" in err
