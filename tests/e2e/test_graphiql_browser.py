"""GraphiQL as a person uses it: headless Chromium, a pasted token, a query, a subscription."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import Gateway, Sandbox
from tests.e2e.test_citizen_data import DASHBOARD
from tests.helpers.nodejs import ROOT, node_json
from tests.helpers.submitting import PASSPORT_FORM, citizen_token, fresh_citizen

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The committed picture in docs/; set PORTALGRAPH_UPDATE_SCREENSHOT=1 to refresh it.
SCREENSHOT = ROOT / "docs" / "graphiql.png"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    return CHROMIUM


def test_graphiql_runs_the_dashboard_and_a_subscription(
    chromium: str, gateway: Gateway, clean_sandbox: Sandbox, tmp_path: Path
) -> None:
    query_file = tmp_path / "dashboard.graphql"
    query_file.write_text(DASHBOARD, encoding="utf-8")
    picture = tmp_path / "graphiql.png"
    report = node_json(
        "graphiql.mjs",
        gateway.url,
        clean_sandbox.demo_token("lena"),
        clean_sandbox.url("bund", "inbox"),
        str(picture),
        str(query_file),
        timeout=90,
    )
    assert report["title"].startswith("Portalgraph")
    assert "query Dashboard" in report["defaultQuery"]
    assert '"Authorization": "Bearer <token>"' in report["defaultQuery"]
    # A bad token in the headers still loads the docs; domain fields before federation's.
    assert report["schemaError"] is None, report["schemaError"]
    refetched = [i for i in report["introspections"] if i["token"].startswith("Bearer expired")]
    assert refetched, report["introspections"]
    assert all(i["status"] == 200 for i in report["introspections"]), report["introspections"]
    fields = report["docsFields"]
    assert fields[: fields.index("node") + 1] == [
        "services",
        "service",
        "portals",
        "portal",
        "regions",
        "me",
        "node",
    ], fields
    assert fields[-2:] == ["_entities", "_service"]
    assert report["overlap"] is False
    assert report["dashboard"]["errors"] == []
    assert report["dashboard"]["applications"] >= 1
    assert report["dashboard"]["statuses"]
    assert report.get("lastResult") is None, report["lastResult"]
    assert report["subscription"] == {"subject": "Über GraphiQL", "portal": {"id": "bund"}}
    # Served from the gateway alone: nothing failed to load, no CSP violation.
    assert report["consoleErrors"] == []
    assert picture.read_bytes().startswith(PNG)
    if os.environ.get("PORTALGRAPH_UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
        shutil.copyfile(picture, SCREENSHOT)


def test_graphiql_submits_an_application_with_a_file(
    chromium: str, gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    citizen = fresh_citizen(clean_sandbox, "koeln", skip=7)
    report = node_json(
        "graphiql_upload.mjs",
        gateway.url,
        citizen_token(clean_sandbox, citizen),
        json.dumps({"form": PASSPORT_FORM}),
        timeout=90,
    )
    submitted = report["result"]["data"]["submitApplication"]
    assert submitted["__typename"] == "ApplicationSubmitted", submitted
    assert submitted["application"]["status"] == "SUBMITTED"
    assert (
        clean_sandbox.calls("koeln", "submissions").get(
            "PUT /v1/submissions/{submissionId}/attachments/{attachmentId}", 0
        )
        >= 1
    )
    assert report["filesLeft"] == 0, "the picker is cleared once the files were sent"
