"""What `portalgraph check-config` says about a version 2 network file.

Parse problems come with file, line and key (all of them, not just the first); then
every secret the file names is looked up in the given environment, and files named by
`*_file_env` variables (client certificates, keys, CA bundles) must be readable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import TYPE_CHECKING

from sources._toml_lines import LineMap, Path, render
from sources.base.upstream_auth import UpstreamAuth

if TYPE_CHECKING:
    from sources.topology import Topology


@dataclass(slots=True)
class TopologyReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def summary(topology: Topology, portal_count: int) -> list[str]:
    fit = topology.fitconnect
    tenants = sum(len(p.tenants) for p in topology.payment_providers)
    platforms = [e for e in topology.portals if e.is_platform]
    lines = [
        f"{topology.source}: network file version 2",
        f"  pvog        {topology.pvog.url}"
        f" (useArsHierarchy={'true' if topology.pvog.use_ars_hierarchy else 'false'})",
        f"  fitconnect  {fit.submission_url} (api {fit.api},"
        f" {len(fit.submission_hosts)} submission host(s)), routing {fit.routing_url}",
        f"  identity    {topology.identity.issuer if topology.identity else 'none (public data only)'}",
        f"  payments    {len(topology.payment_providers)} provider(s), {tenants} tenant(s)",
        f"  portals     {len(topology.portals)} entr(y/ies), {portal_count} portal(s) in the graph",
    ]
    for entry in platforms:
        served = f"{len(entry.serves)} municipalities" if entry.serves else "ars_prefix "
        lines.append(f"    platform {entry.id}: {served}{entry.ars_prefix or ''}")
    return lines


def auth_tables(topology: Topology) -> Iterator[tuple[Path, UpstreamAuth]]:
    if topology.pvog.auth:
        yield ("pvog", "auth"), topology.pvog.auth
    if topology.fitconnect.auth:
        yield ("fitconnect", "auth"), topology.fitconnect.auth
    if topology.fitconnect.routing_auth:
        yield ("fitconnect", "routing_auth"), topology.fitconnect.routing_auth
    for index, provider in enumerate(topology.payment_providers):
        if provider.auth:
            yield ("payment_providers", index, "auth"), provider.auth
    for index, entry in enumerate(topology.portals):
        for name, api in (("accounts", entry.accounts), ("inbox", entry.inbox)):
            if api is not None and api.auth is not None:
                yield ("portals", index, name, "auth"), api.auth


def secret_problems(topology: Topology, lines: LineMap, environ: Mapping[str, str]) -> list[str]:
    named: list[tuple[Path, str]] = []
    if topology.identity is not None:
        named.append((("identity", "client_secret_env"), topology.identity.client_secret_env))
    for path, auth in auth_tables(topology):
        named += [((*path, *key.split(".")), env) for key, env in auth.secret_names()]
    problems = []
    for path, env in named:
        where = _where(topology.source, lines.line_of(path))
        value = environ.get(env)
        if not value:
            problems.append(f"{where}: {render(path)}: environment variable {env} is not set")
        elif str(path[-1]).endswith("_file_env") and not _readable(value):
            problems.append(
                f"{where}: {render(path)}: {env} names a file that cannot be read ({value})"
            )
    return problems


def _readable(name: str) -> bool:
    try:
        with FilePath(name).open("rb"):
            return True
    except OSError:
        return False


def _where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source
