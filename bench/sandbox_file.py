"""The topology sandbox started in this process, with the network file a gateway reads."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox.runner import callback_secrets
from sandbox.topology_runner import TopologySandbox


async def started_sandbox(municipalities: int = 4) -> tuple[TopologySandbox, Path]:
    """A fresh topology sandbox (network file v2); its network file and secrets go into the
    environment the gateway reads (`Settings.from_env()`), replacing those of any sandbox
    started before in this process (`bench.dashboard --journal both` starts two). Stop it with `sandbox.stop()`. Its servers'
    control API needs `bench.sandbox_proc.control_tls(sandbox.folder)` (one is mutual TLS)."""
    sandbox = TopologySandbox(municipalities=municipalities)
    await sandbox.start()
    for name, secret in {**sandbox.env(), **callback_secrets()}.items():
        os.environ[name] = secret
    return sandbox, sandbox.network_file
