"""The public response cache: what it keys, what it refuses, when entries expire, as middleware."""

from __future__ import annotations

import orjson
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from graph.http.response_cache import ResponseCache, ResponseCacheMiddleware, is_public

SEARCH = "query S($q: String) { services(query: $q) { totalCount } }"
JSON = Headers({"content-type": "application/json"})


def headers(*, authorization: str | None = None) -> Headers:
    raw = {"content-type": "application/json"}
    if authorization is not None:
        raw["authorization"] = authorization
    return Headers(raw)


def key(cache: ResponseCache, body: object, **kwargs: str) -> str | None:
    return cache.key("POST", headers(**kwargs), orjson.dumps(body))


def test_only_public_query_roots_are_cacheable() -> None:
    assert is_public(SEARCH, None)
    assert is_public('{ portals { id } regions(search: "Köln") { ars } }', None)
    assert not is_public("{ me { givenName } }", None)
    assert not is_public("{ services { totalCount } me { givenName } }", None)
    assert not is_public('{ node(id: "x") { id } }', None)
    assert not is_public("{ ...F } fragment F on Query { services { totalCount } }", None)
    assert not is_public('mutation { markMessageRead(id: "x") { id } }', None)
    assert not is_public("{ services { totalCount", None)


def test_key_covers_variables_and_refuses_credentials() -> None:
    cache = ResponseCache(ttl=30, max_entries=10)
    one = key(cache, {"query": SEARCH, "variables": {"q": "Pass"}})
    same = key(cache, {"query": SEARCH, "variables": {"q": "Pass"}})
    other = key(cache, {"query": SEARCH, "variables": {"q": "Hund"}})
    assert one is not None
    assert one == same
    assert one != other
    assert key(cache, {"query": SEARCH}, authorization="Bearer x") is None
    assert key(cache, {"query": "{ me { givenName } }"}) is None
    assert key(cache, {"query": SEARCH, "extensions": {"persistedQuery": {}}}) is None
    assert cache.key("GET", JSON, orjson.dumps({"query": SEARCH})) is None
    assert cache.key("POST", JSON, b"{not json") is None


def test_entries_expire_and_errors_are_not_kept() -> None:
    now = [0.0]
    cache = ResponseCache(ttl=30, max_entries=1, clock=lambda: now[0])
    body = b'{"data":{"services":{"totalCount":3}}}'
    cache.put("k", 200, JSON, body)
    hit = cache.get("k")
    assert hit is not None
    assert hit.body == body
    now[0] = 31
    assert cache.get("k") is None
    cache.put("e", 200, JSON, b'{"data":null,"errors":[]}')
    cache.put("s", 429, JSON, body)
    cache.put("h", 200, Headers({"content-type": "text/html"}), body)
    assert cache.get("e") is None
    assert cache.get("s") is None
    assert cache.get("h") is None
    now[0] = 40
    cache.put("a", 200, JSON, body)
    cache.put("b", 200, JSON, body)
    assert cache.get("a") is None
    assert cache.get("b") is not None


async def call(app: ResponseCacheMiddleware, body: bytes) -> tuple[int, bytes]:
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [(b"content-type", b"application/json")],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def test_the_middleware_answers_a_repeat_without_the_app_and_replays_the_body() -> None:
    seen: list[bytes] = []

    async def view(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((await receive())["body"])  # the body the middleware read, replayed
        await JSONResponse({"data": {"services": {"totalCount": len(seen)}}})(scope, receive, send)

    app = ResponseCacheMiddleware(view, cache=ResponseCache(ttl=30, max_entries=10))
    body = orjson.dumps({"query": SEARCH, "variables": {"q": "Pass"}})
    first = await call(app, body)
    again = await call(app, body)
    assert first == again == (200, b'{"data":{"services":{"totalCount":1}}}')
    assert seen == [body]  # the second answer came from the cache
    private = orjson.dumps({"query": "{ me { givenName } }"})
    await call(app, private)
    await call(app, private)
    assert seen == [body, private, private]  # never cached
