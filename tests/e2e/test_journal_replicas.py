"""Two `portalgraph serve` processes on one PostgreSQL journal (and one Redis): the same
clientMutationId sent to both at once makes one POST /v1/submissions; a replica killed
with SIGKILL half-way is completed by the other, with one submission upstream and no orphan.

Upstream POSTs are counted by the sandbox (/_sandbox/stats); /_sandbox/faults holds the
upstream so that both requests overlap, or so that the killed replica is mid-submission.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from graph.settings import Settings
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_replicas import Replica
from tests.helpers.postgres import fresh_database
from tests.helpers.redis_server import redis_url
from tests.helpers.submitting import PDF, citizen_token, fresh_citizen, submit

POST = "POST /v1/submissions"
UPLOAD = "PUT /v1/submissions/{submissionId}/attachments/{attachmentId}"
LEASE = 3.0  # seconds: how long the killed replica's attempt stays its own
HOLD_MS = 5_000  # the upload the killed replica waits for
RACES = 5  # races of one key each; every race must make exactly one upstream POST


@pytest.fixture
def replicas_on_postgres(
    gateway_settings: Settings,  # the sandbox's secrets in the environment
    sandbox: Sandbox,
    tmp_path: Path,
) -> Iterator[tuple[Replica, Replica]]:
    with fresh_database("portalgraph_replicas") as database, redis_url() as redis:
        extra = {
            "PORTALGRAPH_DATABASE_URL": database,
            "PORTALGRAPH_JOURNAL_LEASE_SECONDS": str(LEASE),
            "PORTALGRAPH_JOURNAL_BUSY_WAIT": "15",
        }
        pair = (
            Replica(sandbox.toml_path, redis, tmp_path / "a.log", extra=extra),
            Replica(sandbox.toml_path, redis, tmp_path / "b.log", extra=extra),
        )
        try:
            for replica in pair:
                replica.wait_ready()
            yield pair
        finally:
            for replica in pair:
                if replica.process.poll() is None:
                    replica.stop()
                else:
                    replica.log.close()


@pytest.fixture
def clients(replicas_on_postgres: tuple[Replica, Replica]) -> Iterator[tuple[Gateway, Gateway]]:
    a, b = (Gateway(r.url) for r in replicas_on_postgres)
    yield a, b
    a.http.close()
    b.http.close()


def test_the_same_request_racing_on_two_replicas_makes_one_upstream_post(
    clients: tuple[Gateway, Gateway], clean_sandbox: Sandbox
) -> None:
    a, b = clients
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln", skip=5))
    # Every submission call takes a second: both requests are in flight at the same time.
    clean_sandbox.fault("koeln", "submissions", latency_ms=1000, path_prefix="/v1/submissions")
    files = [("a.pdf", PDF, "application/pdf")]
    cases = []
    for race in range(1, RACES + 1):
        before = clean_sandbox.calls("koeln", "submissions").get(POST, 0)
        with ThreadPoolExecutor(2) as pool:
            racing = [pool.submit(submit, g, token, f"race-{race}", files=files) for g in (a, b)]
            results = [f.result() for f in racing]
        assert [r["__typename"] for r in results] == ["ApplicationSubmitted"] * 2, results
        assert sorted(r["duplicate"] for r in results) == [False, True]
        assert results[0]["submissionId"] == results[1]["submissionId"]
        assert clean_sandbox.calls("koeln", "submissions")[POST] == before + 1, race
        cases.append(results[0]["caseId"])
    posts = clean_sandbox.calls("koeln", "submissions")[POST]
    print(
        f"\n{RACES} races of one clientMutationId on two replicas (PostgreSQL journal): "
        f"{posts} POST /v1/submissions upstream (from /_sandbox/stats), "
        f"{RACES} duplicate: true answers"
    )
    assert posts == RACES
    clean_sandbox.clear_faults()
    # Each application is listed once on both replicas (read from the shared journal).
    for gateway in (a, b):
        body = gateway.query(
            "{ me { applications(first: 50) { edges { node { caseId } } } } }", token=token
        )
        listed = [e["node"]["caseId"] for e in body["data"]["me"]["applications"]["edges"]]
        assert [listed.count(case) for case in cases] == [1] * RACES


def test_a_replica_killed_half_way_is_completed_by_the_other_without_an_orphan(
    replicas_on_postgres: tuple[Replica, Replica],
    clients: tuple[Gateway, Gateway],
    clean_sandbox: Sandbox,
) -> None:
    a = replicas_on_postgres[0]
    gateway_a, gateway_b = clients
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln", skip=6))
    files = [("a.pdf", PDF, "application/pdf")]
    # Hold the upload: replica a has created the submission and is mid-way when it dies.
    clean_sandbox.fault("koeln", "submissions", latency_ms=HOLD_MS, path_prefix="/v1/submissions/")
    with ThreadPoolExecutor(1) as pool:
        dying = pool.submit(submit, gateway_a, token, "kill-1", files=files)
        deadline = time.monotonic() + 30
        while clean_sandbox.calls("koeln", "submissions").get(UPLOAD, 0) < 1:
            assert time.monotonic() < deadline, "replica a never reached the upload"
            time.sleep(0.05)
        held_until = time.monotonic() + HOLD_MS / 1000
        a.process.send_signal(signal.SIGKILL)
        a.process.wait(10)
        with pytest.raises((httpx.TransportError, AssertionError)):
            dying.result()
    clean_sandbox.clear_faults()
    assert clean_sandbox.calls("koeln", "submissions")[POST] == 1
    started = time.monotonic()
    done = submit(gateway_b, token, "kill-1", files=files)  # waits for a's lease
    print(f"\nretry after SIGKILL completed in {time.monotonic() - started:.1f} s")
    assert done["__typename"] == "ApplicationSubmitted", done
    assert done["duplicate"] is False
    calls = clean_sandbox.calls("koeln", "submissions")
    assert calls[POST] == 1  # resumed from the stored submission id
    # The one submission announced is the one submitted: no orphan left behind.
    assert calls["PUT /v1/submissions/{submissionId}"] == 1
    again = submit(gateway_b, token, "kill-1", files=files)
    assert (again["duplicate"], again["submissionId"]) == (True, done["submissionId"])
    # The sandbox still holds the dead replica's upload: let it finish before the next test.
    time.sleep(max(0.0, held_until - time.monotonic() + 0.2))
