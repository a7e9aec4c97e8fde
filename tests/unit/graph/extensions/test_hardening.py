"""Rate limiter, CSRF rule, log formatting and pseudonyms, without a server."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis.asyncio as redis

from graph.extensions.ratelimit import MemoryLimiter, RedisLimiter
from graph.http.security import csrf_refusal
from graph.ops.logging import JsonFormatter, Pseudonyms
from tests.helpers.redis_server import redis_url


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_memory_bucket_allows_a_burst_then_refills() -> None:
    clock = Clock()
    limiter = MemoryLimiter(clock)
    waits = [asyncio.run(limiter.wait_time("v:a", 60)) for _ in range(61)]
    assert waits[:60] == [0.0] * 60
    assert waits[60] == pytest.approx(1.0)
    assert asyncio.run(limiter.wait_time("v:b", 60)) == 0.0
    clock.now += 1.0
    assert asyncio.run(limiter.wait_time("v:a", 60)) == 0.0


class BrokenRedis:
    def eval(self, script: str, numkeys: int, *keys_and_args: str | float) -> Any:
        raise ConnectionError("redis is down")


def test_the_redis_limiter_falls_back_to_memory_when_redis_is_down() -> None:
    limiter = RedisLimiter(BrokenRedis())
    assert asyncio.run(limiter.wait_time("v:a", 1)) == 0.0
    assert asyncio.run(limiter.wait_time("v:a", 1)) > 0


def scope(method: str, content_type: str = "", query: str = "", **headers: str) -> dict[str, Any]:
    raw = [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()]
    if content_type:
        raw.append((b"content-type", content_type.encode()))
    return {"type": "http", "method": method, "headers": raw, "query_string": query.encode()}


@pytest.mark.parametrize(
    ("request_scope", "refused"),
    [
        (scope("POST", "application/json"), False),
        (scope("POST", "application/graphql-response+json"), False),
        (scope("POST", "text/plain;charset=utf-8"), True),
        (scope("POST", "application/x-www-form-urlencoded"), True),
        (scope("POST", "multipart/form-data; boundary=x"), True),
        (scope("POST"), True),
        (scope("POST", "text/plain", GraphQL_Preflight="1"), False),
        (scope("POST", "text/plain", Apollo_Require_Preflight="true"), False),
        (scope("POST", "text/plain", X_Apollo_Operation_Name="Q"), False),
        (scope("POST", "text/plain", X_Apollo_Operation_Name=" "), True),
        # Bearer-only auth: a forged GET runs anonymously and never mutates (docs/frontend.md).
        (scope("GET", query="query=%7B__typename%7D"), False),
        (scope("GET", query="documentId=abc"), False),
        (scope("GET", query="query=%7B__typename%7D", GraphQL_Preflight="1"), False),
        (scope("GET"), False),
    ],
)
def test_csrf_rule(request_scope: dict[str, Any], refused: bool) -> None:
    assert (csrf_refusal(request_scope) is not None) is refused


def record(message: str, *args: object, name: str = "portalgraph") -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


def test_json_lines_blank_tokens_and_drop_query_strings() -> None:
    formatter = JsonFormatter()
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    line = json.loads(formatter.format(record("got %s\nand Bearer abc.def", token)))
    assert token not in line["message"]
    assert "abc.def" not in line["message"]
    assert set(line) >= {"time", "level", "logger", "requestId", "message"}
    access = record(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5",
        "GET",
        '/graphql?variables={"name":"Erika"}',
        "1.1",
        200,
        name="uvicorn.access",
    )
    assert "Erika" not in formatter.format(access)


def test_pseudonyms_are_keyed_and_stable() -> None:
    one, other = Pseudonyms("k1"), Pseudonyms("k2")
    assert one("subject") == one("subject")
    assert one("subject") != other("subject")
    assert "subject" not in one("subject")


@pytest.fixture
def real_redis() -> Iterator[str]:
    with redis_url() as url:
        yield url


@pytest.mark.redis
async def test_the_redis_gcra_is_shared_by_replicas(real_redis: str) -> None:
    first, second = redis.from_url(real_redis), redis.from_url(real_redis)
    prefix = f"test-{uuid.uuid4().hex}:"
    try:
        replicas = [RedisLimiter(first, prefix), RedisLimiter(second, prefix)]
        waits = [await replicas[i % 2].wait_time("v:x", 3) for i in range(4)]
    finally:
        await first.aclose()
        await second.aclose()
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0 < waits[3] <= 20
