"""The docs' shell snippet that starts the topology sandbox, run as a reader would.

docs/sandbox.md starts `portalgraph sandbox` (it serves until Ctrl-C, so the snippet runner
of tests/e2e/test_docs_snippets.py leaves it out) and then checks the network file it wrote
with the env file beside it. Here the first line runs in the background until it prints
where its env file is, then the block's other lines run in a second shell, then SIGTERM
ends the sandbox. `/tmp/pg` becomes the test's own folder.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

from sandbox.key_cache import CACHE_ENV
from tests.helpers.docs import ROOT, Block, all_blocks

READY = "Env file:"
START_TIMEOUT_S = 180  # all 396 municipalities; the first start in a process makes keys


def sandbox_block() -> Block:
    found = [b for b in all_blocks("sh") if "portalgraph sandbox --municipalities" in b.text]
    assert len(found) == 1, [b.name for b in found]
    assert found[0].not_run is not None
    assert "test_server_snippets" in found[0].not_run  # its marker sends readers here
    return found[0]


def commands(block: Block, folder: Path) -> tuple[str, str]:
    """(the server's command, the lines after it) with /tmp/pg made the test's folder."""
    lines = [line for line in block.text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.lstrip().startswith("#")]
    example = "/tmp/pg"  # noqa: S108 - the docs' example folder, replaced by the test's own
    own = [line.replace(example, str(folder / "pg")) for line in lines]
    return own[0], "\n".join(own[1:])


def lines_of(process: subprocess.Popen[str]) -> tuple[queue.Queue[str], threading.Thread]:
    """Its output lines as they come (a thread reads them until the process ends)."""
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            found.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return found, reader


def wait_for(lines: queue.Queue[str], text: str, process: subprocess.Popen[str]) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT_S
    while not any(line.startswith(text) for line in seen):
        assert process.poll() is None, "".join(seen)
        assert time.monotonic() < deadline, "".join(seen)
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            continue
    return seen


def test_the_sandbox_snippet_serves_a_network_that_check_config_accepts(tmp_path: Path) -> None:
    server, after = commands(sandbox_block(), tmp_path)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    # A reader's shell, with the session's sandbox keys (tests/conftest.py) to start faster.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), CACHE_ENV: os.environ[CACHE_ENV]}
    with subprocess.Popen(  # noqa: S603 - bash running our own docs' snippet
        ["/bin/bash", "-c", f"exec {server}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        lines, reader = lines_of(process)
        try:
            printed = wait_for(lines, READY, process)
            assert any(line.startswith("Demo citizens") for line in printed), printed
            done = subprocess.run(  # noqa: S603 - bash running our own docs' snippet
                ["/bin/bash", "-c", after],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            assert "network file version 2" in done.stdout
            assert "395 municipalities" in done.stdout  # all of NRW's but Köln: one platform
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)
            reader.join(timeout=10)  # the output ended with the process
    assert code == 0, "SIGTERM ends the sandbox cleanly"
