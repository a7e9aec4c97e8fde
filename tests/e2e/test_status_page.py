"""`/status` as a person sees it: headless Chromium renders it under the real CSP.

The committed picture is docs/status.png; set PORTALGRAPH_UPDATE_SCREENSHOT=1 to refresh it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.app import create_app
from graph.ops.observability import Observability
from graph.ops.status_page import render
from graph.ops.upstream_window import UpstreamWindow
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from sources.base import Capability, UpstreamRef
from sources.topology import parse_topology
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_citizen_data import DASHBOARD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "status.png"
SEARCH = (
    'query Search($ars: String) { services(query: "Pass", ars: $ars, first: 5) { totalCount } }'
)


@pytest.fixture
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; `make browser` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium, or `make browser`)")
    return CHROMIUM


@pytest.fixture
def busy_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, clean_sandbox: Sandbox
) -> Iterator[Gateway]:
    """A gateway with a few seconds of traffic in one-second slots, one portal failing."""
    settings = gateway_settings.override(breaker_failures=3, cache=False)
    observability = Observability(settings, window=UpstreamWindow(bucket_seconds=1.0, buckets=30))
    server = UvicornServer(create_app(settings, observability=observability))
    loop_thread.call(server.start())
    gateway = Gateway(server.url)
    token = clean_sandbox.demo_token("erika")
    clean_sandbox.fault("koeln", "accounts", latency_ms=30)
    clean_sandbox.fault("pvog", latency_ms=60)
    for second in range(6):
        if second == 3:
            clean_sandbox.fault("nrw", "accounts", status=503)
        started = time.monotonic()
        gateway.query(DASHBOARD, token=token)
        for ars in ("053150000000", "051620008008"):
            gateway.query(SEARCH, {"ars": ars})
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    yield gateway
    gateway.http.close()
    loop_thread.call(server.stop())


def run_chromium(chromium: str, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="portalgraph-chromium-")
    try:
        return subprocess.run(  # noqa: S603 - Debian's chromium, our own arguments
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--enable-logging=stderr",
                f"--user-data-dir={profile}",
                "--window-size=1280,900",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_the_status_page_renders_in_chromium_under_the_csp(
    chromium: str, busy_gateway: Gateway, tmp_path: Path
) -> None:
    response = busy_gateway.http.get("/status")
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "<script" not in response.text
    assert "http" not in response.text.split("<body", 1)[1]
    url = busy_gateway.url + "/status"
    dom = run_chromium(chromium, "--dump-dom", url)
    for text in (
        "Portalgraph – Dienststatus",
        "Stadt Köln – Digitale Services",
        "gestört – Aufrufe ausgesetzt",  # NRW's account area: breaker open
        "verfügbar",
        "Postfach",
        "Eingeschränkt: 1 Dienst gestört",
    ):
        assert text in dom.stdout, text
    assert "Content Security Policy" not in dom.stderr, dom.stderr
    picture = tmp_path / "status.png"
    shot = run_chromium(chromium, f"--screenshot={picture}", url)
    assert "Content Security Policy" not in shot.stderr
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if os.environ.get("PORTALGRAPH_UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
        shutil.copyfile(picture, SCREENSHOT)


def test_portal_names_are_escaped(sandbox: Sandbox) -> None:
    text = sandbox.toml_path.read_text(encoding="utf-8")
    network = parse_topology(text.replace("Stadt Köln", "<script>alert(1)</script>"))
    window = UpstreamWindow()
    koeln = UpstreamRef("koeln", Capability.ACCOUNTS)  # Köln's account area
    window.record(koeln, 0.012, failed=False)
    window.record(koeln, 0.5, failed=True)
    page = render(network, None, window, time.time())
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "50,0 %" in page  # one of two calls failed
    assert "12 ms" in page
    assert "500 ms" in page
