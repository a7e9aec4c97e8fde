"""Is this request only an introspection query? Then a bad token need not stop it.

GraphiQL introspects with whatever is in its headers editor; with a mistyped or expired
token the gateway answered 401 and the docs pane stayed empty, hiding the schema the
developer needed to fix their request. In development the schema is public anyway
(introspection is on for anonymous clients), so an introspection-only request with a
bad token runs as anonymous; every other request still gets the 401.
"""

from __future__ import annotations

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse
from starlette.requests import Request

MAX_DOCUMENT = 20_000  # GraphiQL's introspection query is ~2 kB


def introspection_only(document: object) -> bool:
    if not isinstance(document, str) or len(document) > MAX_DOCUMENT:
        return False
    try:
        parsed = parse(document)
    except GraphQLError:
        return False
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    return bool(operations) and all(
        isinstance(selection, FieldNode) and selection.name.value.startswith("__")
        for operation in operations
        for selection in operation.selection_set.selections
    )


async def is_introspection_request(request: Request) -> bool:
    if request.method == "GET":
        return introspection_only(request.query_params.get("query"))
    if not request.headers.get("content-type", "").startswith("application/json"):
        return False
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return False
    return isinstance(body, dict) and introspection_only(body.get("query"))
