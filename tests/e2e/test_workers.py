"""Two uvicorn workers (`PORTALGRAPH_WORKERS=2`): /metrics sums what both counted.

Each worker is its own process with its own counters; a scrape reaches one of them.
In prometheus-client's multiprocess mode (graph/ops/multiproc.py) the answering worker
reads every worker's files, so every scrape reports the requests of both. Each worker
builds its own settings: the head timeout it applies is the environment's, through them.
"""

from __future__ import annotations

import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from graph.ops.multiproc import ENV
from tests.conftest import Sandbox
from tests.e2e.test_replicas import Replica
from tests.helpers.redis_server import redis_url

BATCH = 32
COUNTED = re.compile(
    r'^portalgraph_http_requests_total\{method="POST",route="/graphql",status="200"\} (\S+)$',
    re.MULTILINE,
)


def one_request(url: str) -> int:
    # A fresh connection each time, so the kernel hands them to both workers.
    with httpx.Client(trust_env=False, timeout=10) as client:
        return client.post(url + "/graphql", json={"query": "{ __typename }"}).status_code


def head_left_unfinished_closes_after(port: int) -> float:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        assert sock.recv(1) == b""  # closed without an answer
    return time.monotonic() - started


@pytest.mark.usefixtures("gateway_settings")  # the sandbox's secrets in the environment
def test_a_counter_incremented_in_two_workers_is_summed_at_metrics(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"stale, from an earlier run")
    with redis_url() as redis:
        replica = Replica(
            sandbox.toml_path,
            redis,
            tmp_path / "w.log",
            workers=2,
            extra={ENV: str(shared), "PORTALGRAPH_CLIENT_HEADER_TIMEOUT": "0.5"},
        )
        try:
            replica.wait_ready(timeout=120)  # two workers start slowly on a busy machine
            log = tmp_path / "w.log"
            deadline = time.monotonic() + 60
            while log.read_text(encoding="utf-8").count("Application startup complete") < 2:
                assert time.monotonic() < deadline, "the second worker did not start"
                time.sleep(0.2)
            # Until both workers have counted some (one file per worker and kind): the
            # kernel hands a shared socket's connections to whichever worker accepts first.
            sent = 0
            with ThreadPoolExecutor(max_workers=16) as pool:
                while len(list(shared.glob("counter_*.db"))) < 2 and sent < 20 * BATCH:
                    assert list(pool.map(one_request, [replica.url] * BATCH)) == [200] * BATCH
                    sent += BATCH
            assert len(list(shared.glob("counter_*.db"))) == 2
            for _ in range(4):  # whichever worker answers the scrape
                with httpx.Client(trust_env=False, timeout=10) as client:
                    text = client.get(replica.url + "/metrics").text
                assert [float(v) for v in COUNTED.findall(text)] == [sent]
                assert "process_resident_memory_bytes" not in text  # per process: left out
            for _ in range(6):  # fresh connections, spread over both workers by the kernel
                assert head_left_unfinished_closes_after(replica.port) < 3  # 10 s by default
        finally:
            assert replica.stop() == 0
    text = (tmp_path / "w.log").read_text(encoding="utf-8")
    assert "Traceback" not in text, text
