"""A public response cache in front of Strawberry, for anonymous read-only operations.

Pure ASGI middleware around the GraphQL route (`ResponseCacheMiddleware`): it reads the
body of a candidate request, answers a hit itself, and replays the body to the view on
a miss, keeping what the view answered when it is a clean 200.

Only requests without credentials, and only query operations whose root fields all
read public data (service directory, portals, regions), are cached; `me`, `node`
and everything else never are. The key is the document's hash, the variables, the
operation name, the Accept header and the cache scope ("public"); entries expire by
TTL and the cache is a bounded LRU per process. A hit skips parsing, validation and
execution and answers the stored bytes: that is what makes repeated searches cheap.
Hits are not rate limited: they cost the gateway microseconds and no upstream call.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_TYPES = ("application/json", "application/graphql-response+json")
PUBLIC_ROOTS = frozenset({"services", "service", "portals", "portal", "regions", "__typename"})
SCOPE = "public"


@dataclass(frozen=True, slots=True)
class Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    expires: float

    def response(self) -> Response:
        return Response(self.body, status_code=200, headers=dict(self.headers))


@lru_cache(maxsize=512)
def is_public(query: str, operation_name: str | None) -> bool:
    """Whether the operation is a query whose root fields are all public (no fragments)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        return False
    selections = chosen[0].selection_set.selections
    return all(isinstance(s, FieldNode) and s.name.value in PUBLIC_ROOTS for s in selections)


class ResponseCache:
    def __init__(
        self, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self.entries: OrderedDict[str, Entry] = OrderedDict()

    @staticmethod
    def candidate(method: str, headers: Headers) -> bool:
        """Whether a request may be cacheable at all, before its body is read."""
        return (
            method == "POST"
            and "authorization" not in headers
            and headers.get("content-type", "").startswith("application/json")
        )

    def key(self, method: str, headers: Headers, body: bytes) -> str | None:
        """The cache key of an anonymous POST of a public query; None if not cacheable."""
        if not self.candidate(method, headers):
            return None
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        # Extensions (persisted documents, APQ) and anything odd go the normal way.
        if not isinstance(payload, dict) or set(payload) - {"query", "variables", "operationName"}:
            return None
        query, name = payload.get("query"), payload.get("operationName")
        if (
            not isinstance(query, str)
            or not isinstance(name, str | None)
            or not is_public(query, name)
        ):
            return None
        variables = orjson.dumps(payload.get("variables") or {}, option=orjson.OPT_SORT_KEYS)
        document = hashlib.sha256(query.encode()).hexdigest()
        parts = [SCOPE, document, str(name), headers.get("accept", "")]
        return "|".join(parts) + "|" + hashlib.sha256(variables).hexdigest()

    def get(self, key: str) -> Response | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self.clock():
            del self.entries[key]
            return None
        self.entries.move_to_end(key)
        return entry.response()

    def put(self, key: str, status: int, headers: Headers, body: bytes) -> None:
        """Keep a successful JSON answer without errors (partial results are not cached)."""
        content_type = headers.get("content-type", "")
        if status != 200 or b'"errors"' in body or not content_type.startswith(JSON_TYPES):
            return
        kept = tuple(
            (k, v) for k, v in headers.items() if k not in ("content-length", "set-cookie")
        )
        self.entries[key] = Entry(body, kept, self.clock() + self.ttl)
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)


class ResponseCacheMiddleware:
    """Answer hits from `cache`; with `cache` None it only delegates."""

    def __init__(self, app: ASGIApp, *, cache: ResponseCache | None) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = self.cache
        if cache is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not cache.candidate(scope["method"], headers):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        key = cache.key(scope["method"], headers, body)
        hit = cache.get(key) if key is not None else None
        if hit is not None:
            await hit(scope, receive, send)
            return
        answer: dict[str, object] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = Headers(raw=message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, _replay(body, receive), keep if key is not None else send)
        status, kept = answer.get("status"), answer.get("headers")
        if key is not None and isinstance(status, int) and isinstance(kept, Headers):
            cache.put(key, status, kept, b"".join(chunks))


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once, then whatever the client sends next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
