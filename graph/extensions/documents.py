"""Persisted documents: Apollo's automatic persisted queries and a trusted-documents mode.

APQ only saves bandwidth: any client may register any valid document. Trusted documents
are the security feature: with a manifest configured (graphql-codegen client preset,
`{"<sha256 hex>": "<document>"}`) only the operations in it run, by id or by exact text.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from sources.base import ErrorCode

HASH_LENGTH = 64


class DocumentError(GraphQLError):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message, extensions={"code": code})


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_manifest(path: str) -> dict[str, str]:
    """Read a client-preset manifest and check that every key is its document's hash."""
    raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected an object of hash → document")
    for key, document in raw.items():
        if not isinstance(document, str) or sha256(document) != key.removeprefix("sha256:"):
            raise ValueError(f"{path}: entry {key[:16]}… is not the sha256 of its document")
    return {key.removeprefix("sha256:"): document for key, document in raw.items()}


class DocumentStore:
    """The manifest (trusted mode) or a bounded LRU of APQ registrations."""

    def __init__(self, *, trusted: Mapping[str, str] | None = None, size: int = 1000) -> None:
        self.trusted = dict(trusted) if trusted is not None else None
        self.size = size
        self.registered: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
        """The document text to run; raises DocumentError when it may not run."""
        extensions = extensions or {}
        wanted = self._hash(extensions)
        if self.trusted is not None:
            if wanted is not None:
                found = self.trusted.get(wanted)
                if found is None or (query is not None and query != found):
                    raise DocumentError(
                        ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound"
                    )
                return found
            if query is not None and sha256(query) not in self.trusted:
                raise DocumentError(
                    ErrorCode.QUERY_NOT_IN_SAFELIST,
                    "Only registered operations run on this gateway.",
                )
            return query
        if wanted is None:
            return query
        if query is None:
            if self.size == 0 or wanted not in self.registered:
                raise DocumentError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
            self.registered.move_to_end(wanted)
            return self.registered[wanted]
        if sha256(query) != wanted:
            raise DocumentError(
                ErrorCode.PERSISTED_QUERY_HASH_MISMATCH, "The sha256Hash does not match the query."
            )
        return query

    def register(self, query: str) -> None:
        """Remember a document that passed validation (APQ mode only)."""
        if self.trusted is not None or self.size == 0:
            return
        self.registered[sha256(query)] = query
        self.registered.move_to_end(sha256(query))
        while len(self.registered) > self.size:
            self.registered.popitem(last=False)

    @staticmethod
    def _hash(extensions: Mapping[str, Any]) -> str | None:
        persisted = extensions.get("persistedQuery")
        candidate: object = extensions.get("documentId")
        if isinstance(persisted, Mapping):
            if persisted.get("version", 1) != 1:
                raise DocumentError(ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, "Unsupported version.")
            candidate = persisted.get("sha256Hash")
        if candidate is None:
            return None
        if not isinstance(candidate, str):
            raise DocumentError(ErrorCode.BAD_REQUEST, "A document id must be a string.")
        digest = candidate.removeprefix("sha256:").lower()
        if len(digest) != HASH_LENGTH or any(c not in "0123456789abcdef" for c in digest):
            raise DocumentError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
        return digest


class PersistedDocuments(SchemaExtension):
    """Turn a hash into its document before parsing; register APQ documents that validated."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.query = self.store.resolve(context.query, context.operation_extensions)
        yield

    def on_execute(self) -> Iterator[None]:
        # Execution starts only for a document that parsed and passed every limit, so only
        # those get a slot in the bounded store. Registered when the operation is accepted:
        # at its end, a subscription's document was unknown to other clients for its life.
        context = self.execution_context
        if (context.operation_extensions or {}).get("persistedQuery") and context.query:
            self.store.register(context.query)
        yield
