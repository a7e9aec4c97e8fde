"""One validator per table of network file version 2; each raises `InvalidValueError` with the key path."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sources._auth_table import parse_auth
from sources._config_values import (
    IDENTIFIER,
    InvalidValueError,
    env_name,
    http_url,
    known_keys,
    pattern,
    required_str,
    table,
)
from sources._policy import POLICY_KEYS, parse_policy
from sources._toml_lines import Path
from sources.base.topology import (
    PVOG_DEFAULT_VERSIONS,
    FitConnectRecord,
    IdentityProviderRecord,
    PaymentKind,
    PaymentProviderRecord,
    PaymentTenantRecord,
    PvogRecord,
)
from sources.base.upstream_auth import OAuth2ClientCredentials, UpstreamAuth

VERSION_SEGMENT = re.compile(r"^v\d+(?:(?:alpha|beta)\d+)?$")
BARE_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9-]{1,63})*$")
# XBezahldienste path parameters: at most 36 characters of ^[\w\d-]+$ (spec 1.0.0).
PATH_PARAMETER = re.compile(r"^[\w-]{1,36}$", re.ASCII)
ARS_PREFIX = re.compile(r"^\d{2,12}$")
POLICY = set(POLICY_KEYS)


def policy(value: dict[str, Any], path: Path) -> dict[str, float]:
    try:
        return parse_policy(value, "")
    except ValueError as exc:
        key = str(exc).split(" ", 1)[0]
        raise InvalidValueError((*path, key), str(exc)) from None


def auth_of(value: dict[str, Any], key: str, path: Path) -> UpstreamAuth | None:
    return parse_auth(value[key], (*path, key)) if key in value else None


def pvog(value: Any, path: Path) -> PvogRecord:
    found = table(value, path)
    known_keys(found, {"url", "versions", "use_ars_hierarchy", "auth"} | POLICY, path)
    versions = dict(PVOG_DEFAULT_VERSIONS)
    for resource, version in table(found.get("versions", {}), (*path, "versions")).items():
        where = (*path, "versions", resource)
        if resource not in PVOG_DEFAULT_VERSIONS:
            names = ", ".join(PVOG_DEFAULT_VERSIONS)
            raise InvalidValueError(where, f"unknown PVOG resource {resource!r} (known: {names})")
        if not isinstance(version, str) or not VERSION_SEGMENT.match(version):
            raise InvalidValueError(
                where, f"a version is a path segment like v6 or v8beta1 (got {version!r})"
            )
        versions[resource] = version
    hierarchy = found.get("use_ars_hierarchy", True)
    if not isinstance(hierarchy, bool):
        raise InvalidValueError(
            (*path, "use_ars_hierarchy"), "use_ars_hierarchy must be true or false"
        )
    return PvogRecord(
        url=str(http_url(found, "url", path)),
        versions=versions,
        use_ars_hierarchy=hierarchy,
        auth=auth_of(found, "auth", path),
    )


def fitconnect(value: Any, path: Path) -> FitConnectRecord:
    found = table(value, path)
    allowed = {"submission_url", "api", "routing_url", "route_keys_url", "submission_hosts"}
    known_keys(found, allowed | {"auth", "routing_auth"} | POLICY, path)
    api = found.get("api", "v1")
    if api not in ("v1", "v2"):
        raise InvalidValueError((*path, "api"), f'api must be "v1" or "v2" (got {api!r})')
    submission_url = str(http_url(found, "submission_url", path))
    if api == "v2" and not urlsplit(submission_url).path.endswith("/submission-api"):
        raise InvalidValueError(
            (*path, "submission_url"), "api v2 lives under /submission-api: end the URL with it"
        )
    hosts: dict[str, str] = {}
    for host, url in table(found.get("submission_hosts", {}), (*path, "submission_hosts")).items():
        where = (*path, "submission_hosts")
        if not BARE_HOST.match(host):
            raise InvalidValueError((*where, host), f"{host!r} must be a bare lower-case host name")
        hosts[host] = str(http_url({host: url}, host, where))
    auth = auth_of(found, "auth", path)
    if auth is None or not isinstance(auth.scheme, OAuth2ClientCredentials):
        raise InvalidValueError(
            (*path, "auth"),
            'FIT-Connect needs an auth table of type "oauth2_client_credentials"'
            " (token endpoint and scopes from the Self-Service-Portal)",
        )
    return FitConnectRecord(
        submission_url=submission_url,
        api=api,
        routing_url=str(http_url(found, "routing_url", path)),
        route_keys_url=str(http_url(found, "route_keys_url", path)),
        submission_hosts=hosts,
        auth=auth,
        routing_auth=auth_of(found, "routing_auth", path),
    )


def identity(value: Any, path: Path) -> IdentityProviderRecord:
    found = table(value, path)
    known_keys(found, {"issuer", "audience", "client_id", "client_secret_env", "jwks_url"}, path)
    return IdentityProviderRecord(
        issuer=str(http_url(found, "issuer", path)),
        audience=required_str(found, "audience", path),
        client_id=required_str(found, "client_id", path),
        client_secret_env=str(env_name(found, "client_secret_env", path)),
        jwks_url=http_url(found, "jwks_url", path, required=False),
    )


def payment_provider(value: Any, path: Path) -> PaymentProviderRecord:
    found = table(value, path)
    known_keys(found, {"id", "name", "kind", "url", "auth", "tenants"} | POLICY, path)
    kind = found.get("kind")
    try:
        payment_kind = PaymentKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in PaymentKind)
        raise InvalidValueError(
            (*path, "kind"), f"kind must be one of {names} (got {kind!r})"
        ) from None
    raw_tenants = found.get("tenants")
    if not isinstance(raw_tenants, list) or not raw_tenants:
        raise InvalidValueError((*path, "tenants"), "a payment provider needs at least one tenant")
    tenants = tuple(tenant(raw, (*path, "tenants", i)) for i, raw in enumerate(raw_tenants))
    return PaymentProviderRecord(
        id=pattern(found, "id", IDENTIFIER, "lower-case letters, digits and '-'", path),
        name=required_str(found, "name", path),
        kind=payment_kind,
        url=str(http_url(found, "url", path)),
        tenants=tenants,
        auth=auth_of(found, "auth", path),
    )


def tenant(value: Any, path: Path) -> PaymentTenantRecord:
    found = table(value, path)
    known_keys(found, {"ars_prefix", "originator_id", "endpoint_id"}, path)
    what = "at most 36 letters, digits, '_' or '-'"
    return PaymentTenantRecord(
        ars_prefix=pattern(found, "ars_prefix", ARS_PREFIX, "an ARS prefix of 2–12 digits", path),
        originator_id=pattern(found, "originator_id", PATH_PARAMETER, what, path),
        endpoint_id=pattern(found, "endpoint_id", PATH_PARAMETER, what, path),
    )


def unique_providers(providers: list[tuple[Path, PaymentProviderRecord]]) -> None:
    """Provider ids are unique; two tenants for one prefix would make the choice depend on order."""
    ids: set[str] = set()
    seen: dict[str, str] = {}
    for path, provider in providers:
        if provider.id in ids:
            raise InvalidValueError(
                (*path, "id"), f"payment provider {provider.id!r} is defined twice"
            )
        ids.add(provider.id)
        for index, found in enumerate(provider.tenants):
            where = f"{provider.id} tenants[{index}]"
            if found.ars_prefix in seen:
                raise InvalidValueError(
                    (*path, "tenants", index, "ars_prefix"),
                    f"ars_prefix {found.ars_prefix} has two tenants: {seen[found.ars_prefix]}"
                    f" and {where}",
                )
            seen[found.ars_prefix] = where
