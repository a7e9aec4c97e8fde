"""placeholder"""
from __future__ import annotations
import argparse
from typing import Any
from bench.procs import Sandbox
async def live_figures(opts: argparse.Namespace, sandbox: Sandbox) -> dict[str, Any]:
    return {}
