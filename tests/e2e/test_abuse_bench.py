"""bench/abuse.py in miniature: every attack of issue 18 runs against a gateway process.

`python -m bench.abuse --scale 0.02` starts the sandbox and `portalgraph serve` as
processes, as a deployment runs them, and makes each attack at a fiftieth of the issue's
sizes (still over each limit); here each row must show the attack refused and the
gateway alive afterwards. Timings are not asserted (the machine may be busy).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.abuse import running
from bench.procs import STARTED


@pytest.mark.slow
@pytest.mark.alone  # two processes and a few hundred sockets at once: run by itself
def test_every_attack_is_refused_and_the_gateway_survives(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    subprocess.run(  # noqa: S603 - our own benchmark module
        [sys.executable, "-m", "bench.abuse", "--scale", "0.02", "--json", str(out)],
        check=True,
        timeout=240,
        cwd=Path(__file__).parents[2],
        capture_output=True,
    )
    rows: list[tuple[str, str, str]] = [tuple(r) for r in json.loads(out.read_text())]
    failed = [row for row in rows if row[0] == "?"]
    assert not failed, failed  # no attack failed to run: the failed rows, whole, not truncated
    after: dict[str, str] = {attack: outcome for _, attack, outcome in rows}

    def outcome(part: str) -> str:
        return next(v for k, v in after.items() if part in k)

    assert "MAX_REPRESENTATIONS_EXCEEDED; 0 upstream calls" in outcome("150 representations")
    assert "MAX_REPRESENTATIONS_EXCEEDED" in outcome("× {}")
    assert outcome("unsigned").startswith("413")
    assert outcome("MiB upload").startswith("401")
    assert "spool peak 0.00 MiB" in outcome("3 anonymous chunked")
    assert "0 upstream calls" in outcome("service(id:)")
    assert "60 served, 10 × 429" in outcome("70 attachment downloads")
    assert outcome("socket signed in").count("4403") == 2
    assert outcome("60 idle sockets").startswith("50 open, 10 refused")
    assert "close 1009" in outcome("2 MiB frame") or "reset" in outcome("2 MiB frame")
    assert "close 4408" in outcome("legacy socket")
    assert outcome("request head").startswith("closed")
    assert outcome("request body stalls").startswith("HTTP/1.1 408")
    assert "500" not in outcome("malformed")
    assert "Location=None" in outcome("GET /graphql/")
    assert "× 429" in outcome("X-Forwarded-For rotated")
    assert outcome("WebSocket operation over") == "error RATE_LIMITED"
    assert after["gateway afterwards"] == "alive, /healthz 200"


@pytest.mark.slow  # a sandbox process starts (~15 s)
def test_a_gateway_that_fails_to_start_leaves_no_sandbox_behind(tmp_path: Path) -> None:
    before = len(STARTED)
    with (
        pytest.raises(RuntimeError, match="gateway exited"),
        running(
            tmp_path,
            {"PORTALGRAPH_REQUEST_DEADLINE": "soon"},  # not a number: serve exits
        ),
    ):
        pytest.fail("the gateway started")
    assert (tmp_path / "network.toml").exists()  # the sandbox did start
    ours = STARTED[before:]
    assert len(ours) == 2, ours  # the sandbox and the gateway
    assert all(proc.poll() is not None for proc in ours), "a process outlived the run"
