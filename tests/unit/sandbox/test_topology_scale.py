"""The topology sandbox at full scale (396 municipalities), and `portalgraph sandbox --municipalities`."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph import cli
from graph.testing import LoopThread
from sandbox import topology_measure
from sandbox.nrw_places import nrw_municipalities
from sandbox.pvog_catalogue import CLIENT_ID_HEADER
from sandbox.topology_document import PVOG_CLIENT_ENV
from sandbox.topology_measure import resident_mib
from sources.base.portal_directory import PortalDirectory
from sources.topology import check_topology, load_topology
from tests.helpers.topology_sandbox import TopologySandboxHandle, topology_sandbox

MAX_WARM_START_S = 15.0  # measured 1.1–1.7 s on the 2-core machine under load


def test_all_396_municipalities_are_served_described_and_located(
    topology: TopologySandboxHandle,  # made the RSA-4096 keys: this start is a warm one
) -> None:
    started = time.perf_counter()
    with topology_sandbox(municipalities=None) as full:
        elapsed = time.perf_counter() - started
        parsed = load_topology(full.network_file)
        assert check_topology(full.network_file, full.env).problems == []
        platform = next(e for e in parsed.portals if e.id == "kommunalportal-nrw")
        assert len(platform.serves) == 395  # all but Köln, which has its own portal
        assert len(PortalDirectory(parsed.portals)) == 398  # + Bund, NRW, Köln
        headers = {CLIENT_ID_HEADER: full.env[PVOG_CLIENT_ENV]}
        with full.client("pvog", headers=headers) as client:
            located = set()
            for municipality in nrw_municipalities():
                found = client.get("/v3/locations", params={"q": municipality.name, "limit": 100})
                located |= {row["ars"] for row in found.json()}
            last = nrw_municipalities()[-1]
            hits = client.get(
                "/v8beta1/servicedescriptions", params={"ars": last.ars, "q": "hundesteuer"}
            ).json()["serviceDescriptions"]["content"]
        assert {m.ars for m in nrw_municipalities()} <= located
        assert [sd["ars"] for sd in hits] == [[last.ars]]
        assert full.stats("pvog")["total"] == len(nrw_municipalities()) + 1
    print(f"warm start with 396 municipalities: {elapsed:.2f} s")
    assert elapsed < MAX_WARM_START_S


@pytest.mark.slow
def test_cold_start_and_memory_of_the_full_network_are_measured() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "sandbox.topology_measure", "all"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    print(run.stdout)
    figures = run.stdout.split("RSS ")[1].split(" MiB")[0]
    assert "396 municipalities, 11 servers" in run.stdout
    assert 20 < float(figures) < 150
    assert resident_mib() > 0


def test_the_measurement_reports_both_starts_and_the_resident_memory(
    capsys: pytest.CaptureFixture[str], topology: TopologySandboxHandle
) -> None:
    topology_measure.main(["2"])
    printed = capsys.readouterr().out
    assert printed.startswith("topology sandbox, 2 municipalities, 11 servers: cold start ")
    assert "warm start" in printed
    assert " MiB with every server up" in printed


def test_the_sandbox_command_takes_a_count_or_all() -> None:
    assert cli.municipality_count("all") is None
    assert cli.municipality_count("40") == 40
    for wrong in ("0", "-3", "many"):
        with pytest.raises(SystemExit):
            cli.main(["sandbox", "--municipalities", wrong])


def test_the_sandbox_command_writes_both_files_and_prints_tokens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], topology: TopologySandboxHandle
) -> None:
    out = tmp_path / "network.toml"
    loop = LoopThread()
    try:

        async def begin() -> asyncio.Task[None]:
            return asyncio.create_task(cli.topology_only(out, 2026, 2))

        task = loop.call(begin())
        printed = ""
        deadline = time.monotonic() + 60
        while "Gateway: set -a" not in printed and time.monotonic() < deadline:
            time.sleep(0.05)
            printed += capsys.readouterr().out
        env = dict(line.split("=", 1) for line in out.with_suffix(".env").read_text().splitlines())
        assert check_topology(out, env).problems == []  # while the TLS files exist

        async def end() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        loop.call(end())
    finally:
        loop.close()
    assert env["PORTALGRAPH_NETWORK"] == str(out)
    assert not Path(env["EPAYBL_CA_BUNDLE"]).exists()  # the temporary TLS keys went with it
    assert "portals.kommunalportal-nrw.accounts" in printed
    assert "erika    STORK-QAA-Level-4" in printed
    assert f"Env file:     {out.with_suffix('.env')}" in printed
