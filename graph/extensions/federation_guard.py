"""In production the subgraph SDL is for the supergraph router only (issue 18 #9).

`_service { sdl }` is the whole schema, introspection by another name: with introspection
off in production it answered anonymous clients all the same. The router proves itself
with `X-Federation-Token: <PORTALGRAPH_FEDERATION_TOKEN>`; without that setting nobody may.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator

from graphql import DefinitionNode, FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from sources.base import ErrorCode

HEADER = "x-federation-token"
SERVICE_FIELD = "_service"


def asks_for_sdl(definitions: Iterable[DefinitionNode]) -> bool:
    for definition in definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode) and selection.name.value == SERVICE_FIELD:
                    return True
    return False


class RouterOnlySdl(SchemaExtension):
    def __init__(self, token: str | None) -> None:
        self.token = token

    def on_execute(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None and asks_for_sdl(document.definitions):
            request = getattr(self.execution_context.context, "request", None)
            sent = request.headers.get(HEADER, "") if request is not None else ""
            if not self.token or not hmac.compare_digest(sent.encode(), self.token.encode()):
                raise GraphQLError(
                    "The subgraph SDL is served to the supergraph router only.",
                    extensions={"code": ErrorCode.FORBIDDEN},
                )
        yield
