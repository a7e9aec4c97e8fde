"""Run the docs' shell snippets as a reader would, but against the test servers.

A snippet runs in bash in a work directory that looks like the repository root after
`make run`: a `network.toml` (the test sandbox's) and a `.venv` link. The local gateway
address is replaced by the test gateway's. `.venv/bin/python -m bench.…` commands run with
`--help` (a benchmark takes minutes), and the options the docs name must exist.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.docs import ROOT

LOCAL_GATEWAY = "http://127.0.0.1:8000"
BENCH = re.compile(r"^(\.venv/bin/python -m bench\.\w+)(.*)$")


@dataclass(frozen=True, slots=True)
class Command:
    script: str
    expected: list[str] = field(default_factory=list)  # output lines a console block shows


def needs_curl(text: str) -> None:
    if "curl " in text and shutil.which("curl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("curl is missing; CI must have it to run the docs' shell snippets")
        pytest.skip("curl is not installed; the docs' curl snippets cannot run here")


def work_directory(path: Path, network_toml: Path) -> Path:
    shutil.copy(network_toml, path / "network.toml")
    (path / ".venv").symlink_to(ROOT / ".venv")
    return path


def environment(network_toml: Path, **extra: str) -> dict[str, str]:
    """A reader's shell: no PORTALGRAPH_* settings, only the secrets the network file names."""
    names: set[str] = set()

    def collect(table: object) -> None:
        if isinstance(table, dict):
            for key, value in table.items():
                if key.endswith("_env") and isinstance(value, str):
                    names.add(value)
                collect(value)
        elif isinstance(table, list):
            for item in table:
                collect(item)

    collect(tomllib.loads(network_toml.read_text(encoding="utf-8")))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTALGRAPH_") or k in names}
    env.update(PYTHONPATH=str(ROOT), NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1")
    env.update(extra)
    return env


def sh_commands(text: str, gateway_url: str) -> tuple[list[Command], list[str]]:
    """One command for the whole block, and the benchmark options it must offer."""
    options: list[str] = []
    lines = []
    for line in text.replace(LOCAL_GATEWAY, gateway_url).splitlines():
        bench = BENCH.match(line)
        if bench:
            options += re.findall(r"--[\w-]+", bench[2])
        lines.append(bench[1] + " --help" if bench else line)
    return [Command("\n".join(lines))], options


def console_commands(text: str, gateway_url: str) -> list[Command]:
    """`$ ` lines are commands; the lines after one are output it must print."""
    commands: list[Command] = []
    for line in text.replace(LOCAL_GATEWAY, gateway_url).splitlines():
        if line.startswith("$ "):
            commands.append(Command(line[2:]))
        elif line.strip():
            assert commands, f"output before the first command: {line!r}"
            commands[-1].expected.append(line)
    return commands


def run(command: Command, cwd: Path, env: Mapping[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - bash with our own docs' snippet
        ["/bin/bash", "-euo", "pipefail", "-c", command.script],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{command.script}\nexit {done.returncode}\n{done.stderr}"
    assert done.stdout.strip(), f"{command.script} printed nothing"
    for expected in command.expected:
        shown = expected.split("…", 1)[0]  # "…" ends what the docs show of a line
        assert shown in done.stdout, f"{command.script}: {shown!r} not in\n{done.stdout}"
    return done.stdout
