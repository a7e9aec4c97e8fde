"""The sandbox's version 2 network file, at every scale, is what the gateway's parser accepts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sandbox.scale import sample_municipalities
from sandbox.topology_file import platform_entry, render_topology, tenants_by_provider
from sources.base import Tier
from sources.base.portal_directory import PortalDirectory
from sources.base.upstream_auth import BasicCredentials, MutualTls, OAuth2ClientCredentials
from sources.topology import check_topology, parse_topology

AUTH = {
    "epaybl": {
        "type": "mtls",
        "cert_file_env": "SANDBOX_EPAYBL_CERT",
        "key_file_env": "SANDBOX_EPAYBL_KEY",
        "ca_file_env": "SANDBOX_CA",
    },
    "epay21": {
        "type": "basic",
        "username": "portalgraph",
        "password_env": "SANDBOX_EPAY21_PASSWORD",
    },
    "giro": {
        "type": "oauth2_client_credentials",
        "token_url": "http://127.0.0.1:8107/xbezahldienste/auth/token",
        "client_id": "portalgraph",
        "client_secret_env": "SANDBOX_GIRO_SECRET",
        "scope": "post",
    },
}


def document(count: int | None) -> dict[str, Any]:
    chosen = sample_municipalities(count)
    providers = [
        {
            "id": pid,
            "name": pid,
            "kind": {"giro": "girocheckout"}.get(pid, pid),
            "url": f"http://127.0.0.1:81{i:02d}",
            "auth": AUTH[pid],
            "tenants": tenants,
        }
        for i, (pid, tenants) in enumerate(tenants_by_provider(chosen).items())
    ]
    return {
        "pvog": {
            "url": "http://127.0.0.1:8101",
            "auth": {"type": "headers", "headers": {"pvog-sud-api-client-id": "sandbox"}},
        },
        "fitconnect": {
            "submission_url": "http://127.0.0.1:8102",
            "routing_url": "http://127.0.0.1:8103",
            "route_keys_url": "http://127.0.0.1:8104/.well-known/jwks.json",
            "submission_hosts": {"127.0.0.1": "http://127.0.0.1:8102"},
            "auth": {
                "type": "oauth2_client_credentials",
                "token_url": "http://127.0.0.1:8104/token",
                "client_id": "sandbox-sender",
                "client_secret_env": "SANDBOX_FIT_SECRET",
                "scope": "send:region:DE05",
            },
        },
        "identity": {
            "issuer": "http://127.0.0.1:8100",
            "audience": "portalgraph",
            "client_id": "portalgraph",
            "client_secret_env": "PORTALGRAPH_IDP_CLIENT_SECRET",
        },
        "payment_providers": providers,
        "portals": [
            {
                "id": "bund",
                "name": "Verwaltungsportal des Bundes",
                "tier": "FEDERAL",
                "ars": "000000000000",
            },
            {
                "id": "nrw",
                "name": "Serviceportal Nordrhein-Westfalen",
                "tier": "STATE",
                "ars": "050000000000",
            },
            platform_entry(
                chosen,
                accounts={
                    "url": "http://127.0.0.1:8105",
                    "auth": {
                        "type": "token_exchange",
                        "audience": "kommunalportal-nrw",
                        "client_id": "portalgraph",
                        "client_secret_env": "PORTALGRAPH_IDP_CLIENT_SECRET",
                    },
                },
            ),
        ],
        "defaults": {"timeout": 5.0, "retries": 2},
    }


@pytest.mark.parametrize("count", [4, 40, None])
def test_the_rendered_file_parses_at_every_scale(count: int | None) -> None:
    text = render_topology(document(count), seed=2026)
    topology = parse_topology(text)
    directory = PortalDirectory(topology.portals)
    assert len(list(directory.by_tier(Tier.MUNICIPAL))) == (count or 396)
    assert directory.get("koeln") is not None
    assert directory.get("dormagen") is not None
    schemes = {p.id: type(p.auth.scheme) for p in topology.payment_providers if p.auth}
    assert schemes == {
        "epaybl": MutualTls,
        "epay21": BasicCredentials,
        "giro": OAuth2ClientCredentials,
    }
    koeln = topology.tenants.choose("053150000000")
    assert koeln is not None
    assert koeln[0].id == "epay21"
    assert topology.tenants.choose("057110000000") is not None  # Bielefeld: the Land tenant


def test_tenants_follow_the_documented_landscape() -> None:
    text = render_topology(document(None), seed=1)
    topology = parse_topology(text)
    dormagen = topology.tenants.choose("051620008008")
    assert dormagen is not None
    assert (dormagen[0].id, dormagen[1].ars_prefix) == ("epaybl", "05162")
    muenster = topology.tenants.choose("055150000000")
    assert muenster is not None
    assert (muenster[0].id, muenster[1].ars_prefix) == ("giro", "055150000000")
    bielefeld = topology.tenants.choose("057110000000")
    assert bielefeld is not None
    assert bielefeld[1].ars_prefix == "05"


def test_check_config_names_the_sandbox_secrets(tmp_path: Path) -> None:
    path = tmp_path / "network.toml"
    path.write_text(render_topology(document(4), seed=1), encoding="utf-8")
    report = check_topology(path, {})
    missing = {re.findall(r"variable (\w+) is not set", p)[0] for p in report.problems}
    assert missing == {
        "SANDBOX_EPAYBL_CERT",
        "SANDBOX_EPAYBL_KEY",
        "SANDBOX_CA",
        "SANDBOX_EPAY21_PASSWORD",
        "SANDBOX_GIRO_SECRET",
        "SANDBOX_FIT_SECRET",
        "PORTALGRAPH_IDP_CLIENT_SECRET",
    }


def test_values_toml_cannot_hold_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot write"):
        render_topology({"pvog": {"url": None}}, seed=1)
