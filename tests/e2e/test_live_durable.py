"""Issue 19's scenarios on two `portalgraph serve` replicas and a Redis the test kills.

Each scenario delivers every event exactly once to each subscriber (one on each replica):
a callback while the event log is down (refused with 503, accepted on a retry), Redis
restarted (case routes live in the journal), a Postfach message polled while Redis is
down, cache traffic evicting under `allkeys-lru`, the first subscription after a restart,
and readiness (degraded, still ready, while Redis is down).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import Gateway, Sandbox
from tests.e2e.test_live import send_message
from tests.e2e.test_replicas import SEARCH
from tests.helpers.callbacks import Submitted, advance_case, post_callback, submitted
from tests.helpers.live_replicas import (
    Cluster,
    Collector,
    cluster,
    send_until_accepted,
    wait_until,
)

STATUS = """subscription($id: ID) { applicationStatusChanged(applicationId: $id) {
  eventId applicationId source } }"""
INBOX = "subscription { inboxMessageReceived { eventId messageId subject } }"


@pytest.fixture(scope="module")
def live_cluster(
    sandbox: Sandbox, gateway_settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    with cluster(sandbox, tmp_path_factory.mktemp("replicas")) as running:
        yield running


@pytest.fixture
def up(live_cluster: Cluster) -> Iterator[Cluster]:
    """The cluster with both Redis servers running."""
    live_cluster.redis_up()
    yield live_cluster
    live_cluster.redis_up()


# fresh_citizen's skip 17 is this module's and test_live_chaos's.
CITIZEN = 17


def new_case(sandbox: Sandbox, replica_url: str) -> Submitted:
    """A submission through the replica: FIT-Connect calls that replica back with the
    submission's own secret (each replica announces its own URL)."""
    gateway = Gateway(replica_url)
    try:
        return submitted(gateway, sandbox, "durable", skip=CITIZEN)
    finally:
        gateway.http.close()


def status_pair(up: Cluster, sandbox: Sandbox, via: str) -> tuple[Submitted, list[Collector]]:
    """A case submitted through replica `via`, followed by a subscriber on each replica."""
    made = new_case(sandbox, via)
    variables = {"id": made.application["id"]}
    pair = [Collector(r.url, made.token, STATUS, variables) for r in (up.a, up.b)]
    time.sleep(2.0)  # both followed: applications listed, the case's route recorded
    return made, pair


def fit_connect(collector: Collector) -> list[str]:
    events = collector.field("applicationStatusChanged")
    return [e["eventId"] for _, e in events if e["source"] == "FIT_CONNECT"]


def assert_once_each(collectors: list[Collector], ids: Any, expected: int) -> None:
    """Every subscriber got `expected` events, none twice, and no error."""
    for collector in collectors:
        wait_until(lambda c=collector: len(set(ids(c))) >= expected, 15, "every event delivered")
    time.sleep(1.0)  # a late second copy would arrive by now
    for collector in collectors:
        counts = Counter(ids(collector))
        assert len(counts) == expected, counts
        assert max(counts.values()) == 1, f"duplicates: {counts}"
        assert collector.errors == []


def test_a_callback_while_the_log_is_down_is_refused_then_delivered_once(
    up: Cluster, sandbox: Sandbox
) -> None:
    made, pair = status_pair(up, sandbox, up.a.url)
    made.take_over()  # this test is FIT-Connect's sender for the case
    try:
        up.events.kill()
        advance_case(sandbox, made.case)
        # Not stored, so not acknowledged: the sender retries (issue 19 #1: 5 of 5 were lost).
        refused = post_callback(up.a.url, made.portal, made.new_events(), made.secret)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "5"
        assert all(fit_connect(c) == [] for c in pair)
        up.events.start()
        send_until_accepted(up.a.url, made, 20)
        assert_once_each(pair, fit_connect, 1)
    finally:
        for collector in pair:
            collector.close()


