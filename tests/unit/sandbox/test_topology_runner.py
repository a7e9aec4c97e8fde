"""The topology sandbox writes a v2 network file the gateway accepts, and serves one PVOG with the ARS hierarchy."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from typing import Any

import pytest

from sandbox.pvog_catalogue import CLIENT_ID_HEADER
from sandbox.topology_document import PVOG_CLIENT_ENV
from sources.base.portal_directory import PortalDirectory
from sources.base.upstream_auth import (
    BasicCredentials,
    MutualTls,
    OAuth2ClientCredentials,
    StaticHeaders,
    TokenExchange,
)
from sources.topology import check_topology, load_topology
from tests.helpers.topology_sandbox import TopologySandboxHandle

KOELN, DORMAGEN, BUND, NRW = "053150000000", "051620008008", "000000000000", "050000000000"
UPSTREAMS = {
    "identity",
    "pvog",
    "fitconnect",
    "payment_providers.epaybl",
    "payment_providers.epay21",
    "payment_providers.giro",
    "portals.bund.inbox",
    "portals.bund.accounts",
    "portals.nrw.accounts",
    "portals.koeln.accounts",
    "portals.kommunalportal-nrw.accounts",
}


def test_the_written_file_is_a_v2_network_file_pointing_at_every_upstream(
    topology: TopologySandboxHandle,
) -> None:
    assert set(topology.upstreams) == UPSTREAMS
    parsed = load_topology(topology.network_file)
    assert parsed.pvog.url == topology.url("pvog")
    assert parsed.pvog.use_ars_hierarchy
    assert isinstance(parsed.pvog.auth and parsed.pvog.auth.scheme, StaticHeaders)
    fit = topology.url("fitconnect")
    assert parsed.fitconnect.routing_url == fit + "/routing"
    assert set(parsed.fitconnect.submission_hosts.values()) == {
        f"{fit}/zustelldienst/{group}" for group in ("bund", "nrw", "koeln", "dormagen")
    }
    assert parsed.identity is not None
    assert parsed.identity.issuer == topology.url("identity")
    schemes = {p.id: type(p.auth.scheme) for p in parsed.payment_providers if p.auth}
    assert schemes == {
        "epaybl": MutualTls,
        "epay21": BasicCredentials,
        "giro": OAuth2ClientCredentials,
    }
    assert {p.id: p.url for p in parsed.payment_providers} == {
        pid: topology.url(f"payment_providers.{pid}") for pid in ("epaybl", "epay21", "giro")
    }
    entries = {entry.id: entry for entry in parsed.portals}
    assert set(entries) == {"bund", "nrw", "koeln", "kommunalportal-nrw"}
    assert entries["bund"].inbox is not None
    for entry_id, entry in entries.items():
        assert entry.accounts is not None
        assert entry.accounts.url == topology.url(f"portals.{entry_id}.accounts")
        assert isinstance(entry.accounts.auth and entry.accounts.auth.scheme, TokenExchange)
    # Köln has its own portal; the platform serves the other three of the four.
    platform = entries["kommunalportal-nrw"]
    assert KOELN not in {s.ars for s in platform.serves}
    assert len(platform.serves) == 3
    assert DORMAGEN in {s.ars for s in platform.serves}
    assert len(PortalDirectory(parsed.portals)) == 6


def test_check_config_finds_every_secret_in_the_env_file(
    topology: TopologySandboxHandle,
) -> None:
    assert check_topology(topology.network_file, topology.env).problems == []
    missing = check_topology(topology.network_file, {}).problems
    named = {m.group(1) for m in map(re.compile(r"variable (\w+) is not set").search, missing) if m}
    assert named == set(topology.env) - {"PORTALGRAPH_NETWORK"}  # each one is needed
    lines = topology.env_file.read_text(encoding="utf-8").splitlines()
    assert dict(line.split("=", 1) for line in lines) == topology.env
    assert topology.env["PORTALGRAPH_NETWORK"] == str(topology.network_file)
    assert stat.S_IMODE(os.stat(topology.env_file).st_mode) == 0o600


def search(topology: TopologySandboxHandle, **params: Any) -> dict[str, Any]:
    headers = {CLIENT_ID_HEADER: topology.env[PVOG_CLIENT_ENV]}
    with topology.client("pvog", headers=headers) as client:
        response = client.get("/v8beta1/servicedescriptions", params=params | {"size": 500})
        response.raise_for_status()
        found: dict[str, Any] = response.json()["serviceDescriptions"]
        return found


def test_one_koeln_search_answers_bund_nrw_and_koeln_texts_each_with_its_own_ars(
    topology: TopologySandboxHandle,
) -> None:
    topology.reset_stats("pvog")
    hits = search(topology, ars=KOELN)["content"]
    assert {a for sd in hits for a in sd["ars"]} == {BUND, NRW, KOELN}
    assert topology.stats("pvog") == {
        "total": 1,
        "calls": {"GET /v8beta1/servicedescriptions": 1},
        "queries": {"GET /v8beta1/servicedescriptions?size=500": 1},  # by page and size
    }
    own = search(topology, ars=KOELN, useArsHierarchy="false")["content"]
    assert {a for sd in own for a in sd["ars"]} == {KOELN}
    assert len(own) < len(hits)


def test_every_municipality_has_a_locally_described_service_and_a_location(
    topology: TopologySandboxHandle,
) -> None:
    parsed = load_topology(topology.network_file)
    served = next(e for e in parsed.portals if e.id == "kommunalportal-nrw").serves
    headers = {CLIENT_ID_HEADER: topology.env[PVOG_CLIENT_ENV]}
    for municipality in served:
        hits = search(topology, ars=municipality.ars)["content"]
        assert municipality.ars in {a for sd in hits for a in sd["ars"]}, municipality
        with topology.client("pvog", headers=headers) as client:
            places = client.get("/v3/locations", params={"q": municipality.name}).json()
        assert municipality.ars in {place["ars"] for place in places}


@pytest.mark.parametrize("upstream", sorted(UPSTREAMS))
def test_every_upstream_keeps_stats_faults_and_its_openapi_document(
    topology: TopologySandboxHandle, upstream: str
) -> None:
    # The PVOG's client-id gate stands in front of its counting (sandbox.pvog_catalogue).
    headers = {CLIENT_ID_HEADER: topology.env[PVOG_CLIENT_ENV]} if upstream == "pvog" else {}
    with topology.client(upstream, headers=headers) as client:
        document = client.get("/openapi.json")
        assert document.status_code == 200
        assert document.json()["servers"] == [{"url": topology.url(upstream)}]
        topology.fault(upstream, status=503)
        try:
            assert client.get("/nothing-here").status_code == 503
        finally:
            topology.clear_faults(upstream)
        assert client.get("/nothing-here").status_code in (401, 404, 405)
    assert topology.stats(upstream)["calls"].get("GET /nothing-here", 0) >= 2
    topology.reset_stats(upstream)
    stats = topology.stats(upstream)
    assert (stats["total"], stats["calls"], stats.get("queries", {})) == (0, {}, {})
    assert topology.all_stats()[upstream] == {}


def test_callbacks_go_where_the_test_says(topology: TopologySandboxHandle) -> None:
    topology.callbacks_to("http://127.0.0.1:9")
    try:
        assert topology.sandbox.callbacks.url == "http://127.0.0.1:9"
    finally:
        topology.callbacks_to(None)
    assert topology.sandbox.callbacks.url is None


def test_demo_citizens_sign_in_at_every_trust_level_bundid_offers(
    topology: TopologySandboxHandle,
) -> None:
    with topology.client("identity") as client:
        demos = client.get("/_sandbox/demo-tokens").json()
    assert {d["trustLevel"] for d in demos} == {
        "STORK-QAA-Level-1",
        "STORK-QAA-Level-3",
        "STORK-QAA-Level-4",
    }
    payload = topology.demo_token("erika").split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["given_name"] == "Erika"
    assert claims["acr"] == "STORK-QAA-Level-4"
    with pytest.raises(KeyError):
        topology.demo_token("nobody")
