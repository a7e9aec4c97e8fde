"""The environment is read in one place: graph/settings.py (DESIGN.md's dependency rules)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers.imports import ROOT, modules, parse, rel

# The environment is read by the settings alone, and written by one named exception:
# graph/ops/multiproc.py hands prometheus-client its PROMETHEUS_MULTIPROC_DIR, the only
# way prometheus-client takes it (read when it is first imported, in every spawned worker).
ENVIRONMENT_READERS = {"graph/settings.py", "graph/ops/multiproc.py"}
OS_ENVIRONMENT = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_uses(path: Path) -> set[str]:
    """`os.environ`, `os.getenv` and the like, however imported, anywhere in the module."""
    found: set[str] = set()
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Attribute) and node.attr in OS_ENVIRONMENT:
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                found.add(f"os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found |= {f"os.{a.name}" for a in node.names if a.name in OS_ENVIRONMENT}
    return found


@pytest.mark.parametrize("path", [*modules("graph"), *modules("sources")], ids=rel)
def test_only_the_settings_read_the_environment(path: Path) -> None:
    if rel(path) not in ENVIRONMENT_READERS:
        assert not environment_uses(path), f"{rel(path)}: read it from graph/settings.py"


def test_the_environment_readers_are_the_named_ones() -> None:
    # Not vacuous: the detector finds them; multiproc touches PROMETHEUS_MULTIPROC_DIR only.
    for name in ENVIRONMENT_READERS:
        assert environment_uses(ROOT / name), name
    multiproc = parse(ROOT / "graph" / "ops" / "multiproc.py")
    keys = {
        ast.unparse(node.slice if isinstance(node, ast.Subscript) else node.args[0])
        for node in ast.walk(multiproc)
        if (isinstance(node, ast.Subscript) and "environ" in ast.unparse(node.value))
        or (isinstance(node, ast.Call) and ast.unparse(node.func) == "os.environ.get")
    }
    assert keys == {"ENV"}, keys
    assert "ENV = 'PROMETHEUS_MULTIPROC_DIR'" in ast.unparse(multiproc)
