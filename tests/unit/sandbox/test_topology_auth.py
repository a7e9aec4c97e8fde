"""Every upstream of the topology sandbox enforces the auth its network file entry declares."""

from __future__ import annotations

import base64
import json
import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import KeySet

from sandbox.fitconnect_hub import SCOPES
from sandbox.idp_grants import ACCESS_TOKEN_TYPE
from sandbox.providers import BASIC_USER, GIRO_CLIENT_ID
from sandbox.pvog_catalogue import CLIENT_ID_HEADER
from sandbox.runner import GATEWAY_CLIENT_ID
from sandbox.tls import make_chain
from sandbox.topology_document import FITCONNECT_CLIENT_ID, PVOG_CLIENT_ENV, portal_audience
from sources.topology import load_topology
from tests.helpers.topology_sandbox import TopologySandboxHandle

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
SEARCH = "/v8beta1/servicedescriptions?ars=053150000000"


def token(
    topology: TopologySandboxHandle, upstream: str, path: str, form: dict[str, str]
) -> httpx.Response:
    with topology.client(upstream) as client:
        return client.post(path, data={"grant_type": "client_credentials"} | form)


def fitconnect_token(topology: TopologySandboxHandle) -> str:
    form = {
        "client_id": FITCONNECT_CLIENT_ID,
        "client_secret": topology.env["FITCONNECT_CLIENT_SECRET"],
    }
    response = token(topology, "fitconnect", "/token", form | {"scope": "send:region:DE05"})
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == " ".join(sorted(SCOPES))
    access: str = response.json()["access_token"]
    return access


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({CLIENT_ID_HEADER: "someone-else"}, 401), (None, 200)],
    ids=["missing", "wrong", "registered"],
)
def test_the_pvog_wants_its_client_id_header(
    topology: TopologySandboxHandle, headers: dict[str, str] | None, status: int
) -> None:
    sent = headers if headers is not None else {CLIENT_ID_HEADER: topology.env[PVOG_CLIENT_ENV]}
    with topology.client("pvog", headers=sent) as client:
        assert client.get(SEARCH).status_code == status


