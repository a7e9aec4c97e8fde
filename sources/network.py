"""Network file version 1 (one table per portal and capability): no longer read by the gateway.

The gateway reads version 2 only (`sources.topology`, docs/topology.md) and refuses a
version 1 file with what moved where. What stays here: `NetworkConfigError` (the error
both versions raise, with file and line), and the version 1 parser until the last
version 1 examples (docs/submissions.md's plug-in section, tests/unit/sources/test_network.py)
are gone.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sources._policy import POLICY_KEYS, PolicyOverrides, UpstreamPolicy, parse_policy
from sources.base import Capability, EndpointRecord, IdentityRecord, PortalRecord, Tier

PORTAL_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
ARS12 = re.compile(r"^\d{12}$")
PORTAL_KEYS = {"id", "name", "tier", "ars", "website"} | {c.value for c in Capability}
ENDPOINT_KEYS = {
    "url",
    "audience",
    "client_id",
    "client_secret_env",
    "callback_secret_env",
    "jwks_url",
}
ADAPTER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")
IDENTITY_KEYS = {"issuer", "audience", "client_id", "client_secret_env"}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$")


class NetworkConfigError(ValueError):
    def __init__(self, path: str, problem: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line


@dataclass(frozen=True, slots=True)
class Network:
    portals: tuple[PortalRecord, ...]
    source: str
    identity: IdentityRecord | None = None
    routing: EndpointRecord | None = None  # FIT-Connect Routing API, network-wide
    # Bare host name of a signed route's `submissionHost` -> that Submission API's base URL
    # (`[routing.submission_hosts]`; a v2 base ends in /submission-api).
    submission_hosts: Mapping[str, str] = field(default_factory=dict)
    defaults: PolicyOverrides = field(default_factory=dict)
    overrides: Mapping[tuple[str, str], PolicyOverrides] = field(default_factory=dict)

    def policy(self, portal_id: str, capability: str, base: UpstreamPolicy) -> UpstreamPolicy:
        """`base` (from the settings), then `[defaults]`, then the capability table's keys."""
        specific = self.overrides.get((portal_id, capability), {})
        return base.with_overrides(self.defaults).with_overrides(specific)

    def portal(self, portal_id: str) -> PortalRecord | None:
        return next((p for p in self.portals if p.id == portal_id), None)

    def with_capability(self, capability: Capability) -> tuple[PortalRecord, ...]:
        return tuple(p for p in self.portals if capability in p.endpoints)


def load_network(path: str | Path) -> Network:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NetworkConfigError(str(path), f"cannot read the file ({exc.strerror})") from exc
    return parse_network(text, source=str(path))


