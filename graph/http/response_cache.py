"""A public response cache in front of Strawberry, for anonymous read-only operations.

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
from starlette.requests import Request
from starlette.responses import Response

PUBLIC_ROOTS = frozenset({"services", "service", "portals", "portal", "regions", "__typename"})
SCOPE = "public"


@dataclass(frozen=True, slots=True)
class Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    expires: float

    def response(self) -> Response:
        # A fresh Response per hit: negotiation relabels headers on the object it gets.
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

    async def key(self, request: Request) -> str | None:
        """The cache key of an anonymous POST of a public query; None if not cacheable."""
        headers = request.headers
        if (
            request.method != "POST"
            or "authorization" in headers
            or not headers.get("content-type", "").startswith("application/json")
        ):
            return None
        try:
            payload = orjson.loads(await request.body())
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
        parts = [SCOPE, document, str(name), request.headers.get("accept", "")]
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

    def put(self, key: str, response: Response) -> None:
        """Keep a successful answer without errors (partial results are not cached)."""
        body = bytes(response.body)
        if response.status_code != 200 or b'"errors"' in body:
            return
        headers = tuple(
            (k, v) for k, v in response.headers.items() if k not in ("content-length", "set-cookie")
        )
        self.entries[key] = Entry(body, headers, self.clock() + self.ttl)
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)
