"""Metrics read at scrape time from the objects that already keep the state.

Breakers, bulkheads, the public-data cache and the event log count for themselves;
mirroring each change into a Prometheus instrument would put work on every call for a
number read every 15 seconds. Portals and capabilities are the only labels.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from graph.context import GatewayState
from sources.cache import CachedServiceDirectory
from sources.transport import BreakerState

UPSTREAM = ["portal", "capability"]


class StateCollector(Collector):
    """Reads one running gateway's state; built per scrape from the lifespan state."""

    def __init__(self, gateway: GatewayState) -> None:
        self.gateway = gateway

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield from self._upstreams()
        yield from self._cache()
        yield from self._live()

    def _upstreams(self) -> Iterator[GaugeMetricFamily]:
        state = GaugeMetricFamily(
            "portalgraph_upstream_breaker_state",
            "1 for the breaker's current state (closed, open, half-open), else 0",
            labels=[*UPSTREAM, "state"],
        )
        failures = GaugeMetricFamily(
            "portalgraph_upstream_consecutive_failures",
            "Failed calls in a row",
            labels=UPSTREAM,
        )
        in_flight = GaugeMetricFamily(
            "portalgraph_upstream_bulkhead_in_flight", "Calls holding a slot", labels=UPSTREAM
        )
        saturation = GaugeMetricFamily(
            "portalgraph_upstream_bulkhead_saturation",
            "Share of the bulkhead's slots in use (1 = callers wait)",
            labels=UPSTREAM,
        )
        for guard in self.gateway.guards.snapshots():
            breaker = guard.breaker
            labels = [breaker.upstream.portal_id, breaker.upstream.capability.value]
            for value in BreakerState:
                state.add_metric([*labels, value.value], float(breaker.state is value))
            failures.add_metric(labels, breaker.consecutive_failures)
            in_flight.add_metric(labels, guard.in_flight)
            saturation.add_metric(labels, guard.saturation)
        yield from (state, failures, in_flight, saturation)

    def _cache(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        kinds = {
            "hits": "Lookups answered fresh from the cache",
            "misses": "Lookups that went to the upstream (or a shared in-flight call)",
            "stale_served": "Stale entries served because the upstream failed",
        }
        families = {
            kind: CounterMetricFamily(f"portalgraph_cache_{kind}", text, labels=["portal"])
            for kind, text in kinds.items()
        }
        directory = self.gateway.adapters.directory
        if isinstance(directory, CachedServiceDirectory):  # the one PVOG, label "pvog"
            counters = directory.counters()
            for kind, family in families.items():
                family.add_metric([directory.portal.id], counters[kind])
        yield from families.values()
        if self.gateway.cache is not None:
            redis = self.gateway.cache.status().get("redis")
            if redis is not None:
                yield GaugeMetricFamily(
                    "portalgraph_cache_redis_up",
                    "1 while the shared cache answers",
                    value=float(redis == "up"),
                )

    def _live(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        live = self.gateway.live
        if live is None:
            return
        yield GaugeMetricFamily(
            "portalgraph_subscriptions_active",
            "Live subscriptions on this process",
            value=sum(live.subscriptions.values()),
        )
        feed, log = live.feed, live.feed.log.status()
        counts = {
            "received": ("Events this process read from the event log", feed.received),
            "published": ("Events this process appended to the event log", live.published),
            "publish_failures": (
                "Appends refused (callback answered 503, poll item kept unseen)",
                live.publish_failures,
            ),
            "duplicates": ("Events not delivered again (same id)", feed.duplicates),
            "dropped": ("Events dropped from full subscriber queues", feed.dropped),
            "log_reconnects": ("Reconnects to the event log's server", log.reconnects),
            "log_missed": ("Events trimmed before this replica could read them", log.missed),
        }
        for kind, (text, value) in counts.items():
            yield CounterMetricFamily(f"portalgraph_events_{kind}", text, value=value)
        yield GaugeMetricFamily(
            "portalgraph_event_log_up",
            "1 while the event log answers (0: degraded, live updates wait)",
            value=float(log.connected),
        )
        yield GaugeMetricFamily(
            "portalgraph_event_log_lag_seconds",
            "Seconds this replica's reader is behind the event log",
            value=log.lag,
        )
