"""APQ and trusted documents, without HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.extensions.documents import DocumentError, DocumentStore, load_manifest, sha256

QUERY = "{ portals { id } }"


def persisted(text: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


def code_of(store: DocumentStore, query: str | None, extensions: dict[str, object]) -> str:
    with pytest.raises(DocumentError) as caught:
        store.resolve(query, extensions)
    return str((caught.value.extensions or {})["code"])


def test_apq_registers_then_serves_by_hash() -> None:
    store = DocumentStore(size=2)
    assert code_of(store, None, persisted(QUERY)) == "PERSISTED_QUERY_NOT_FOUND"
    assert store.resolve(QUERY, persisted(QUERY)) == QUERY
    store.register(QUERY)
    assert store.resolve(None, persisted(QUERY)) == QUERY
    assert code_of(store, "{ other }", persisted(QUERY)) == "PERSISTED_QUERY_HASH_MISMATCH"


def test_the_apq_store_is_bounded() -> None:
    store = DocumentStore(size=2)
    for text in ("{ a }", "{ b }", "{ c }"):
        store.register(text)
    assert list(store.registered.values()) == ["{ b }", "{ c }"]
    assert code_of(store, None, persisted("{ a }")) == "PERSISTED_QUERY_NOT_FOUND"


def test_a_malformed_hash_or_version_is_refused() -> None:
    store = DocumentStore()
    assert code_of(store, None, {"persistedQuery": {"version": 2, "sha256Hash": "x"}}) == (
        "PERSISTED_QUERY_NOT_SUPPORTED"
    )
    assert code_of(store, None, {"documentId": "../../etc/passwd"}) == "PERSISTED_QUERY_NOT_FOUND"
    assert code_of(store, None, {"documentId": 7}) == "BAD_REQUEST"


def test_trusted_mode_runs_registered_documents_only(tmp_path: Path) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({sha256(QUERY): QUERY}), encoding="utf-8")
    store = DocumentStore(trusted=load_manifest(str(manifest)))
    assert store.resolve(None, {"documentId": sha256(QUERY)}) == QUERY
    assert store.resolve(None, {"documentId": "sha256:" + sha256(QUERY)}) == QUERY
    assert store.resolve(None, persisted(QUERY)) == QUERY
    assert store.resolve(QUERY, None) == QUERY
    assert code_of(store, "{ __typename }", {}) == "QUERY_NOT_IN_SAFELIST"
    assert code_of(store, None, persisted("{ x }")) == "PERSISTED_QUERY_NOT_FOUND"
    store.register("{ __typename }")
    assert code_of(store, "{ __typename }", {}) == "QUERY_NOT_IN_SAFELIST"


def test_a_manifest_entry_must_hash_to_its_key(tmp_path: Path) -> None:
    manifest = tmp_path / "bad.json"
    manifest.write_text(json.dumps({sha256("{ a }"): "{ b }"}), encoding="utf-8")
    with pytest.raises(ValueError, match="not the sha256"):
        load_manifest(str(manifest))
