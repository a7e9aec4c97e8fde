"""The SourceError tree: every subclass in sources/errors.py and drawn in its docstring."""

from __future__ import annotations

import ast
from pathlib import Path

import sources.errors
from sources.base import Capability, ErrorCode, UpstreamRef
from sources.errors import (
    SourceError,
    SourceRateLimitedError,
    SourceRejectedError,
    error_for_status,
)

ROOT = Path(__file__).resolve().parents[3]
KOELN = UpstreamRef("koeln", Capability.SERVICES)


def subclasses(kind: type[SourceError]) -> set[type[SourceError]]:
    found: set[type[SourceError]] = set(kind.__subclasses__())
    return found | {deeper for sub in found for deeper in subclasses(sub)}


def test_every_source_error_lives_in_errors_py_and_its_tree() -> None:
    defined_elsewhere = []
    for path in sorted((ROOT / "sources").rglob("*.py")):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).endswith("Error") and ast.unparse(base).startswith("Source")
                for base in node.bases
            ):
                defined_elsewhere.append(f"{path.name}: {node.name}")
    assert not defined_elsewhere
    tree = sources.errors.__doc__ or ""
    for kind in subclasses(SourceError) | {SourceError}:
        if kind.__module__ == "sources.errors":
            assert kind.__name__ in tree, kind.__name__
            assert isinstance(kind.code, ErrorCode)


def test_statuses_become_the_most_specific_error_carrying_its_upstream() -> None:
    limited = error_for_status(429, upstream=KOELN, retry_after=3.0)
    assert isinstance(limited, SourceRateLimitedError)
    assert (limited.upstream, limited.portal_id, limited.capability) == (
        KOELN,
        "koeln",
        Capability.SERVICES,
    )
    assert limited.retry_after == 3.0
    refused = error_for_status(422, upstream=KOELN, functional_code="PAYMENT_EXISTS")
    assert isinstance(refused, SourceRejectedError)
    assert (refused.status, refused.functional_code) == (422, "PAYMENT_EXISTS")
    assert str(refused) == "koeln/services answered HTTP 422"
    codes = [error_for_status(s, upstream=KOELN).code for s in (401, 404, 408, 500)]
    assert codes == [
        ErrorCode.UPSTREAM_AUTH_FAILED,
        ErrorCode.UPSTREAM_NOT_FOUND,
        ErrorCode.UPSTREAM_TIMEOUT,
        ErrorCode.UPSTREAM_UNAVAILABLE,
    ]
