"""The dependency rules of DESIGN.md, checked by reading every module's imports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.helpers.imports import (
    ROOT,
    module_name,
    modules,
    package_of,
    rel,
    runtime_imports,
    top,
    top_level_imports,
)

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
    "aiohttp",
    "aiodataloader",
}


def in_composition_root(path: Path) -> bool:
    return rel(path) == "graph/app.py" or rel(path).startswith("graph/wiring/")


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
    names, package = runtime_imports(path), package_of(path)
    if package != "sources":  # a package's modules import each other (sources/journal/)
        names = {n for n in names if n != package and not n.startswith(package + ".")}
    own = {n for n in names if top(n) == "sources" and n.count(".") == 1}
    # Private modules may sit in a package too (sources/events/_connection.py).
    foreign = {n for n in own - contract if not any(p.startswith("_") for p in n.split(".")[1:])}
    assert not foreign, f"{path.name} imports {foreign}"


@pytest.mark.parametrize("path", modules("sources/journal"), ids=rel)
def test_the_journal_is_self_contained(path: Path) -> None:
    # Its own modules import each other relatively; nothing of the adapters or transport.
    allowed = set(sys.stdlib_module_names) | {"sqlalchemy", "alembic", "cryptography"}
    foreign = {n for n in runtime_imports(path) if not n.startswith("sources.journal")}
    assert {top(n) for n in foreign} <= allowed


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
        assert top(name) not in {"httpx", "aiohttp", "redis", "aiodataloader"}, name
        if top(name) == "sources":
            assert name.startswith(("sources.base", "sources.errors", "sources.network")), name


@pytest.mark.parametrize(
    "path", [p for p in modules("graph") if not in_composition_root(p)], ids=rel
)
def test_only_the_composition_root_imports_private_sources_modules(path: Path) -> None:
    private = {n for n in runtime_imports(path) if n.startswith("sources._")}
    assert not private, f"{rel(path)} imports {private}; use sources.transport"


@pytest.mark.parametrize(
    "path",
    [p for p in modules("graph") if not in_composition_root(p) and p.parent.name != "cli"],
    ids=rel,
)
def test_only_the_composition_root_wires_adapters_and_redis(path: Path) -> None:
    concrete = {"sources.pvog", "redis", "redis.asyncio", "httpx", "aiohttp", "sandbox"}
    found = {n for n in runtime_imports(path) if n in concrete or top(n) in {"redis", "sandbox"}}
    assert not found, found


def test_graph_keeps_at_most_fifteen_modules_at_its_top() -> None:
    direct = sorted(p.name for p in (ROOT / "graph").glob("*.py"))
    assert len(direct) <= 15, direct


def test_no_import_cycle_among_graph_and_sources_at_run_time() -> None:
    paths = {module_name(p): p for p in [*modules("graph"), *modules("sources")]}
    edges = {
        # A module's own packages are initialised before it runs: no edge back to them.
        name: {
            n for n in runtime_imports(path) if n in paths and not f"{name}.".startswith(f"{n}.")
        }
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


def test_unit_tests_mirror_the_packages() -> None:
    # tests/unit/graph/http/ holds the tests of graph/http/, and so on: no folder of its own.
    folders = [p for p in (ROOT / "tests" / "unit").rglob("*") if p.is_dir()]
    folders = [p for p in folders if p.name != "__pycache__"]
    assert folders
    for folder in folders:
        package = ROOT / folder.relative_to(ROOT / "tests" / "unit")
        assert (package / "__init__.py").is_file(), f"{rel(folder)} mirrors no package"


@pytest.mark.parametrize("path", modules("bench"), ids=rel)
def test_bench_imports_no_test_module(path: Path) -> None:
    # Server helpers come from graph/testing.py; from tests/ only the shared helpers.
    found = {n for n in runtime_imports(path) if top(n) == "tests"}
    assert all(n.startswith("tests.helpers") for n in found), found
