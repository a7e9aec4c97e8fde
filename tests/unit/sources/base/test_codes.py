"""Every `extensions.code` comes from the one `ErrorCode` enum, and every member is used.

The scan reads the AST of graph/ and sources/: a string literal spelling a member's value
outside sources/base/codes.py, or any string literal where a code is set (`code=`,
`code = ...`, `{"code": ...}`, `code == ...`), bypasses the enum.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sources.base import ERROR_MEANINGS, ErrorCode

ROOT = Path(__file__).resolve().parents[4]
CODES = ROOT / "sources" / "base" / "codes.py"
VALUES = {member.value for member in ErrorCode}
# The journal's own codes (JOURNAL_*) label its failures in metrics and logs, never a
# client's `extensions.code`; the package is self-contained (it imports nothing from the
# rest of sources/, tests/test_architecture.py), so it cannot use the enum.
JOURNAL = ROOT / "sources" / "journal"


def sources_of_the_product() -> list[Path]:
    # sources/journal's `code` attributes label metrics and logs (a JournalError never
    # reaches a client as such), and the journal imports nothing of sources.base by design.
    journal = ROOT / "sources" / "journal"
    found = [*(ROOT / "graph").rglob("*.py"), *(ROOT / "sources").rglob("*.py")]
    return sorted(p for p in found if journal not in p.parents)


def is_code_target(node: ast.AST) -> bool:
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
    return name == "code"


def literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def bypasses(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (text := literal(node)) in VALUES:
            found.append((node.lineno, f"literal {text!r}"))  # type: ignore[attr-defined]
        elif isinstance(node, ast.keyword) and node.arg == "code" and literal(node.value):
            found.append((node.value.lineno, "code= with a string"))
        elif isinstance(node, ast.Assign | ast.AnnAssign) and literal(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(is_code_target(t) for t in targets):
                found.append((node.lineno, "code = a string"))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if literal(key) == "code" and literal(value):
                    found.append((value.lineno, '{"code": a string}'))
        elif (
            isinstance(node, ast.Compare)
            and is_code_target(node.left)
            and any(literal(c) for c in node.comparators)
        ):
            found.append((node.lineno, "code compared with a string"))
    return found


def test_no_code_string_bypasses_the_enum() -> None:
    problems = {
        str(path.relative_to(ROOT)): found
        for path in sources_of_the_product()
        if path != CODES
        and JOURNAL not in path.parents
        and (found := bypasses(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert not problems, problems


def test_the_scan_finds_what_it_looks_for() -> None:
    sample = """
code = "RATE_LIMITED"
raise X(code="NEW_CODE")
body = {"code": "OTHER"}
if error.code == "ELSEWHERE": pass
"""
    assert sorted(line for line, _ in bypasses(ast.parse(sample))) == [2, 2, 3, 4, 5]


def test_every_member_is_used_and_explained() -> None:
    text = "\n".join(
        path.read_text(encoding="utf-8") for path in sources_of_the_product() if path != CODES
    )
    unused = [m.name for m in ErrorCode if f"ErrorCode.{m.name}" not in text]
    assert not unused, unused
    assert set(ERROR_MEANINGS) == set(ErrorCode)
    assert all(meaning.strip() and "\n" not in meaning for meaning in ERROR_MEANINGS.values())


def test_every_code_is_documented_for_clients() -> None:
    # docs/errors.md is the client's reference: a new code without a row there fails here.
    page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = [c.value for c in ErrorCode if f"`{c.value}`" not in page]
    assert not missing, missing
