"""Resilience around one upstream, composed by wrapping `Upstream`.

Per call: the circuit breaker admits it or fails fast; each attempt waits for a
bulkhead slot (no longer than the request deadline), then goes out with the
endpoint's timeouts cut to the time left; idempotent reads that failed transiently
are retried with jittered backoff within the retry budget. Error translation stays
in `Upstream.send`; this layer only decides whether and when to call it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from sources._answer import Answer
from sources._breaker import BreakerSnapshot, CircuitBreaker
from sources._bulkhead import Bulkhead
from sources._http import Params, Upstream, remaining_time
from sources._observe import NO_OBSERVER, UpstreamObserver
from sources._policy import UpstreamPolicy
from sources._retry import RetryBudget, retry_delay
from sources.base import UpstreamRef
from sources.errors import (
    BulkheadFullError,
    DeadlineExceededError,
    SourceError,
    SourceUnavailableError,
)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})

# Failures the gateway decided on its own: they say nothing about the upstream's health.
LOCAL_REFUSALS = (BulkheadFullError, DeadlineExceededError)


class ResilientUpstream(Upstream):
    """An `Upstream` with a breaker, a bulkhead and retries; adapters cannot tell the difference."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        ref: UpstreamRef,
        policy: UpstreamPolicy,
        guard: UpstreamGuard,
        rng: Callable[[], float] = random.random,
        observer: UpstreamObserver = NO_OBSERVER,
        auth: httpx.Auth | None = None,
    ) -> None:
        super().__init__(
            client,
            base_url,
            ref=ref,
            timeout=policy.timeout,
            connect_timeout=policy.connect_timeout,
            observer=observer,
            auth=auth,
        )
        self.policy = policy
        self.breaker = guard.breaker
        self.bulkhead = guard.bulkhead
        self.budget = guard.budget
        self.rng = rng

    async def exchange(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        try:
            probe = self.breaker.admit()
        except SourceUnavailableError:
            self.observer.refused(self.ref, "circuit_open")
            raise
        # A probe goes out alone and once: its answer is what decides the breaker.
        retries = self.policy.retries if method in IDEMPOTENT and not probe else 0
        try:
            response = await self._attempts(method, path, retries, params, json, headers)
        except LOCAL_REFUSALS as refusal:
            self.breaker.abandoned(probe)
            reason = "bulkhead_full" if isinstance(refusal, BulkheadFullError) else "deadline"
            self.observer.refused(self.ref, reason)
            raise
        except SourceUnavailableError:
            self.breaker.failed(probe)
            raise
        except SourceError:
            self.breaker.succeeded(probe)  # it answered: alive, if unhappy with the request
            raise
        except BaseException:
            self.breaker.abandoned(probe)
            raise
        self.breaker.succeeded(probe)
        return response

    async def _attempts(
        self,
        method: str,
        path: str,
        retries: int,
        params: Params | None,
        json: Any,
        headers: Mapping[str, str] | None,
    ) -> Answer:
        self.budget.called()
        attempt = 0
        while True:
            try:
                async with self.bulkhead.slot():
                    return await super().exchange(
                        method, path, params=params, json=json, headers=headers
                    )
            except LOCAL_REFUSALS:
                raise
            except SourceError as error:
                if attempt >= retries:
                    raise
                delay = retry_delay(
                    error,
                    attempt,
                    max_wait=self.policy.max_retry_wait,
                    remaining=remaining_time(),
                    rng=self.rng,
                )
                if delay is None or not self.budget.spend():
                    raise
                self.observer.retried(self.ref)
            attempt += 1
            await asyncio.sleep(delay)


@dataclass(frozen=True, slots=True)
class UpstreamGuard:
    """The state shared by every adapter that calls the same upstream."""

    breaker: CircuitBreaker
    bulkhead: Bulkhead
    budget: RetryBudget


@dataclass(frozen=True, slots=True)
class GuardSnapshot:
    """One upstream's breaker and bulkhead as metrics and the status page read them."""

    breaker: BreakerSnapshot
    in_flight: int
    limit: int

    @property
    def saturation(self) -> float:
        return self.in_flight / self.limit


class UpstreamGuards:
    """The guards of every upstream for the whole process; breakers readable without GraphQL."""

    def __init__(self, observer: UpstreamObserver = NO_OBSERVER) -> None:
        self._guards: dict[UpstreamRef, UpstreamGuard] = {}
        self.observer = observer

    def upstream(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        ref: UpstreamRef,
        policy: UpstreamPolicy,
        auth: httpx.Auth | None = None,
    ) -> ResilientUpstream:
        """One guard (breaker, bulkhead, retry budget) per upstream: adapters that call the
        same upstream name (`ref.portal_id`: `pvog`, `fitconnect`, a payment provider, a
        portal entry) and capability share it."""
        guard = self._guards.get(ref)
        if guard is None:
            read = policy.timeout if policy.timeout is not None else client.timeout.read
            guard = self._guards[ref] = UpstreamGuard(
                breaker=CircuitBreaker(
                    ref, failures=policy.breaker_failures, reset_after=policy.breaker_reset
                ),
                bulkhead=Bulkhead(policy.max_concurrency, ref, max_wait=read or 10.0),
                budget=RetryBudget(policy.retry_budget),
            )
        return ResilientUpstream(
            client,
            base_url,
            ref=ref,
            policy=policy,
            guard=guard,
            observer=self.observer,
            auth=auth,
        )

    def breaker_states(self) -> list[BreakerSnapshot]:
        return [guard.breaker.snapshot() for _, guard in sorted(self._guards.items(), key=_order)]

    def snapshots(self) -> list[GuardSnapshot]:
        """Every upstream's breaker and bulkhead, for metrics and the status page."""
        return [
            GuardSnapshot(guard.breaker.snapshot(), guard.bulkhead.in_flight, guard.bulkhead.limit)
            for _, guard in sorted(self._guards.items(), key=_order)
        ]


def _order(item: tuple[UpstreamRef, UpstreamGuard]) -> tuple[str, str]:
    return item[0].portal_id, item[0].capability.value
