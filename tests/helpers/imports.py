"""Reading a module's imports with `ast`, for tests/test_architecture.py's dependency rules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    return skipped


def imported(node: ast.AST, package: str) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if not isinstance(node, ast.ImportFrom):
        return set()
    module = node.module or ""
    if node.level:  # `from .store import X` in sources/journal/ is sources.journal.store
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join([*base, *([module] if module else [])])
    # `from graph.domain import ids` imports the module graph.domain.ids.
    return {module} | {f"{module}.{alias.name}" for alias in node.names}


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).parent.parts)


def runtime_imports(path: Path) -> set[str]:
    """Modules imported at run time (imports under TYPE_CHECKING are annotations only)."""
    tree = parse(path)
    skipped = type_checking_nodes(tree)
    package = package_of(path)
    return {
        name
        for node in ast.walk(tree)
        if id(node) not in skipped
        for name in imported(node, package)
    }


def top_level_imports(path: Path) -> set[str]:
    """Imports at module level: what importing the module runs (not those inside functions)."""
    tree = parse(path)
    skipped = type_checking_nodes(tree)
    package = package_of(path)
    return {
        name for node in tree.body if id(node) not in skipped for name in imported(node, package)
    }


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
