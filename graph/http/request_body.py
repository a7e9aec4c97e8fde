"""Strict reading of request bodies: JSON (HTTP and WebSocket frames) and GraphQL multipart.

Strawberry reads JSON with `json.loads`, which takes invalid UTF-8 (as a 500), lone
surrogates (a masked INTERNAL_SERVER_ERROR later) and nesting 30,000 deep (a
RecursionError), and it maps multipart files with a helper that assumes a well-formed
`map` (issue 18 #8). Here every such body is a 400 with a message saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse

MAX_PATH_SEGMENTS = 32
MAX_PARSE_TOKENS = 20_000  # the token limit proper is checked later (MaxTokensLimiter)


def decode_json(data: str | bytes) -> object:
    """orjson: strict UTF-8, no lone surrogates, nesting at most 1024 deep; all a JSONDecodeError."""
    return orjson.loads(data)


def place_files(
    operations: object, files_map: object, files: Mapping[str, Any]
) -> dict[str, Any] | list[Any]:
    """The GraphQL multipart request spec's `map`, applied: each path must name a null."""
    if not isinstance(operations, dict | list):
        raise HTTPException(400, "'operations' must be a JSON object or array.")
    if not isinstance(files_map, dict):
        raise HTTPException(400, "'map' must be a JSON object of file field names to paths.")
    for field, paths in files_map.items():
        if field not in files:
            raise HTTPException(400, f"'map' names the file field {field!r}, which was not sent.")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise HTTPException(400, f"'map'[{field!r}] must be a list of path strings.")
        for path in paths:
            _put(operations, path, files[field])
    return operations


def _put(operations: dict[str, Any] | list[Any], path: str, file: object) -> None:
    keys = path.split(".")
    if len(keys) > MAX_PATH_SEGMENTS:
        raise HTTPException(400, f"The 'map' path {path[:80]!r} is too deep.")
    target: Any = operations
    for position, key in enumerate(keys):
        last = position == len(keys) - 1
        if isinstance(target, list):
            if not (key.isascii() and key.isdigit()) or int(key) >= len(target):
                raise HTTPException(400, f"The 'map' path {path[:80]!r} has no list item {key!r}.")
            index: int | str = int(key)
        elif isinstance(target, dict) and key in target:
            index = key
        else:
            raise HTTPException(400, f"The 'map' path {path[:80]!r} names nothing in 'operations'.")
        if last:
            if target[index] is not None:
                raise HTTPException(400, f"The 'map' path {path[:80]!r} must name a null value.")
            target[index] = file
        else:
            target = target[index]


# graph/http/errors.py answers it as SUBSCRIPTION_TRANSPORT_REQUIRED (in German on request).
SUBSCRIPTION_NEEDS_STREAM = (
    "Subscriptions need a stream: use a WebSocket (graphql-ws, protocol graphql-transport-ws)"
    " or Server-Sent Events (graphql-sse, 'Accept: text/event-stream') on this URL."
)


def is_subscription(query: str | None, operation_name: str | None) -> bool:
    """Whether the operation to run is a subscription (False if the document does not parse:
    the parser's own error is reported later, with its location)."""
    if not query or "subscription" not in query:
        return False  # cheap: most documents never mention the keyword
    try:
        document = parse(query, no_location=True, max_tokens=MAX_PARSE_TOKENS)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


class StrictBodies:
    """Mixin for the GraphQL view: Strawberry's hooks, filled with the strict readers."""

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        # A subscription over plain HTTP ran as a query and failed as a masked
        # INTERNAL_SERVER_ERROR (found by the fuzz suite): it needs a stream.
        data = kwargs.get("request_data")
        if data is not None and is_subscription(data.query, data.operation_name):
            raise HTTPException(400, SUBSCRIPTION_NEEDS_STREAM)
        return await super().execute_single(*args, **kwargs)  # type: ignore[misc]  # mixin

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            parsed = decode_json(data)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, f"The body is not valid JSON: {exc}") from exc
        # A request body, multipart `operations` and `map` are all objects (or a batch of
        # objects); anything else made Strawberry fail with a 500 (found by the fuzz suite).
        if isinstance(parsed, dict) or (
            isinstance(parsed, list) and all(isinstance(i, dict) for i in parsed)
        ):
            return parsed
        raise HTTPException(400, "The JSON must be an object (or an array of objects).")

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, str]:
        try:
            form = await request.get_form_data()
        except ValueError as exc:
            raise HTTPException(400, "Unable to parse the multipart body") from exc
        fields = form.form
        operations, files_map = fields.get("operations"), fields.get("map")
        if not isinstance(operations, str | bytes) or not isinstance(files_map, str | bytes):
            raise HTTPException(400, "A multipart request needs 'operations' and 'map' fields.")
        placed = place_files(self.parse_json(operations), self.parse_json(files_map), form.files)
        # Strawberry's hint is narrower than what it accepts (a batch is a list).
        return cast("dict[str, str]", placed)
