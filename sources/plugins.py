"""Adapters from other packages, found through entry points (group `portalgraph.sources`).

A package declares `[project.entry-points."portalgraph.sources"] my-accounts =
"my_package:factory"`; the network file (version 2) names it in a `[[portals]]` entry's
`accounts` or `inbox` table (`adapter = "my-accounts"`). The factory gets an
`AdapterContext` and returns an object implementing that capability's Protocol from
`sources.base`. docs/submissions.md ("Plug-in adapters") walks through one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import httpx

from sources.base import Capability, EndpointRecord, PortalRecord

GROUP = "portalgraph.sources"
# The methods each pluggable capability must offer (its Protocol in sources.base).
REQUIRED_METHODS = {
    Capability.SERVICES: ("search", "service", "organisations", "regions"),
    Capability.ACCOUNTS: ("account", "applications", "link_payment"),
    Capability.INBOX: ("messages", "status_updates", "mark_read", "attachment"),
}


class PluginError(ValueError):
    """A named adapter is missing, fails to load, or does not implement its Protocol."""


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """What a factory gets: its portal, the capability's network-file entry, the HTTP client.

    Raise `sources.errors.SourceError` subclasses from the adapter; anything else is
    masked as an internal error.
    """

    portal: PortalRecord
    capability: Capability
    endpoint: EndpointRecord
    client: httpx.AsyncClient


def installed() -> list[str]:
    return sorted(ep.name for ep in entry_points(group=GROUP))


def load_adapter(context: AdapterContext) -> Any:
    """The adapter named by `context.endpoint.adapter`, built and checked."""
    name = context.endpoint.adapter
    required = REQUIRED_METHODS.get(context.capability)
    if name is None or required is None:
        raise PluginError(f"{context.capability.value}: no plug-in adapters for this capability")
    importlib.invalidate_caches()  # a package installed after start-up is found too
    found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not found:
        raise PluginError(
            f"no adapter {name!r} in entry point group {GROUP} (installed: {installed() or 'none'})"
        )
    try:
        factory: Callable[[AdapterContext], Any] = found[0].load()
        adapter = factory(context)
    except Exception as exc:  # a foreign package: any failure is a configuration error
        raise PluginError(f"adapter {name!r} failed to load: {exc!r}") from exc
    missing = [m for m in required if not callable(getattr(adapter, m, None))]
    if missing:
        raise PluginError(f"adapter {name!r} lacks {', '.join(missing)}")
    return adapter
