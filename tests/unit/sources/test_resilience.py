from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from sources._breaker import BreakerState, CircuitBreaker
from sources._bulkhead import Bulkhead
from sources._http import deadline_after
from sources._policy import UpstreamPolicy
from sources._resilience import (
    ResilientUpstream,
    UpstreamGuard,
    UpstreamGuards,
)
from sources._retry import RetryBudget, retry_delay
from sources.base import Capability, UpstreamRef
from sources.errors import (
    BulkheadFullError,
    DeadlineExceededError,
    SourceBadResponseError,
    SourceRateLimitedError,
    SourceTimeoutError,
    SourceUnavailableError,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A MockTransport handler answering from a script, counting the requests it got."""

    def __init__(self, *answers: int | Exception, delay: float = 0.0) -> None:
        self.answers = list(answers)
        self.delay = delay
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        headers = {"Retry-After": "0"} if answer == 429 else {}
        return httpx.Response(answer, json={"ok": True}, headers=headers)


def resilient(handler: Recorder, clock: Clock | None = None, **policy: float) -> ResilientUpstream:
    rules = UpstreamPolicy(**policy)  # type: ignore[arg-type]
    where = UpstreamRef("koeln", Capability.SERVICES)
    guard = UpstreamGuard(
        breaker=CircuitBreaker(
            where,
            failures=rules.breaker_failures,
            reset_after=rules.breaker_reset,
            clock=clock or time.monotonic,
        ),
        bulkhead=Bulkhead(rules.max_concurrency, where, max_wait=1.0),
        budget=RetryBudget(rules.retry_budget, floor=100),
    )
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ResilientUpstream(
        client,
        "http://portal.test",
        policy=rules,
        guard=guard,
        rng=lambda: 0.0,
        ref=where,
    )


async def test_a_transient_failure_is_retried_and_succeeds() -> None:
    upstream = Recorder(503, 200)
    assert await resilient(upstream).get_json("/x") == {"ok": True}
    assert len(upstream.requests) == 2


async def test_retries_stop_after_the_policy_allows() -> None:
    upstream = Recorder(503)
    with pytest.raises(SourceUnavailableError):
        await resilient(upstream, retries=2).get_json("/x")
    assert len(upstream.requests) == 3


async def test_writes_are_never_retried() -> None:
    upstream = Recorder(503, 200)
    with pytest.raises(SourceUnavailableError):
        await resilient(upstream).send("POST", "/x", json={})
    assert len(upstream.requests) == 1


@pytest.mark.parametrize(
    ("failure", "attempts"),
    [
        (httpx.ConnectError("refused"), 2),
        (httpx.RemoteProtocolError("reset"), 2),
        (httpx.ReadTimeout("slow"), 1),
    ],
)
async def test_connection_failures_are_retried_but_read_timeouts_are_not(
    failure: Exception, attempts: int
) -> None:
    upstream = Recorder(failure, 503)
    with pytest.raises(SourceUnavailableError):
        await resilient(upstream, retries=1).get_json("/x")
    assert len(upstream.requests) == attempts


async def test_answers_that_are_not_transient_are_not_retried() -> None:
    for status in (400, 404, 401):
        upstream = Recorder(status)
        with pytest.raises(Exception, match="HTTP"):
            await resilient(upstream).get_json("/x")
        assert len(upstream.requests) == 1, status


async def test_a_short_retry_after_is_honoured() -> None:
    upstream = Recorder(429, 200)
    assert await resilient(upstream).get_json("/x") == {"ok": True}
    assert len(upstream.requests) == 2


def test_retry_after_longer_than_the_wait_limit_or_the_deadline_gives_up() -> None:
    def limited(seconds: float) -> SourceRateLimitedError:
        return SourceRateLimitedError(
            "429", upstream=UpstreamRef("koeln", Capability.SERVICES), retry_after=seconds
        )

    assert retry_delay(limited(0.5), 0, max_wait=1.0, remaining=None) == 0.5
    assert retry_delay(limited(3), 0, max_wait=1.0, remaining=None) is None
    assert retry_delay(limited(0.5), 0, max_wait=1.0, remaining=0.4) is None
    bad = SourceBadResponseError("x", upstream=UpstreamRef("koeln", Capability.SERVICES))
    assert retry_delay(bad, 0, max_wait=1.0, remaining=None) is None


def test_the_retry_budget_caps_retries_at_a_share_of_calls() -> None:
    clock = Clock()
    budget = RetryBudget(0.1, window=10.0, floor=2, clock=clock)
    for _ in range(100):
        budget.called()
    granted = sum(budget.spend() for _ in range(50))
    assert granted == 12  # floor 2 + 10 % of 100 calls
    clock.now += 11  # the window slides past all of them
    budget.called()
    assert budget.spend()


async def test_the_breaker_opens_fails_fast_and_recovers_through_one_probe() -> None:
    clock = Clock()
    upstream = Recorder(503)
    source = resilient(upstream, clock, retries=0, breaker_failures=3, breaker_reset=5.0)
    for _ in range(3):
        with pytest.raises(SourceUnavailableError):
            await source.get_json("/x")
    assert source.breaker.snapshot().state is BreakerState.OPEN
    with pytest.raises(SourceUnavailableError, match="circuit open"):
        await source.get_json("/x")
    assert len(upstream.requests) == 3, "an open breaker sends nothing"

    clock.now += 5.0
    upstream.answers = [200]
    assert await source.get_json("/x") == {"ok": True}
    assert source.breaker.state is BreakerState.CLOSED
    assert len(upstream.requests) == 4


async def test_a_failed_probe_opens_the_breaker_again_and_others_wait_for_it() -> None:
    clock = Clock()
    breaker = CircuitBreaker(
        UpstreamRef("koeln", Capability.SERVICES), failures=1, reset_after=5.0, clock=clock
    )
    breaker.failed(probe=False)
    clock.now += 5.0
    assert breaker.admit() is True
    with pytest.raises(SourceUnavailableError):
        breaker.admit()  # a second caller during the probe
    breaker.failed(probe=True)
    assert breaker.snapshot().state is BreakerState.OPEN
    assert breaker.snapshot().retry_in == 5.0


async def test_answers_that_prove_the_upstream_alive_do_not_count_against_it() -> None:
    source = resilient(Recorder(400), retries=0, breaker_failures=1)
    for _ in range(3):
        with pytest.raises(Exception, match="HTTP 400"):
            await source.get_json("/x")
    assert source.breaker.state is BreakerState.CLOSED


async def test_a_call_gets_only_the_time_left_before_the_deadline() -> None:
    upstream = Recorder(200, delay=2.0)
    started = time.monotonic()
    with deadline_after(0.2), pytest.raises(SourceTimeoutError):
        await resilient(upstream).get_json("/x")
    assert time.monotonic() - started < 0.5
    assert len(upstream.requests) == 1, "a timeout is not retried"


async def test_nothing_is_sent_once_the_deadline_has_passed() -> None:
    upstream = Recorder(200)
    source = resilient(upstream, breaker_failures=1)
    with deadline_after(-1.0), pytest.raises(DeadlineExceededError):
        await source.get_json("/x")
    assert upstream.requests == []
    assert source.breaker.state is BreakerState.CLOSED, "our deadline is not its failure"


async def test_the_bulkhead_caps_concurrent_calls_to_one_upstream() -> None:
    slow = Recorder(200, delay=0.5)
    source = resilient(slow, max_concurrency=2)
    with deadline_after(0.2):
        results = await asyncio.gather(
            *(source.get_json("/x") for _ in range(3)), return_exceptions=True
        )
    assert sum(isinstance(r, BulkheadFullError) for r in results) == 1
    assert len(slow.requests) == 2
    assert source.bulkhead.in_flight == 0


def test_guards_share_state_per_upstream_and_report_breakers() -> None:
    guards = UpstreamGuards()
    client = httpx.AsyncClient()
    policy = UpstreamPolicy(breaker_failures=2)
    first = guards.upstream(
        client, "http://a", ref=UpstreamRef("nrw", Capability.SERVICES), policy=policy
    )
    second = guards.upstream(
        client, "http://a", ref=UpstreamRef("nrw", Capability.SERVICES), policy=policy
    )
    guards.upstream(client, "http://b", ref=UpstreamRef("bund", Capability.INBOX), policy=policy)
    assert first.breaker is second.breaker
    assert first.bulkhead is second.bulkhead
    first.breaker.failed(probe=False)
    first.breaker.failed(probe=False)
    states = [s.as_json() for s in guards.breaker_states()]
    assert states[1].pop("retryIn") == pytest.approx(10.0, abs=0.1)
    assert states == [
        {
            "portalId": "bund",
            "capability": "inbox",
            "state": "closed",
            "consecutiveFailures": 0,
            "retryIn": None,
        },
        {
            "portalId": "nrw",
            "capability": "services",
            "state": "open",
            "consecutiveFailures": 2,
        },
    ]
