"""What the topology sandbox writes for a gateway: the v2 network file's content and its environment.

`network_document(urls, municipalities)` is the mapping `sandbox.topology_file.render_topology`
writes; `environment(...)` the variables its `*_env` keys name (demo secrets for loopback
only, and the paths of the generated TLS files). Upstream names are the gateway's own
(`Topology.policy`): `identity`, `pvog`, `fitconnect`, `payment_providers.<id>`,
`portals.<entry>.accounts`, `portals.<entry>.inbox`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sandbox.data_places import PORTALS
from sandbox.fitconnect_hub import SCOPES, group_base
from sandbox.fitconnect_municipal import GROUP as MUNICIPAL
from sandbox.nrw_places import Municipality
from sandbox.providers import BASIC_USER, GIRO_CLIENT_ID, GIRO_SCOPES, PROVIDERS
from sandbox.routing import submission_host
from sandbox.runner import GATEWAY_AUDIENCE, GATEWAY_CLIENT_ID, IDP_SECRET, IDP_SECRET_ENV
from sandbox.tls import Chain
from sandbox.topology_file import platform_entry, tenants_by_provider

PLATFORM = "kommunalportal-nrw"
# Single portals with an account area of their own; Dormagen and the other municipalities
# are served by the platform. The BundID Postfach is the Bund entry's inbox.
SINGLE_PORTALS = ("bund", "nrw", "koeln")
DESTINATION_GROUPS = tuple(p.id for p in PORTALS)
PVOG_CLIENT_ENV, PVOG_CLIENT_ID = "PVOG_CLIENT_ID", "portalgraph-sandbox-pvog-client"
FITCONNECT_CLIENT_ID = "portalgraph-sandbox-sender"
SECRETS = {  # variable -> demo value (loopback only; never a real credential)
    IDP_SECRET_ENV: IDP_SECRET,
    PVOG_CLIENT_ENV: PVOG_CLIENT_ID,
    "FITCONNECT_CLIENT_SECRET": "sandbox-fitconnect-secret-not-for-production",
    "EPAY21_PASSWORD": "sandbox-epay21-password-not-for-production",
    "GIRO_CLIENT_SECRET": "sandbox-giro-secret-not-for-production",
}
TLS_ENV = ("EPAYBL_CLIENT_CERT", "EPAYBL_CLIENT_KEY", "EPAYBL_CA_BUNDLE")


def portal_audience(entry_id: str) -> str:
    return f"urn:portalgraph:portal:{entry_id}"


def account_entries() -> tuple[str, ...]:
    return (*SINGLE_PORTALS, PLATFORM)


def served(municipalities: Sequence[Municipality]) -> list[Municipality]:
    """The platform's municipalities: all but those with a portal entry of their own."""
    own = {p.ars for p in PORTALS if p.id in SINGLE_PORTALS}
    return [m for m in municipalities if m.ars not in own]


def environment(chain: Chain) -> dict[str, str]:
    files = (chain.client_cert, chain.client_key, chain.ca)
    return {**SECRETS, **dict(zip(TLS_ENV, files, strict=True))}


def network_document(
    urls: Mapping[str, str], municipalities: Sequence[Municipality]
) -> dict[str, Any]:
    fitconnect = urls["fitconnect"]
    identity = urls["identity"]
    return {
        "pvog": {
            "url": urls["pvog"],
            "use_ars_hierarchy": True,
            "auth": {
                "type": "headers",
                "headers": {"pvog-sud-api-client-id": {"env": PVOG_CLIENT_ENV}},
            },
        },
        "fitconnect": {
            "api": "v1",
            # Routes to the municipalities' destinations name hosts not listed below: the
            # gateway sends them to this default, the one base of all those destinations.
            "submission_url": fitconnect + group_base(MUNICIPAL),
            "routing_url": fitconnect + "/routing",
            "route_keys_url": fitconnect + "/routing/ssp/.well-known/jwks.json",
            "submission_hosts": {
                submission_host(g): fitconnect + group_base(g) for g in DESTINATION_GROUPS
            },
            "auth": {
                "type": "oauth2_client_credentials",
                "token_url": fitconnect + "/token",
                "method": "client_secret_post",
                "client_id": FITCONNECT_CLIENT_ID,
                "client_secret_env": "FITCONNECT_CLIENT_SECRET",
                "scope": " ".join(sorted(SCOPES)),
            },
        },
        "identity": {
            "issuer": identity,
            "audience": GATEWAY_AUDIENCE,
            "client_id": GATEWAY_CLIENT_ID,
            "client_secret_env": IDP_SECRET_ENV,
            "jwks_url": identity + "/jwks",
        },
        "payment_providers": _providers(urls, municipalities),
        "portals": _portals(urls, municipalities),
    }


def _providers(urls: Mapping[str, str], municipalities: Sequence[Municipality]) -> list[Any]:
    tenants = tenants_by_provider(municipalities)
    auth: dict[str, dict[str, Any]] = {
        "mtls": {
            "type": "mtls",
            "cert_file_env": TLS_ENV[0],
            "key_file_env": TLS_ENV[1],
            "ca_file_env": TLS_ENV[2],
        },
        "basic": {"type": "basic", "username": BASIC_USER, "password_env": "EPAY21_PASSWORD"},
        "oauth2": {
            "type": "oauth2_client_credentials",
            "method": "client_secret_post",
            "client_id": GIRO_CLIENT_ID,
            "client_secret_env": "GIRO_CLIENT_SECRET",
            "scope": " ".join(sorted(GIRO_SCOPES)),
        },
    }
    found = []
    for provider in PROVIDERS:
        url = urls[f"payment_providers.{provider.id}"]
        table = dict(auth[provider.auth])
        if provider.auth == "oauth2":
            table["token_url"] = url + "/oauth/token"
        found.append(
            {
                "id": provider.id,
                "name": provider.name,
                "kind": provider.kind,
                "url": url,
                "auth": table,
                "tenants": tenants[provider.id],
            }
        )
    return found


def _account_api(urls: Mapping[str, str], entry: str, api: str = "accounts") -> dict[str, Any]:
    return {
        "url": urls[f"portals.{entry}.{api}"],
        "auth": {
            "type": "token_exchange",
            "audience": portal_audience(entry),
            "client_id": GATEWAY_CLIENT_ID,
            "client_secret_env": IDP_SECRET_ENV,
        },
    }


def _portals(urls: Mapping[str, str], municipalities: Sequence[Municipality]) -> list[Any]:
    entries: list[dict[str, Any]] = []
    for portal in PORTALS:
        if portal.id not in SINGLE_PORTALS:
            continue
        entry: dict[str, Any] = {
            "id": portal.id,
            "name": portal.name,
            "tier": portal.tier,
            "ars": portal.ars,
            "website": portal.website,
            "accounts": _account_api(urls, portal.id),
        }
        if f"portals.{portal.id}.inbox" in urls:
            # The Bund entry's inbox is the BundID Postfach: every signed-in citizen has one.
            entry["inbox"] = {**_account_api(urls, portal.id, "inbox"), "every_viewer": True}
        entries.append(entry)
    platform = served(municipalities)
    if platform:
        entries.append(platform_entry(platform, accounts=_account_api(urls, PLATFORM)))
    return entries
