"""The dependency rules of DESIGN.md, checked by reading every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = {
    "__future__",
    "abc",
    "base64",
    "binascii",
    "collections",
    "contextlib",
    "dataclasses",
    "datetime",
    "email",
    "enum",
    "hashlib",
    "hmac",
    "json",
    "re",
    "typing",
    "uuid",
}


def runtime_imports(path: Path) -> set[str]:
    """Top-level modules imported at run time (imports under TYPE_CHECKING are annotations only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def test_the_tree_has_modules_to_check() -> None:
    assert modules("sources")
    assert modules("graph/types")
    assert modules("graph/resolvers")
    assert modules("sandbox")


@pytest.mark.parametrize("path", modules("sources"), ids=lambda p: p.name)
def test_sources_never_import_graph_or_strawberry(path: Path) -> None:
    assert not {top(n) for n in runtime_imports(path)} & {"graph", "strawberry", "starlette"}


@pytest.mark.parametrize(
    "path",
    [*sorted((ROOT / "sources" / "base").glob("*.py")), ROOT / "sources" / "errors.py"],
    ids=lambda p: p.name,
)
def test_source_contract_uses_the_standard_library_only(path: Path) -> None:
    imported = {n for n in runtime_imports(path) if not n.startswith("sources.base")}
    assert {top(n) for n in imported} <= STDLIB


@pytest.mark.parametrize("path", modules("sources"), ids=lambda p: p.name)
def test_adapters_never_import_each_other(path: Path) -> None:
    # Shared code lives in the contract modules and in private `sources/_*.py` helpers.
    contract = {"sources", "sources.base", "sources.errors", "sources.network", "sources.events"}
    contract |= {f"sources.base.{p.stem}" for p in (ROOT / "sources" / "base").glob("*.py")}
    own = {n for n in runtime_imports(path) if top(n) == "sources"}
    # Private modules may sit in a package too (sources/events/_connection.py).
    foreign = {n for n in own - contract if not any(p.startswith("_") for p in n.split(".")[1:])}
    assert not foreign, f"{path.name} imports {foreign}"


@pytest.mark.parametrize("path", modules("graph/types"), ids=lambda p: p.name)
def test_types_import_strawberry_and_records_only(path: Path) -> None:
    allowed = {"strawberry", "sources.base"}
    for name in runtime_imports(path):
        if top(name) in STDLIB or name in allowed or top(name) == "strawberry":
            continue
        assert name.startswith("graph.types."), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("graph/resolvers"), ids=lambda p: p.name)
def test_resolvers_never_reach_adapters_httpx_or_redis(path: Path) -> None:
    for name in runtime_imports(path):
        assert top(name) not in {"httpx", "redis", "aiodataloader"}, name
        if top(name) == "sources":
            assert name in {"sources.base", "sources.errors", "sources.network"}, name


@pytest.mark.parametrize(
    "path",
    [p for p in modules("graph") if p.name not in {"app.py", "wiring.py", "cli.py", "server.py"}],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_only_the_composition_root_wires_adapters_and_redis(path: Path) -> None:
    concrete = {"sources.pvog", "sources._http", "redis", "redis.asyncio", "httpx", "sandbox"}
    assert not {
        n for n in runtime_imports(path) if n in concrete or top(n) in {"redis", "sandbox", "httpx"}
    }


@pytest.mark.parametrize("path", modules("sandbox"), ids=lambda p: p.name)
def test_sandbox_never_imports_the_gateway(path: Path) -> None:
    assert not {top(n) for n in runtime_imports(path)} & {"graph", "sources"}