def parse_network(text: str, *, source: str = "network.toml") -> Network:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NetworkConfigError(source, f"not valid TOML: {exc}") from exc
    unknown = set(document) - {"portals", "identity", "defaults", "routing"}
    if unknown:
        raise NetworkConfigError(source, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    tables = document.get("portals")
    if not isinstance(tables, list) or not tables:
        raise NetworkConfigError(source, "no [[portals]] defined; the network needs at least one")
    headers = _portal_header_lines(text)
    portals: list[PortalRecord] = []
    for index, table in enumerate(tables):
        line = headers[index] if index < len(headers) else None
        portals.append(_parse_portal(table, f"portals[{index}]", source, line))
    seen: set[str] = set()
    for index, portal in enumerate(portals):
        if portal.id in seen:
            line = headers[index] if index < len(headers) else None
            raise NetworkConfigError(source, f"portal id {portal.id!r} is defined twice", line=line)
        seen.add(portal.id)
    identity = _parse_identity(document.get("identity"), source, _table_line(text, "[identity]"))
    defaults, overrides = _parse_policies(document, portals, source, text)
    routing, hosts = None, {}
    if "routing" in document:
        line = _table_line(text, "[routing]")

        def routing_error(problem: str) -> NetworkConfigError:
            return NetworkConfigError(source, f"routing: {problem}", line=line)

        table = document["routing"]
        if isinstance(table, dict):
            table = dict(table)
            hosts = _parse_hosts(table.pop("submission_hosts", {}), routing_error)
        routing = _parse_endpoint(table, "routing", routing_error)
    return Network(
        portals=tuple(portals),
        source=source,
        identity=identity,
        routing=routing,
        submission_hosts=hosts,
        defaults=defaults,
        overrides=overrides,
    )


def _parse_policies(
    document: dict[str, Any], portals: list[PortalRecord], source: str, text: str
) -> tuple[PolicyOverrides, dict[tuple[str, str], PolicyOverrides]]:
    table = document.get("defaults", {})
    line = _table_line(text, "[defaults]")
    if not isinstance(table, dict):
        raise NetworkConfigError(source, "defaults must be a table", line=line)
    unknown = set(table) - set(POLICY_KEYS)
    if unknown:
        raise NetworkConfigError(
            source, f"defaults: unknown key(s) {', '.join(sorted(unknown))}", line=line
        )
    try:
        defaults = parse_policy(table, "defaults.")
    except ValueError as exc:
        raise NetworkConfigError(source, str(exc), line=line) from None
    headers = _portal_header_lines(text)
    overrides: dict[tuple[str, str], PolicyOverrides] = {}
    for index, (raw, portal) in enumerate(zip(document["portals"], portals, strict=True)):
        for capability in portal.endpoints:
            where = f"portals[{index}] ({portal.id}): {capability.value}."
            try:
                found = parse_policy(raw[capability.value], where)
            except ValueError as exc:
                line = headers[index] if index < len(headers) else None
                raise NetworkConfigError(source, str(exc), line=line) from None
            if found:
                overrides[(portal.id, capability.value)] = found
    return defaults, overrides


def _table_line(text: str, header: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().replace(" ", "") == header:
            return number
    return None


def _parse_identity(table: Any, source: str, line: int | None) -> IdentityRecord | None:
    if table is None:
        return None

    def fail(problem: str) -> NetworkConfigError:
        return NetworkConfigError(source, f"identity: {problem}", line=line)

    if not isinstance(table, dict):
        raise fail("must be a table")
    unknown = set(table) - IDENTITY_KEYS
    if unknown:
        raise fail(f"unknown key(s) {', '.join(sorted(unknown))}")
    issuer = table.get("issuer")
    if not _is_http_url(issuer):
        raise fail(f"issuer must be an http(s) URL (got {issuer!r})")
    secret_env = _required_str(table, "client_secret_env", fail)
    if not ENV_NAME.match(secret_env):
        raise fail(f"client_secret_env must name an environment variable (got {secret_env!r})")
    return IdentityRecord(
        issuer=str(issuer).rstrip("/"),
        audience=_required_str(table, "audience", fail),
        client_id=_required_str(table, "client_id", fail),
        client_secret_env=secret_env,
    )


def _portal_header_lines(text: str) -> list[int]:
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().replace(" ", "") == "[[portals]]"
    ]


def _parse_portal(table: Any, where: str, source: str, line: int | None) -> PortalRecord:
    def fail(problem: str) -> NetworkConfigError:
        return NetworkConfigError(source, f"{where}: {problem}", line=line)

    if not isinstance(table, dict):
        raise fail("must be a table")
    unknown = set(table) - PORTAL_KEYS
    if unknown:
        raise fail(f"unknown key(s) {', '.join(sorted(unknown))}")
    portal_id = _required_str(table, "id", fail)
    if not PORTAL_ID.match(portal_id):
        raise fail(f"id {portal_id!r} must be lowercase letters, digits and '-'")
    where = f"{where} ({portal_id})"
    tier_name = _required_str(table, "tier", fail)
    try:
        tier = Tier(tier_name)
    except ValueError:
        raise fail(f"tier must be one of FEDERAL, STATE, MUNICIPAL (got {tier_name!r})") from None
    ars = _required_str(table, "ars", fail)
    if not ARS12.match(ars):
        raise fail(f"ars must be a 12-digit Amtlicher Regionalschlüssel (got {ars!r})")
    website = table.get("website")
    if website is not None and not _is_http_url(website):
        raise fail(f"website must be an http(s) URL (got {website!r})")
    endpoints: dict[Capability, EndpointRecord] = {}
    for capability in Capability:
        if capability.value in table:
            endpoints[capability] = _parse_endpoint(table[capability.value], capability.value, fail)
    return PortalRecord(
        id=portal_id,
        name=_required_str(table, "name", fail),
        tier=tier,
        ars=ars,
        website=website,
        endpoints=endpoints,
    )


def _parse_endpoint(table: Any, name: str, fail: Any) -> EndpointRecord:
    if not isinstance(table, dict):
        raise fail(f"{name} must be a table with a url")
    unknown = set(table) - ENDPOINT_KEYS - set(POLICY_KEYS) - {"adapter"}
    if unknown:
        raise fail(f"{name}: unknown key(s) {', '.join(sorted(unknown))}")
    url = table.get("url")
    if not _is_http_url(url):
        raise fail(f"{name}.url must be an http(s) URL (got {url!r})")
    for key in ("audience", "client_id"):
        if table.get(key) is not None and not isinstance(table[key], str):
            raise fail(f"{name}.{key} must be a string")
    adapter = table.get("adapter")
    if adapter is not None and not (isinstance(adapter, str) and ADAPTER_NAME.match(adapter)):
        raise fail(f"{name}.adapter must name an entry point of group portalgraph.sources")
    secret_env = table.get("client_secret_env")
    if secret_env is not None and not (isinstance(secret_env, str) and ENV_NAME.match(secret_env)):
        raise fail(
            f"{name}.client_secret_env must name an environment variable (got {secret_env!r})"
        )
    callback_env = table.get("callback_secret_env")
    if callback_env is not None and not (
        isinstance(callback_env, str) and ENV_NAME.match(callback_env)
    ):
        raise fail(f"{name}.callback_secret_env must name an environment variable")
    if (table.get("client_id") is None) != (secret_env is None):
        raise fail(f"{name}: client_id and client_secret_env go together")
    jwks_url = table.get("jwks_url")
    if jwks_url is not None and not _is_http_url(jwks_url):
        raise fail(f"{name}.jwks_url must be an http(s) URL (got {jwks_url!r})")
    return EndpointRecord(
        url=str(url),
        audience=table.get("audience"),
        client_id=table.get("client_id"),
        client_secret_env=secret_env,
        callback_secret_env=callback_env,
        adapter=adapter,
        jwks_url=jwks_url,
    )


def _parse_hosts(table: Any, fail: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        raise fail("submission_hosts must be a table of host name = Submission API URL")
    for host, url in table.items():
        if not HOST_NAME.match(host):
            raise fail(f"submission_hosts: {host!r} is not a bare host name")
        if not _is_http_url(url):
            raise fail(f"submission_hosts.{host} must be an http(s) URL (got {url!r})")
    return {host.lower(): str(url).rstrip("/") for host, url in table.items()}


def _required_str(table: dict[str, Any], key: str, fail: Any) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{key} is required and must be a non-empty string")
    return value


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