def test_after_a_redis_restart_routes_and_subscriptions_still_work(
    up: Cluster, sandbox: Sandbox
) -> None:
    made, pair = status_pair(up, sandbox, up.b.url)
    try:
        up.redis_down()
        up.redis_up()  # deploy/'s events Redis keeps its AOF; the journal kept the routes
        advance_case(sandbox, made.case)  # the sandbox calls replica b back (issue 19 #2)
        assert_once_each(pair, fit_connect, 1)
        # The first subscription after the restart (issue 19 #5: "Unexpected error.").
        later = Collector(up.b.url, sandbox.demo_token("lena"), INBOX)
        try:
            time.sleep(1.5)
            send_message(sandbox, "lena", "koeln", "Nach dem Neustart")
            assert_once_each([later], inbox_ids, 1)
        finally:
            later.close()
    finally:
        for collector in pair:
            collector.close()


def inbox_ids(collector: Collector) -> list[str]:
    return [e["messageId"] for _, e in collector.field("inboxMessageReceived")]


def test_a_message_polled_while_redis_is_down_arrives_once_afterwards(
    up: Cluster, sandbox: Sandbox
) -> None:
    token = sandbox.demo_token("lena")
    pair = [Collector(r.url, token, INBOX) for r in (up.a, up.b)]
    try:
        time.sleep(1.5)
        up.redis_down()
        send_message(sandbox, "lena", "koeln", "Während Redis fehlt")
        time.sleep(1.5)  # several polls fail to append: the message stays unseen (#3)
        assert all(inbox_ids(c) == [] for c in pair)
        up.redis_up()
        assert_once_each(pair, inbox_ids, 1)
    finally:
        for collector in pair:
            collector.close()


def test_cache_traffic_evicting_keys_loses_no_route(up: Cluster, sandbox: Sandbox) -> None:
    made, pair = status_pair(up, sandbox, up.a.url)
    try:
        client = redis.Redis.from_url(up.cache.url)
        try:
            for n in range(400):  # 4 MB through a 2 MB allkeys-lru Redis (issue 19 #4)
                client.set(f"filler:{n}", b"x" * 10_000)
            assert int(client.info("stats")["evicted_keys"]) > 0
        finally:
            client.close()
        with httpx.Client(trust_env=False, timeout=10) as http:
            for n in range(50):
                query = SEARCH.replace("Meldebescheinigung", f"Meldebescheinigung {n}")
                assert http.post(up.a.url + "/graphql", json={"query": query}).status_code == 200
        advance_case(sandbox, made.case)  # the sandbox calls replica a back
        assert_once_each(pair, fit_connect, 1)
    finally:
        for collector in pair:
            collector.close()


def metric(url: str, name: str) -> float:
    text = httpx.get(url + "/metrics", timeout=10).text
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.rsplit(" ", 1)[1])


def test_redis_down_is_degraded_not_unready(up: Cluster) -> None:
    up.redis_down()
    with httpx.Client(trust_env=False, timeout=10) as http:
        wait_until(
            lambda: http.get(up.a.url + "/readyz").json()["degraded"] == ["events", "redis"],
            10,
            "readiness lists Redis and the event log as degraded",
        )
        for replica in (up.a, up.b):
            ready = http.get(replica.url + "/readyz")
            assert ready.status_code == 200  # still in the load balancer (issue 19 #6)
            answer = http.post(replica.url + "/graphql", json={"query": SEARCH}).json()
            assert answer["data"]["services"]["totalCount"] > 0  # queries work
        events = http.get(up.a.url + "/healthz/upstreams").json()["events"]
        assert (events["backend"], events["connected"]) == ("redis", False)
        assert metric(up.a.url, "portalgraph_event_log_up") == 0.0
        assert 'id="events">nicht erreichbar' in http.get(up.a.url + "/status").text
        up.redis_up()
        wait_until(
            lambda: http.get(up.a.url + "/readyz").json()["degraded"] == [],
            15,
            "readiness recovers",
        )
        assert metric(up.a.url, "portalgraph_events_log_reconnects_total") >= 1
