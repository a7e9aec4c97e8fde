"""The journal as operators see it: /readyz reports it, /metrics times it, /status shows it;
a database that goes away makes submissions a typed, retryable rejection, not a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.helpers.postgres import _execute, fresh_database, require_postgres
from tests.helpers.submitting import citizen_token, fresh_citizen, submit


def samples(gateway: Gateway, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    text = gateway.http.get("/metrics").text
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


def test_readiness_metrics_and_status_page_report_the_sqlite_journal(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    ready = gateway.http.get("/readyz")
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ready", "journal": "ok", "redis": "off", "events": "ok", "degraded": []},
    )
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln", skip=8))
    assert submit(gateway, token, "ops-1")["__typename"] == "ApplicationSubmitted"
    counts = samples(gateway, "portalgraph_journal_operation_duration_seconds_count")
    for operation in ("submissions.claim", "submissions.announced", "submissions.submitted"):
        assert counts[(("operation", operation),)] >= 1, counts
    page = gateway.http.get("/status").text
    assert "Antragsjournal (SQLite)" in page
    assert 'id="journal">erreichbar' in page


@pytest.fixture
def gateway_on_postgres(
    loop_thread: LoopThread, gateway_settings: Settings
) -> Iterator[tuple[Gateway, str]]:
    with fresh_database("portalgraph_ops") as database:
        app = create_app(gateway_settings.override(database_url=database))
        server = UvicornServer(app)
        loop_thread.call(server.start())
        gateway = Gateway(server.url)
        try:
            yield gateway, database
        finally:
            gateway.http.close()
            loop_thread.call(server.stop())


def test_a_database_gone_away_is_reported_and_submissions_are_retryable_rejections(
    gateway_on_postgres: tuple[Gateway, str], clean_sandbox: Sandbox
) -> None:
    gateway, database = gateway_on_postgres
    assert gateway.http.get("/readyz").json()["journal"] == "ok"
    name = database.rsplit("/", 1)[1]
    asyncio.run(_execute(require_postgres(), f'DROP DATABASE "{name}" WITH (FORCE)'))
    ready = gateway.http.get("/readyz")
    # Reported, not unready: the replicas share the database (see graph/http/health.py).
    assert (ready.status_code, ready.json()["journal"]) == (200, "unavailable")
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln", skip=9))
    refused = submit(gateway, token, "ops-down")
    assert (refused["__typename"], refused["code"], refused["retryable"]) == (
        "SubmissionRejected",
        "UPSTREAM_FAILED",
        True,
    )
    assert clean_sandbox.calls("koeln", "submissions").get("POST /v1/submissions", 0) == 0
    errors = samples(gateway, "portalgraph_journal_errors_total")
    assert errors[(("code", "JOURNAL_UNAVAILABLE"), ("operation", "submissions.claim"))] >= 1
    assert 'id="journal">nicht erreichbar' in gateway.http.get("/status").text
    # The viewer's list still answers from the portals.
    body = gateway.query("{ me { applications(first: 5) { totalCount } } }", token=token)
    assert "errors" not in body, body
