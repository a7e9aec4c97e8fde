"""`portalgraph check-config`: everything the gateway would refuse at start, said up front.

Settings errors (`SettingsError`, including "more than one replica needs Redis") and
network file errors (`NetworkConfigError`, with file and line) are raised by their own
modules; this adds what only shows when adapters are wired: secrets named in the network
file but missing from the environment, an unreadable trusted-documents manifest. Warnings
(production without a shared audit key, ...) do not fail the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.extensions.documents import load_manifest
from graph.ops.journal import problems as journal_problems
from graph.server import worker_count
from graph.settings import PREFIX, Settings
from sources.network import Network, load_network
from sources.topology import check_topology, network_file_version


@dataclass(slots=True)
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def secret_names(network: Network) -> list[tuple[str, str]]:
    """(where, variable) for every secret the network file refers to."""
    found = []
    if network.identity is not None:
        found.append(("[identity]", network.identity.client_secret_env))
    for portal in network.portals:
        for capability, endpoint in portal.endpoints.items():
            where = f"portal {portal.id!r} {capability.value}"
            for name in (endpoint.client_secret_env, endpoint.callback_secret_env):
                if name:
                    found.append((where, name))
    return found


def check(settings: Settings) -> Report:
    server, ops = settings.server, settings.ops
    report = Report()
    report.lines.append(
        f"settings ok (profile {server.profile}, {ops.replicas} replica(s),"
        f" {worker_count(server.workers)} worker(s),"
        f" redis {'configured' if server.redis_url else 'off'},"
        f" journal {'SQLite' if settings.journal.is_sqlite else 'PostgreSQL'},"
        f" tracing {'to ' + ops.otel_endpoint if ops.otel_endpoint else 'off'})"
    )
    if network_file_version(server.network) == 2:
        found = check_topology(server.network, settings.secrets)
        report.lines += found.lines
        report.problems += found.problems
    else:
        _check_v1(load_network(server.network), report, settings.secrets)
    report.problems += journal_problems(settings)
    if settings.limits.trusted_documents:
        try:
            load_manifest(settings.limits.trusted_documents)
        except (OSError, ValueError) as exc:
            report.problems.append(f"{PREFIX}TRUSTED_DOCUMENTS: {exc}")
    if settings.is_production:
        if not ops.audit_key:
            report.warnings.append(
                f"{PREFIX}AUDIT_KEY is unset: audit pseudonyms differ per process and restart"
            )
        if ops.shutdown_delay == 0:
            report.warnings.append(
                f"{PREFIX}SHUTDOWN_DELAY is 0: a load balancer may still send requests"
                " after the listener closed"
            )
    return report


def _check_v1(network: Network, report: Report, environ: Mapping[str, str]) -> None:
    report.lines.append(f"{network.source}: {len(network.portals)} portals")
    for portal in network.portals:
        capabilities = ", ".join(c.value for c in portal.capabilities) or "none"
        report.lines.append(
            f"  {portal.id:<12} {portal.tier.value:<10} {portal.ars}  {capabilities}"
        )
    for where, name in secret_names(network):
        if not environ.get(name):
            report.problems.append(f"{network.source}: {where} needs environment variable {name}")
