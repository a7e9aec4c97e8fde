"""The public response cache: what it keys, what it refuses, when entries expire."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from graph.http.response_cache import ResponseCache, is_public

SEARCH = "query S($q: String) { services(query: $q) { totalCount } }"


def request(body: object, *, authorization: str | None = None, method: str = "POST") -> Request:
    raw = orjson.dumps(body)
    headers = [(b"content-type", b"application/json")]
    if authorization is not None:
        headers.append((b"authorization", authorization.encode()))

    async def receive() -> Message:
        return {"type": "http.request", "body": raw, "more_body": False}

    scope = {"type": "http", "method": method, "headers": headers, "path": "/graphql"}
    return Request(scope, receive)


def test_only_public_query_roots_are_cacheable() -> None:
    assert is_public(SEARCH, None)
    assert is_public('{ portals { id } regions(search: "Köln") { ars } }', None)
    assert not is_public("{ me { givenName } }", None)
    assert not is_public("{ services { totalCount } me { givenName } }", None)
    assert not is_public('{ node(id: "x") { id } }', None)
    assert not is_public("{ ...F } fragment F on Query { services { totalCount } }", None)
    assert not is_public('mutation { markMessageRead(id: "x") { id } }', None)
    assert not is_public("{ services { totalCount", None)


async def test_key_covers_variables_and_refuses_credentials() -> None:
    cache = ResponseCache(ttl=30, max_entries=10)
    one = await cache.key(request({"query": SEARCH, "variables": {"q": "Pass"}}))
    same = await cache.key(request({"query": SEARCH, "variables": {"q": "Pass"}}))
    other = await cache.key(request({"query": SEARCH, "variables": {"q": "Hund"}}))
    assert one is not None
    assert one == same
    assert one != other
    assert await cache.key(request({"query": SEARCH}, authorization="Bearer x")) is None
    assert await cache.key(request({"query": "{ me { givenName } }"})) is None
    persisted = {"query": SEARCH, "extensions": {"persistedQuery": {}}}
    assert await cache.key(request(persisted)) is None


def test_entries_expire_and_errors_are_not_kept() -> None:
    now = [0.0]
    cache = ResponseCache(ttl=30, max_entries=1, clock=lambda: now[0])
    body = b'{"data":{"services":{"totalCount":3}}}'
    cache.put("k", Response(body, media_type="application/json"))
    hit = cache.get("k")
    assert hit is not None
    assert hit.body == body
    now[0] = 31
    assert cache.get("k") is None
    cache.put("e", Response(b'{"data":null,"errors":[]}', media_type="application/json"))
    cache.put("s", Response(body, status_code=429, media_type="application/json"))
    assert cache.get("e") is None
    assert cache.get("s") is None
    now[0] = 40
    cache.put("a", Response(body, media_type="application/json"))
    cache.put("b", Response(body, media_type="application/json"))
    assert cache.get("a") is None
    assert cache.get("b") is not None
