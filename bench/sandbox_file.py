"""The v1 sandbox started in this process, with the network file a gateway reads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sandbox.runner import IDP_SECRET, IDP_SECRET_ENV, SandboxNetwork, callback_secrets


async def started_sandbox(sandbox: SandboxNetwork | None = None) -> tuple[SandboxNetwork, Path]:
    """Start `sandbox` (default: a fresh one); its secrets go into the environment the
    gateway reads, its network file into a temporary folder. Stop it with `sandbox.stop()`."""
    os.environ.setdefault(IDP_SECRET_ENV, IDP_SECRET)
    for name, secret in callback_secrets().items():
        os.environ.setdefault(name, secret)
    sandbox = sandbox or SandboxNetwork()
    await sandbox.start()
    path = Path(tempfile.mkdtemp()) / "network.toml"
    path.write_text(sandbox.network_toml(), encoding="utf-8")
    return sandbox, path
