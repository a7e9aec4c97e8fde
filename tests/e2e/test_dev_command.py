"""`portalgraph dev` (what `make run` starts) as a user runs it: its own process, stdout read.

The demo tokens it prints must show the demo citizens' data at once: the gateway asks
only linked account areas, and dev writes the seed's demo links into its fresh journal
(sandbox/dev_links.py). Four municipalities keep the start short; `--municipalities`
defaults to all 396 (tests/unit/graph/test_cli.py checks the default).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.testing import free_port

DASHBOARD = (
    "{ me { givenName accounts { portal { id name } } applications(first: 50) { totalCount } } }"
)
HEADER = re.compile(r'^\s*(\{"Authorization": "Bearer [^"]+"\})\s*$')


@dataclass
class Dev:
    url: str
    banner: str
    headers: list[dict[str, str]]  # Erika's, then Max's (the banner's order)
    network: Path

    def query(self, query: str, headers: dict[str, str]) -> dict[str, Any]:
        response = httpx.post(
            self.url + "/graphql", json={"query": query}, headers=headers, timeout=30
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def read_banner(process: subprocess.Popen[str], seconds: float) -> str:
    """stdout up to "Press Ctrl-C" (a thread reads it: readline alone has no deadline)."""
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    done.wait(seconds)
    return "".join(lines)


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    folder = tmp_path_factory.mktemp("dev")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTALGRAPH_")}
    env.update(PORTALGRAPH_PORT=str(port), PORTALGRAPH_DATA_DIR=str(folder / "data"))
    network = folder / "network.toml"
    argv = [sys.executable, "-m", "graph.cli", "dev", "--municipalities", "4"]
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module and arguments
        [*argv, "--network-out", str(network)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        # The sandbox makes RSA keys at start: a minute leaves room for a loaded machine.
        banner = read_banner(process, 90)
        assert "Press Ctrl-C" in banner, banner
        headers = [json.loads(m.group(1)) for m in map(HEADER.match, banner.splitlines()) if m]
        yield Dev(f"http://127.0.0.1:{port}", banner, headers, network)
    finally:
        process.terminate()
        process.wait(30)
        assert process.stdout is not None
        process.stdout.close()


def test_dev_prints_the_v2_network_and_two_demo_sign_ins(dev: Dev) -> None:
    assert "(version 2, 4 municipalities)" in dev.banner
    assert "version = 2" in dev.network.read_text(encoding="utf-8")
    assert len(dev.headers) == 2, dev.banner


def test_the_printed_tokens_show_the_demo_citizens_data_at_once(dev: Dev) -> None:
    erika, max_ = (dev.query(DASHBOARD, h) for h in dev.headers)
    assert "errors" not in erika, erika
    me = erika["data"]["me"]
    assert me["givenName"] == "Erika"
    portals = {a["portal"]["id"]: a["portal"]["name"] for a in me["accounts"]}
    # Bund, NRW and Köln have account areas of their own; Dormagen's account is at
    # Kommunalportal.NRW, whose record names the municipality: Dormagen's Portal.
    assert set(portals) == {"bund", "nrw", "koeln", "dormagen"}, portals
    assert portals["dormagen"] == "Dormagen"
    assert me["applications"]["totalCount"] > 0
    assert "errors" not in max_, max_
    assert len(max_["data"]["me"]["accounts"]) == 3  # Bund, NRW, Dormagen


def test_an_anonymous_caller_gets_no_citizen_data(dev: Dev) -> None:
    # `me` is null for an anonymous caller: the links of the demo citizens are theirs only.
    assert dev.query(DASHBOARD, {}) == {"data": {"me": None}}
