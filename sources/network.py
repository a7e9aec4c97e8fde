"""The error every network file problem raises, and how a version 1 file is recognised.

The gateway reads version 2 only (`sources.topology`, docs/topology.md). A version 1
file (one `[[portals]]` table per portal with every capability beneath it, `[routing]`
network-wide) is refused at `portalgraph check-config` and at start-up with one message
saying what moved where (`V1_MOVES`); its parser is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

V1_MOVES = (
    "this is a version 1 network file; version 2 describes the real topology."
    " What moved: every portal's services → one [pvog] (the Suchdienst does the ARS"
    " inheritance); status and submissions → one [fitconnect] (Submission API, Routing API,"
    " Self-Service-Portal keys); [routing] → [fitconnect] routing_url; payments →"
    " [[payment_providers]] with tenants by ARS prefix; client_id/client_secret_env/audience"
    " → an auth table per upstream ([pvog.auth], [fitconnect.auth], ...); [[portals]] keeps"
    " only accounts and inbox, and one entry may serve many municipalities (serves ="
    " [...] or ars_prefix). Add version = 2 at the top. See docs/topology.md."
)


class NetworkConfigError(ValueError):
    """A network file problem, with the file and (where known) the line."""

    def __init__(self, path: str, problem: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line


def is_version_1(document: Mapping[str, Any]) -> bool:
    """`version = 1`, or no `version` and version 1's tables: `[[portals]]` (each with
    its capabilities) or the network-wide `[routing]`."""
    version = document.get("version")
    return version == 1 or (version is None and ("portals" in document or "routing" in document))
