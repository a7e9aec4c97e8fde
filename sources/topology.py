"""Network file version 2: the Portalverbund as it is (docs/topology.md).

`[pvog]`, `[fitconnect]` and `[identity]` once; `[[payment_providers]]` with tenants by
ARS prefix; `[[portals]]` only for what is truly per portal (account areas, inboxes),
where one platform entry may serve hundreds of municipalities; `[defaults]` for the
resilience policy. Every problem is collected and reported with file, line and key.
A version 1 file is refused with what moved where.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path as FilePath
from typing import Any, TypeVar

from sources import _portal_entries, _topology_check, _topology_tables as tables
from sources._config_values import InvalidValueError, known_keys, table
from sources._policy import POLICY_KEYS, PolicyOverrides, UpstreamPolicy
from sources._toml_lines import LineMap, Path, render
from sources._topology_check import TopologyReport
from sources.base.portal_directory import PortalDirectory
from sources.base.tenants import TenantIndex
from sources.base.topology import (
    FitConnectRecord,
    IdentityProviderRecord,
    PaymentProviderRecord,
    PortalEntryRecord,
    PvogRecord,
)
from sources.network import V1_MOVES, NetworkConfigError, is_version_1

VERSION = 2
TOP_LEVEL = {
    "version",
    "pvog",
    "fitconnect",
    "identity",
    "payment_providers",
    "portals",
    "defaults",
}
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    line: int | None
    key: str
    message: str


class TopologyConfigError(NetworkConfigError):
    """All problems of one file; `str()` lists them one per line as `file:line: key: problem`."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(path, _format(first), line=first.line)
        self.problems = problems
        self.args = ("\n".join(f"{_where(path, p.line)}: {_format(p)}" for p in problems),)


