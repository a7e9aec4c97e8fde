"""Two gateway processes (`portalgraph serve`), one Redis, one network file.

Queries work through both; a FIT-Connect callback sent to one replica (the one the
submission was made through) reaches a subscriber on the other; a public-data answer cached by one is served to the other from
Redis; SIGTERM ends both cleanly. Also reports the idle memory of one process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.settings import Settings
from graph.testing import free_port
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_live_limits import deliver_across_replicas
from tests.helpers.redis_server import redis_url

SEARCH = 'query Search { services(query: "Meldebescheinigung", ars: "053150000000", first: 3) { totalCount edges { node { name } } } }'
ME = "query Me { me { givenName accounts { portal { id } } } }"


class Replica:
    def __init__(
        self,
        network: Path,
        redis: str,
        log: Path,
        workers: int = 1,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PORTALGRAPH_NETWORK": str(network),
            "PORTALGRAPH_PORT": str(self.port),
            "PORTALGRAPH_REDIS_URL": redis,
            "PORTALGRAPH_REPLICAS": "2",
            "PORTALGRAPH_WORKERS": str(workers),
            "PORTALGRAPH_LOG_LEVEL": "info",
            "PORTALGRAPH_SHUTDOWN_DELAY": "0.2",
            "PORTALGRAPH_AUDIT_KEY": "replica-test-audit-key",
            # No load balancer here: each replica announces itself as the callback URL of
            # the submissions it makes, so FIT-Connect calls that one back.
            "PORTALGRAPH_CALLBACK_BASE_URL": self.url,
            **(extra or {}),
        }
        script = Path(sys.executable).parent / "portalgraph"
        self.log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(script), "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(trust_env=False, timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, "the replica exited during start-up"
                try:
                    if client.get(self.url + "/readyz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"{self.url} not ready")

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        return kib / 1024

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
                return None
        self.log.close()
        return self.process.returncode


@pytest.fixture
def replicas(
    gateway_settings: Settings, sandbox: Sandbox, gateway: Gateway, tmp_path: Path
) -> Iterator[tuple[Replica, Replica]]:
    # `gateway` taught the shared journal (PORTALGRAPH_DATA_DIR, which the replicas
    # inherit) the demo citizens' account links: Erika's dashboard asks her account areas.
    with redis_url() as url:
        pair = (
            # Replica a runs two uvicorn workers: spawned processes, each a GatewayServer.
            Replica(sandbox.toml_path, url, tmp_path / "a.log", workers=2),
            Replica(sandbox.toml_path, url, tmp_path / "b.log"),
        )
        try:
            for replica in pair:
                replica.wait_ready()
            yield pair
        finally:
            for replica in pair:
                replica.stop()


def cache_hits(gateway: Gateway) -> float:
    text = gateway.http.get("/metrics").text
    lines = [line for line in text.splitlines() if line.startswith("portalgraph_cache_hits_total")]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def test_two_replicas_share_events_and_cache_through_redis(
    replicas: tuple[Replica, Replica], clean_sandbox: Sandbox
) -> None:
    a, b = replicas
    idle = b.rss_mib()
    print(f"\nidle RSS of one gateway process: {idle:.1f} MiB")
    assert idle < 300
    gateway_a, gateway_b = Gateway(a.url), Gateway(b.url)
    try:
        token = clean_sandbox.demo_token("erika")
        for gateway in (gateway_a, gateway_b):
            assert gateway.query(ME, token=token)["data"]["me"]["accounts"]
        clean_sandbox.reset_stats()
        first = gateway_a.query(SEARCH)
        hits_before = cache_hits(gateway_b)
        assert gateway_b.query(SEARCH) == first
        assert cache_hits(gateway_b) > hits_before  # answered from Redis, filled by replica a
        assert clean_sandbox.stats("koeln")["total"] == 1
        for sender, subscriber in ((a, b), (b, a)):
            deliver_across_replicas(clean_sandbox, sender.url, subscriber.url)
    finally:
        gateway_a.http.close()
        gateway_b.http.close()
    # A single uvicorn server re-raises the SIGTERM it caught once it has shut down
    # gracefully (exit -15); the supervisor of several workers exits 0 after them.
    assert [replica.stop() for replica in replicas] == [0, -signal.SIGTERM]
    for replica, workers in zip(replicas, (2, 1), strict=True):
        log = Path(replica.log.name).read_text(encoding="utf-8")
        assert "Traceback" not in log, log
        assert '"level": "error"' not in log.lower(), log
        assert log.count("draining: readiness is 503") == workers, log