def test_fitconnect_issues_tokens_to_client_secret_post_only_and_within_the_registered_scopes(
    topology: TopologySandboxHandle,
) -> None:
    secret = topology.env["FITCONNECT_CLIENT_SECRET"]
    right = {"client_id": FITCONNECT_CLIENT_ID, "client_secret": secret}
    assert token(topology, "fitconnect", "/token", right).status_code == 200
    wrong = token(topology, "fitconnect", "/token", right | {"client_secret": "guess"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    scope = token(topology, "fitconnect", "/token", right | {"scope": "send:region:DE09"})
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")
    with topology.client("fitconnect") as client:
        basic = client.post(
            "/token", data={"grant_type": "client_credentials"}, auth=(FITCONNECT_CLIENT_ID, secret)
        )
        assert (basic.status_code, basic.json()["error"]) == (401, "invalid_client")
        grant = client.post("/token", data=right | {"grant_type": "password"})
        assert grant.json()["error"] == "unsupported_grant_type"
        assert client.get("/jwks").json()["keys"]


def test_the_submission_api_and_event_log_want_a_fitconnect_token(
    topology: TopologySandboxHandle,
) -> None:
    events = "/zustelldienst/koeln/v1/cases/00000000-0000-4000-8000-000000000000/events"
    citizen = topology.demo_token("erika")  # a token of another issuer and audience
    with topology.client("fitconnect") as client:
        assert client.get(events).status_code == 401
        assert client.get(events, headers={"Authorization": f"Bearer {citizen}"}).status_code == 401
        granted = {"Authorization": f"Bearer {fitconnect_token(topology)}"}
        assert client.get(events, headers=granted).status_code == 404  # past auth: unknown case
        assert client.post("/zustelldienst/nrw/v1/submissions", json={}).status_code == 401


def test_a_signed_route_leads_to_its_destination_through_the_network_files_hosts(
    topology: TopologySandboxHandle,
) -> None:
    parsed = load_topology(topology.network_file)
    with httpx.Client(trust_env=False, timeout=10) as client:
        routes = client.get(
            parsed.fitconnect.routing_url + "/v1/routes",
            params={"leikaKey": "99017001001000", "ars": "053150000000"},
        ).json()["routes"]
        keys = KeySet.import_key_set(client.get(parsed.fitconnect.route_keys_url).json())
        signed = jws.deserialize_compact(
            routes[0]["destinationSignature"], keys, algorithms=["PS512"]
        )
        claims = json.loads(signed.payload)
        base = parsed.fitconnect.submission_base(claims["submissionHost"])
        assert base == topology.url("fitconnect") + "/zustelldienst/koeln"
        granted = {"Authorization": f"Bearer {fitconnect_token(topology)}"}
        destination = client.get(
            f"{base}/v1/destinations/{claims['destinationId']}", headers=granted
        )
        assert destination.status_code == 200
        assert destination.json()["destinationId"] == routes[0]["destinationId"]


def test_epay21_wants_http_basic(topology: TopologySandboxHandle) -> None:
    path = "/status/rb-koeln/053000000000"
    password = topology.env["EPAY21_PASSWORD"]
    with topology.client("payment_providers.epay21") as client:
        assert client.get(path).status_code == 401
        assert client.get(path, auth=(BASIC_USER, "guess")).status_code == 401
        assert client.get(path, headers={"Authorization": "Basic !!"}).status_code == 401
        assert client.get(path, auth=(BASIC_USER, password)).status_code == 200


def test_giro_wants_a_token_of_its_own_endpoint(topology: TopologySandboxHandle) -> None:
    path = "/status/rb-muenster/055000000000"
    secret = topology.env["GIRO_CLIENT_SECRET"]
    form = {"client_id": GIRO_CLIENT_ID, "client_secret": secret, "scope": "post"}
    issued = token(topology, "payment_providers.giro", "/oauth/token", form)
    assert issued.status_code == 200
    bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    foreign = {"Authorization": f"Bearer {fitconnect_token(topology)}"}
    with topology.client("payment_providers.giro") as client:
        assert client.get(path).status_code == 401
        assert client.get(path, headers=foreign).status_code == 401
        assert client.get(path, headers=bearer).status_code == 200
    refused = token(
        topology, "payment_providers.giro", "/oauth/token", form | {"client_secret": "x"}
    )
    assert refused.status_code == 401


def test_epaybl_wants_a_client_certificate_of_the_test_ca(
    topology: TopologySandboxHandle, tmp_path: Path
) -> None:
    path = "/status/servicenrw/050000000000"
    with topology.client("payment_providers.epaybl") as client:
        assert client.get(path).status_code == 200
    url = urlsplit(topology.url("payment_providers.epaybl"))
    assert url.scheme == "https"
    assert url.hostname
    assert url.port
    ca = topology.env["EPAYBL_CA_BUNDLE"]
    # The server speaks TLS 1.2 at most: without a client certificate the handshake fails ...
    bare = ssl.create_default_context(cafile=ca)
    bare.maximum_version = ssl.TLSVersion.TLSv1_2
    with (
        socket.create_connection((url.hostname, url.port), timeout=10) as raw,
        pytest.raises(ssl.SSLError),
    ):
        bare.wrap_socket(raw, server_hostname=url.hostname)
    # ... also for a client that would rather speak TLS 1.3: no connection, no HTTP answer.
    plain = ssl.create_default_context(cafile=ca)
    with httpx.Client(verify=plain, trust_env=False) as client, pytest.raises(httpx.ConnectError):
        client.get(topology.url("payment_providers.epaybl") + path)
    # A certificate of another CA is refused the same way.
    other = make_chain(tmp_path / "other")
    stranger = ssl.create_default_context(cafile=ca)
    stranger.load_cert_chain(other.client_cert, other.client_key)
    with (
        httpx.Client(verify=stranger, trust_env=False) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.get(topology.url("payment_providers.epaybl") + path)


def exchanged(topology: TopologySandboxHandle, login: str, audience: str) -> str:
    form = {
        "grant_type": EXCHANGE,
        "subject_token": topology.demo_token(login),
        "subject_token_type": ACCESS_TOKEN_TYPE,
        "audience": audience,
    }
    with topology.client("identity") as client:
        response = client.post(
            "/token",
            data=form,
            auth=(GATEWAY_CLIENT_ID, topology.env["PORTALGRAPH_IDP_CLIENT_SECRET"]),
        )
        response.raise_for_status()
        access: str = response.json()["access_token"]
        return access


def test_account_areas_and_the_postfach_take_tokens_exchanged_for_their_audience(
    topology: TopologySandboxHandle,
) -> None:
    platform = exchanged(topology, "max", portal_audience("kommunalportal-nrw"))
    koeln = exchanged(topology, "max", portal_audience("koeln"))
    with topology.client("portals.kommunalportal-nrw.accounts") as client:
        me = client.get("/v1/me", headers={"Authorization": f"Bearer {platform}"})
        assert me.status_code == 200
        assert me.json()["portalId"] == "dormagen"
        assert client.get("/v1/me", headers={"Authorization": f"Bearer {koeln}"}).status_code == 401
        citizen = {"Authorization": f"Bearer {topology.demo_token('max')}"}
        assert client.get("/v1/me", headers=citizen).status_code == 401
    with topology.client("portals.koeln.accounts") as client:
        # max has no account at Köln's own portal
        assert client.get("/v1/me", headers={"Authorization": f"Bearer {koeln}"}).status_code == 404
    postfach = exchanged(topology, "erika", portal_audience("bund"))
    with topology.client("portals.bund.inbox") as client:
        assert client.get("/v1/messages").status_code == 401
        answer = client.get("/v1/messages", headers={"Authorization": f"Bearer {postfach}"})
        assert answer.status_code == 200
        assert "messages" in answer.json()


def test_the_bundid_postfach_holds_every_portals_messages_newest_first(
    topology: TopologySandboxHandle,
) -> None:
    postfach = exchanged(topology, "erika", portal_audience("bund"))
    with topology.client("portals.bund.inbox") as client:
        listed = client.get(
            "/v1/messages", params={"limit": 500}, headers={"Authorization": f"Bearer {postfach}"}
        ).json()["messages"]
    store = topology.sandbox.cases
    assert store is not None
    payload = topology.demo_token("erika").split(".")[1]
    subject = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
    mine = store.cases(subject)
    assert mine is not None
    portals = {p for p, messages in mine.messages.items() if messages}
    assert len(portals) > 1  # erika has mail from several portals
    assert len(listed) == sum(len(m) for m in mine.messages.values())
    received = [m["receivedAt"] for m in listed]
    assert received == sorted(received, reverse=True)
