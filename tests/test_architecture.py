"""The dependency rules of DESIGN.md, checked by reading every module's imports."""

from __future__ import annotations

import ast
import sys
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
    "types",
    "typing",
    "uuid",
}
FRAMEWORKS = {
    "strawberry",
    "starlette",
    "graphql",
    "cross_web",
    "uvicorn",
    "redis",
    "httpx",
    "aiodataloader",
}
COMPOSITION_ROOT = {"graph/app.py", "graph/wiring.py"}


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    return skipped


def imported(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        # `from graph.domain import ids` imports the module graph.domain.ids.
        return {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return set()


def runtime_imports(path: Path) -> set[str]:
    """Modules imported at run time (imports under TYPE_CHECKING are annotations only)."""
    tree = parse(path)
    skipped = type_checking_nodes(tree)
    return {name for node in ast.walk(tree) if id(node) not in skipped for name in imported(node)}


def top_level_imports(path: Path) -> set[str]:
    """Imports at module level: what importing the module runs (not those inside functions)."""
    tree = parse(path)
    skipped = type_checking_nodes(tree)
    return {name for node in tree.body if id(node) not in skipped for name in imported(node)}


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_tree_has_modules_to_check() -> None:
    for folder in ("sources", "graph/domain", "graph/http", "graph/types", "sandbox"):
        assert modules(folder), folder


@pytest.mark.parametrize("path", modules("sources"), ids=rel)
def test_sources_never_import_graph_or_strawberry(path: Path) -> None:
    assert not {top(n) for n in runtime_imports(path)} & {"graph", "strawberry", "starlette"}


@pytest.mark.parametrize(
    "path",
    [*sorted((ROOT / "sources" / "base").glob("*.py")), ROOT / "sources" / "errors.py"],
    ids=rel,
)
def test_source_contract_uses_the_standard_library_only(path: Path) -> None:
    imported_names = {n for n in runtime_imports(path) if not n.startswith("sources.base")}
    assert {top(n) for n in imported_names} <= STDLIB


@pytest.mark.parametrize("path", modules("sources"), ids=rel)
def test_adapters_never_import_each_other(path: Path) -> None:
    # Shared code lives in the contract modules and in private `sources/_*.py` helpers.
    contract = {"sources", "sources.base", "sources.errors", "sources.network", "sources.events"}
    contract |= {"sources.transport"}
    contract |= {f"sources.base.{p.stem}" for p in (ROOT / "sources" / "base").glob("*.py")}
    own = {n for n in runtime_imports(path) if top(n) == "sources" and n.count(".") == 1}
    # Private modules may sit in a package too (sources/events/_connection.py).
    foreign = {n for n in own - contract if not any(p.startswith("_") for p in n.split(".")[1:])}
    assert not foreign, f"{path.name} imports {foreign}"


@pytest.mark.parametrize("path", modules("sources/journal"), ids=rel)
def test_the_journal_is_self_contained(path: Path) -> None:
    # Its own modules import each other relatively; nothing of the adapters or transport.
    allowed = set(sys.stdlib_module_names) | {"sqlalchemy", "alembic", "cryptography"}
    assert {top(n) for n in runtime_imports(path)} <= allowed


@pytest.mark.parametrize("path", modules("graph/domain"), ids=rel)
def test_domain_imports_no_framework(path: Path) -> None:
    found = {top(n) for n in runtime_imports(path)} & FRAMEWORKS
    assert not found, f"{rel(path)} imports {found}"
    layers = {n for n in runtime_imports(path) if top(n) == "graph"}
    assert all(n.startswith("graph.domain") for n in layers), layers


@pytest.mark.parametrize("path", modules("graph/http"), ids=rel)
def test_http_never_imports_resolvers(path: Path) -> None:
    assert not {n for n in runtime_imports(path) if n.startswith("graph.resolvers")}


@pytest.mark.parametrize("path", modules("graph/types"), ids=rel)
def test_types_import_strawberry_records_and_domain_only(path: Path) -> None:
    for name in runtime_imports(path):
        if top(name) in STDLIB | {"strawberry"} or name.startswith("sources.base"):
            continue
        assert name.startswith(("graph.types", "graph.domain")), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("graph/resolvers"), ids=rel)
def test_resolvers_never_reach_adapters_httpx_or_redis(path: Path) -> None:
    for name in runtime_imports(path):
        assert top(name) not in {"httpx", "redis", "aiodataloader"}, name
        if top(name) == "sources":
            assert name.startswith(("sources.base", "sources.errors", "sources.network")), name


@pytest.mark.parametrize(
    "path", [p for p in modules("graph") if rel(p) not in COMPOSITION_ROOT], ids=rel
)
def test_only_the_composition_root_imports_private_sources_modules(path: Path) -> None:
    private = {n for n in runtime_imports(path) if n.startswith("sources._")}
    assert not private, f"{rel(path)} imports {private}; use sources.transport"


@pytest.mark.parametrize(
    "path",
    [p for p in modules("graph") if rel(p) not in COMPOSITION_ROOT and p.parent.name != "cli"],
    ids=rel,
)
def test_only_the_composition_root_wires_adapters_and_redis(path: Path) -> None:
    concrete = {"sources.pvog", "redis", "redis.asyncio", "httpx", "sandbox"}
    found = {n for n in runtime_imports(path) if n in concrete or top(n) in {"redis", "sandbox"}}
    assert not found, found


def test_graph_keeps_at_most_fifteen_modules_at_its_top() -> None:
    direct = sorted(p.name for p in (ROOT / "graph").glob("*.py"))
    assert len(direct) <= 15, direct


def test_no_import_cycle_among_graph_and_sources_at_run_time() -> None:
    paths = {module_name(p): p for p in [*modules("graph"), *modules("sources")]}
    edges = {
        name: {n for n in runtime_imports(path) if n in paths and n != name}
        for name, path in paths.items()
    }
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        assert name not in visiting, " → ".join([*visiting[visiting.index(name) :], name])
        visiting.append(name)
        for target in sorted(edges[name]):
            visit(target)
        visiting.pop()
        done.add(name)

    for name in sorted(paths):
        visit(name)


@pytest.mark.parametrize("path", modules("sandbox"), ids=rel)
def test_sandbox_never_imports_the_gateway(path: Path) -> None:
    assert not {top(n) for n in runtime_imports(path)} & {"graph", "sources"}


@pytest.mark.parametrize("path", modules("graph/cli"), ids=rel)
def test_the_cli_imports_the_sandbox_only_inside_the_commands_that_run_it(path: Path) -> None:
    assert not {n for n in top_level_imports(path) if top(n) == "sandbox"}


def test_the_commands_that_run_the_sandbox_still_import_it() -> None:
    # Not vacuous: `dev` and `sandbox` do import it, inside the command.
    for command in ("dev.py", "sandbox.py"):
        found = runtime_imports(ROOT / "graph" / "cli" / command)
        assert {n for n in found if top(n) == "sandbox"}, command
