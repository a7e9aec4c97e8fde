"""Run the real JavaScript clients (tests/node, examples/web) against the test servers.

The npm packages come from committed lockfiles (`npm ci`); `make test` installs them and
so does the first test that needs them, once per lockfile change. Without node the tests
skip, except in CI, where a missing node is a broken machine rather than a choice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_TESTS = ROOT / "tests" / "node"
STAMP = ".portalgraph-installed"


def require_node() -> str:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are required in CI for the client interop tests")
        pytest.skip("node/npm not installed: the JavaScript client interop tests need them")
    return node


def npm_ci(folder: Path) -> None:
    """Install `folder`'s locked packages unless they are installed already (stamp file)."""
    stamp = folder / "node_modules" / STAMP
    lock = folder / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    require_node()
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],  # noqa: S607 - npm from PATH
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=300,
    )
    stamp.touch()


def run_node(
    script: str,
    *args: str,
    folder: Path = NODE_TESTS,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    node = require_node()
    npm_ci(folder)
    result = subprocess.run(  # noqa: S603 - our own scripts with test-chosen arguments
        [node, script, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    return result


def node_json(script: str, *args: str, folder: Path = NODE_TESTS, timeout: float = 60) -> Any:
    """Run a script that reports one JSON document as its last line of output."""
    output = run_node(script, *args, folder=folder, timeout=timeout).stdout.strip()
    return json.loads(output.splitlines()[-1])