def _where(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def _format(problem: Problem) -> str:
    return f"{problem.key}: {problem.message}" if problem.key else problem.message


@dataclass(frozen=True, slots=True)
class Topology:
    source: str
    pvog: PvogRecord
    fitconnect: FitConnectRecord
    identity: IdentityProviderRecord | None
    payment_providers: tuple[PaymentProviderRecord, ...]
    portals: tuple[PortalEntryRecord, ...]  # as written; `PortalDirectory` expands platforms
    tenants: TenantIndex
    defaults: PolicyOverrides = field(default_factory=dict)
    overrides: Mapping[str, PolicyOverrides] = field(default_factory=dict)  # upstream -> keys

    def policy(self, upstream: str, base: UpstreamPolicy) -> UpstreamPolicy:
        """`base` (settings), then `[defaults]`, then the upstream's own table.

        Upstream names: `pvog`, `fitconnect`, `payment_providers.<id>`,
        `portals.<id>.accounts`, `portals.<id>.inbox`.
        """
        specific = self.overrides.get(upstream, {})
        return base.with_overrides(self.defaults).with_overrides(specific)


def load_topology(path: str | FilePath) -> Topology:
    path = FilePath(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NetworkConfigError(str(path), f"cannot read the file ({exc.strerror})") from exc
    return parse_topology(text, source=str(path))


def parse_topology(text: str, *, source: str = "network.toml") -> Topology:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TopologyConfigError(source, [Problem(None, "", f"not valid TOML: {exc}")]) from exc
    return _Parser(document, text, source).parse()


class _Parser:
    def __init__(self, document: dict[str, Any], text: str, source: str) -> None:
        self.document = document
        self.text = text
        self._lines: LineMap | None = None  # built at the first problem: a good file skips it
        self.source = source
        self.problems: list[Problem] = []
        self.overrides: dict[str, PolicyOverrides] = {}

    def parse(self) -> Topology:
        document = self.document
        version = document.get("version")
        if version != VERSION:
            v1 = is_version_1(document)
            message = V1_MOVES if v1 else f"version must be {VERSION} (got {version!r})"
            self._fail(InvalidValueError(("version",), message))
            if v1:  # everything else would be noise: the whole file changes shape
                raise TopologyConfigError(self.source, self.problems)
        if "routing" in document and version == VERSION:
            self._fail(
                InvalidValueError(("routing",), "[routing] moved into [fitconnect] as routing_url")
            )
        self._section(lambda: known_keys(document, TOP_LEVEL | {"routing"}, ()))
        pvog = self._required("pvog", tables.pvog)
        fitconnect = self._required("fitconnect", tables.fitconnect)
        identity = None
        if "identity" in document:
            identity = self._section(lambda: tables.identity(document["identity"], ("identity",)))
        providers = self._list("payment_providers", tables.payment_provider)
        self._section(lambda: tables.unique_providers(providers))
        entries = self._list("portals", _portal_entries.portal_entry)
        self._section(lambda: _portal_entries.unique_portals(entries))
        defaults = self._section(self._defaults) or {}
        if self.problems or pvog is None or fitconnect is None:
            raise TopologyConfigError(self.source, self.problems)
        return Topology(
            source=self.source,
            pvog=pvog,
            fitconnect=fitconnect,
            identity=identity,
            payment_providers=tuple(p for _, p in providers),
            portals=tuple(e for _, e in entries),
            tenants=TenantIndex(p for _, p in providers),
            defaults=defaults,
            overrides=self.overrides,
        )

    def _required(self, key: str, parse: Callable[[Any, Path], T]) -> T | None:
        if key not in self.document:
            self._fail(
                InvalidValueError(
                    (key,), f"[{key}] is required (it exists once in the Portalverbund)"
                )
            )
            return None
        found = self._section(lambda: parse(self.document[key], (key,)))
        self._policy(key, self.document[key], (key,))
        return found

    def _list(self, key: str, parse: Callable[[Any, Path], T]) -> list[tuple[Path, T]]:
        raw = self.document.get(key, [])
        if not isinstance(raw, list):
            self._fail(InvalidValueError((key,), f"{key} must be an array of tables: [[{key}]]"))
            return []
        found: list[tuple[Path, T]] = []
        for index, item in enumerate(raw):
            path: Path = (key, index)
            record = self._section(partial(parse, item, path))
            if record is None:
                continue
            found.append((path, record))
            name = f"{key}.{getattr(record, 'id', index)}"
            self._policy(name, item, path)
            for api in _portal_entries.APIS if key == "portals" else ():
                if isinstance(item.get(api), dict):
                    self._policy(f"{name}.{api}", item[api], (*path, api))
        return found

    def _policy(self, upstream: str, value: Any, path: Path) -> None:
        if isinstance(value, dict):
            found = self._section(lambda: tables.policy(value, path))
            if found:
                self.overrides[upstream] = found

    def _defaults(self) -> PolicyOverrides:
        found = table(self.document.get("defaults", {}), ("defaults",))
        known_keys(found, set(POLICY_KEYS), ("defaults",))
        return tables.policy(found, ("defaults",))

    def _section(self, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except InvalidValueError as exc:
            self._fail(exc)
            return None

    def _fail(self, exc: InvalidValueError) -> None:
        if self._lines is None:
            self._lines = LineMap(self.text)
        self.problems.append(Problem(self._lines.line_of(exc.path), render(exc.path), exc.problem))


def check_topology(path: str | FilePath, environ: Mapping[str, str]) -> TopologyReport:
    """`portalgraph check-config` for a version 2 file: parse problems, then missing secrets."""
    report = TopologyReport()
    try:
        text = FilePath(path).read_text(encoding="utf-8")
        topology = parse_topology(text, source=str(path))
    except TopologyConfigError as exc:
        report.problems += [f"{_where(str(path), p.line)}: {_format(p)}" for p in exc.problems]
        return report
    except NetworkConfigError as exc:
        report.problems.append(str(exc))
        return report
    except OSError as exc:
        report.problems.append(f"{path}: cannot read the file ({exc.strerror})")
        return report
    portals = PortalDirectory(topology.portals)
    report.lines += _topology_check.summary(topology, len(portals))
    report.problems += _topology_check.secret_problems(topology, LineMap(text), environ)
    return report
