"""placeholder"""

from __future__ import annotations
from pathlib import Path
from typing import Any


def write_report(figures: dict[str, Any], out: Path) -> None:
    pass
