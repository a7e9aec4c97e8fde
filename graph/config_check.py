"""`portalgraph check-config`: everything the gateway would refuse at start, said up front.

Settings errors (`SettingsError`, including "more than one replica needs Redis") and
network file problems (version 2: every one with file, line and key, and the secrets it
names but the environment lacks; a version 1 file: what moved where) come from
`sources.topology.check_topology`; this adds the journal and an unreadable
trusted-documents manifest. Warnings
(production without a shared audit key, ...) do not fail the check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.extensions.documents import load_manifest
from graph.ops.journal import problems as journal_problems
from graph.server import worker_count
from graph.settings import PREFIX, Settings
from sources.topology import check_topology


@dataclass(slots=True)
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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
    # Version 2 only: a version 1 file is one problem saying what moved where (V1_MOVES).
    found = check_topology(server.network, settings.secrets)
    report.lines += found.lines
    report.problems += found.problems
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
