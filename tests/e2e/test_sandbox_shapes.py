"""The running sandbox answers in the published shapes: field by field against tests/samples/.

Every answer is compared with the recorded real-shaped sample of the same endpoint: each
field the sandbox sends must exist in the sample with the same JSON type and nesting (no
invented fields), and the fields the published schema requires must be there.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.testing import LoopThread
from sandbox.runner import SandboxNetwork
from tests.conftest import Sandbox
from tests.helpers.contract_upstreams import PORTAL, REISEPASS, Upstreams, prepare
from tests.helpers.shapes import mismatches, union

SAMPLES = Path(__file__).parents[1] / "samples"
# Submission API 1.1.3 `ReplyChannel`: any of these members (the samples show one each).
REPLY_CHANNELS = {"deMail": {}, "elster": {}, "eMail": {"usePgp": True}, "fink": {}}


def sample(path: str) -> Any:
    return json.loads((SAMPLES / path).read_text(encoding="utf-8"))


def claims(token: str) -> Any:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="module")
def up(loop_thread: LoopThread) -> Iterator[Upstreams]:
    """The sandbox's upstream apps (the topology sandbox serves the same ones), each on a
    server of its own as the per-portal runner starts them."""
    network = SandboxNetwork(seed=2026, citizens=40)
    loop_thread.call(network.start())
    yield prepare(network)
    loop_thread.call(network.stop())


def get(sandbox: Sandbox, up: Upstreams, capability: str, path: str, **params: Any) -> Any:
    token = up.tokens.get(capability)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = sandbox.http.get(up.url(capability) + path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_pvog_answers(sandbox: Sandbox, up: Upstreams) -> None:
    detail_sample = sample("pvog/servicedescription.json")
    hits = get(sandbox, up, "services", "/v8beta1/servicedescriptions", ars="053150000000")
    search_sample = sample("pvog/search.json")
    hit_sample = union([*search_sample["serviceDescriptions"]["content"], detail_sample])
    search_sample["serviceDescriptions"]["content"] = [hit_sample]
    assert mismatches(hits, search_sample, required=["serviceDescriptions.content"]) == []
    assert any("leikakeys" not in h for h in hits["serviceDescriptions"]["content"])
    first = hits["serviceDescriptions"]["content"][0]
    detail = get(sandbox, up, "services", f"/v6/servicedescriptions/{first['id']}/detail")
    required = ["id", "name", "leikakeys", "ars", "details", "organisationIds"]
    assert mismatches(detail, detail_sample, required=required) == []
    unit = get(
        sandbox, up, "services", "/v5/organisationunits/detail",
        q=detail["organisationIds"][0], lbId=detail["id"],
    )  # fmt: skip
    required = ["id", "title", "role.code", "role.name", "location.addresses"]
    assert mismatches(unit, sample("pvog/organisationunit.json"), required=required) == []


def test_fit_connect_event_log_and_keys(sandbox: Sandbox, up: Upstreams) -> None:
    case = up.ids["status"]["caseId"]
    log = get(sandbox, up, "status", f"/v1/cases/{case}/events")
    assert mismatches(log, sample("fitconnect/eventlog.json"), required=["eventLog"]) == []
    sets = union(
        sample(f"fitconnect/{name}.json")
        for name in ("set-accept-submission", "set-reject-submission", "set-submit-reply")
    )
    sets["events"] = {}  # event URIs are keys: their payloads are compared below
    for token in log["eventLog"]:
        payload = claims(token)
        [(uri, body)] = payload.pop("events").items()
        assert mismatches(payload | {"events": {}}, sets) == [], uri
        if uri.endswith("accept-submission"):
            expected = sample("fitconnect/set-accept-submission.json")["events"][uri]
            # The sandbox's tags cover metadata and data (its seeded cases have no attachments).
            assert mismatches(body, expected) == []
    jwks = get(sandbox, up, "status", "/.well-known/jwks.json")
    assert mismatches(jwks, sample("fitconnect/jwks.json"), required=["keys"]) == []
    ids = up.ids["status"]
    key = get(sandbox, up, "status", f"/v1/destinations/{ids['destinationId']}/keys/{ids['keyId']}")
    required = ["kty", "key_ops", "alg", "x5c", "kid", "n", "e"]
    assert mismatches(key, sample("fitconnect/jwk-verify.json"), required=required) == []


def test_fit_connect_reply_events(sandbox: Sandbox, up: Upstreams) -> None:
    """The authority's Rückfrage: reply events in the case's log, shaped as the sample."""
    store = sandbox.network.cases
    assert store is not None
    erika = next(c for c in store.citizens.values() if c.login == "erika")
    cases = store.cases(erika.subject)
    assert cases is not None
    case = next(
        a.case_id for a in cases.applications.get(PORTAL, []) if any(e.reply_id for e in a.events)
    )
    published = sample("fitconnect/set-submit-reply.json")
    replies = [
        claims(t) for t in get(sandbox, up, "status", f"/v1/cases/{case}/events")["eventLog"]
    ]
    replies = [c for c in replies if c["sub"].startswith("reply:")]
    assert [next(iter(c["events"])).rsplit("/", 1)[1] for c in replies] == [
        "create-reply",
        "submit-reply",
    ]
    for reply in replies:
        [payload] = reply.pop("events").values()
        assert payload == {}  # as the published submit-reply payload
        required = [k for k in published if k != "events"]
        assert (
            mismatches(reply | {"events": {}}, published | {"events": {}}, required=required) == []
        )
        assert reply["txn"] == f"case:{case}"


def test_submission_api_answers(sandbox: Sandbox, up: Upstreams) -> None:
    ids = up.ids["submissions"]
    destination = get(sandbox, up, "submissions", f"/v1/destinations/{ids['destinationId']}")
    expected = sample("submission/destination.json") | {"replyChannels": REPLY_CHANNELS}
    required = ["destinationId", "encryptionKid", "metadataVersions", "services", "status"]
    assert mismatches(destination, expected, required=required) == []
    key = get(
        sandbox, up, "submissions", f"/v1/destinations/{ids['destinationId']}/keys/{ids['keyId']}"
    )
    required = ["kty", "key_ops", "alg", "x5c", "kid", "n", "e"]
    assert mismatches(key, sample("submission/jwk-wrapkey.json"), required=required) == []
    create = sample("submission/create-submission.json") | {
        "destinationId": ids["destinationId"],
        "announcedAttachments": [],
        "serviceType": {
            "name": "Reisepass",
            "identifier": f"urn:de:fim:leika:leistung:{REISEPASS}",
        },
    }
    created = sandbox.http.post(
        up.url("submissions") + "/v1/submissions", json=create,
        headers={"Authorization": f"Bearer {up.tokens['submissions']}"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    required = ["destinationId", "submissionId", "caseId"]
    assert (
        mismatches(created.json(), sample("submission/submission-created.json"), required=required)
        == []
    )


def test_routing_answers(sandbox: Sandbox, up: Upstreams) -> None:
    routes = get(sandbox, up, "routing", "/v1/routes", leikaKey=REISEPASS, ags="05315000")
    assert routes["routes"], "Köln's AGS finds the Köln destination"
    required = ["count", "offset", "totalCount", "routes"]
    assert mismatches(routes, sample("routing/routes.json"), required=required) == []
    signed = claims(routes["routes"][0]["destinationSignature"])
    assert mismatches(signed, sample("routing/destination-signature-payload.json")) == []
    assert "://" not in signed["submissionHost"]  # a bare host name
    areas = get(sandbox, up, "routing", "/v1/areas", areaSearchexpression="Köln")
    assert mismatches(areas, sample("routing/areas.json"), required=["areas"]) == []
    assert mismatches(get(sandbox, up, "routing", "/v1/info"), sample("routing/info.json")) == []
    ssp = sandbox.http.get(up.url("routing") + "/ssp/.well-known/jwks.json").json()
    assert mismatches(ssp, sample("fitconnect/jwks.json")) == []


def test_xbezahldienste_answers(sandbox: Sandbox, up: Upstreams) -> None:
    request = sample("xbezahldienste/payment-request.json") | {"requestId": "shape-test-1"}
    path = "/paymenttransaction/99085001012000/053150000000"
    headers = {"Authorization": f"Bearer {up.tokens['payments']}"}
    created = sandbox.http.post(up.url("payments") + path, json=request, headers=headers)
    assert created.status_code == 200, created.text
    expected = sample("xbezahldienste/payment-transaction.json")
    required = ["paymentRequest", "paymentInformation.transactionId", "paymentInformation.status"]
    assert mismatches(created.json(), expected, required=required) == []
    again = sandbox.http.post(up.url("payments") + path, json=request, headers=headers)
    assert mismatches(again.json(), sample("xbezahldienste/problem-payment-exists.json")) == []
    status = get(sandbox, up, "payments", "/status/99085001012000/053150000000")
    assert mismatches(status, sample("xbezahldienste/status.json")) == []


def test_postfach_carries_message_v6_and_status_v6(sandbox: Sandbox, up: Upstreams) -> None:
    messages = get(sandbox, up, "inbox", "/v1/messages")["messages"]
    required = ["stork_qaa_level", "mailboxUuid", "sender", "title", "content", "service"]
    for message in messages:
        assert (
            mismatches(message["message"], sample("postfach/message_v6.json"), required=required)
            == []
        )
    assert any("replyAddress" in m["message"] for m in messages)
    updates = get(sandbox, up, "inbox", "/v1/statusupdates")["statusUpdates"]
    required = ["applicationId", "status", "publicServiceName", "senderName", "createdDate"]
    for update in updates:
        assert mismatches(update, sample("postfach/status_v6.json"), required=required) == []


def test_account_area_answers(sandbox: Sandbox, up: Upstreams) -> None:
    # No published API: the samples follow the sandbox's OpenAPI (samples' SOURCE.md).
    me = get(sandbox, up, "accounts", "/v1/me")
    required = ["accountId", "portalId", "createdAt", "services"]
    assert mismatches(me, sample("account_area/me.json"), required=required) == []
    page = get(sandbox, up, "accounts", "/v1/me/applications")
    required = ["count", "offset", "totalCount", "applications"]
    assert mismatches(page, sample("account_area/applications.json"), required=required) == []
    linked = next(a for a in page["applications"] if a["payments"])  # a link was compared
    # What a PUT links is what the list shows, with the transaction id from the path.
    fields = set(sample("account_area/payment-link-request.json")) | {"transactionId"}
    assert set(linked["payments"][0]) == fields


def test_identity_provider_answers(sandbox: Sandbox, up: Upstreams) -> None:
    discovery = sandbox.http.get(sandbox.issuer + "/.well-known/openid-configuration").json()
    published = sample("idp/openid-configuration.json")
    # What the gateway reads; the sandbox has no interactive login (no authorization_endpoint).
    required = ["issuer", "token_endpoint", "jwks_uri", "acr_values_supported"]
    shared = {k: discovery[k] for k in published if k in discovery}
    assert mismatches(shared, published, required=required) == []
    assert discovery["acr_values_supported"] == published["acr_values_supported"]
    token = sandbox.http.post(
        sandbox.issuer + "/token",
        data={
            "grant_type": "client_credentials",
            "audience": f"urn:portalgraph:fitconnect:{PORTAL}",
        },
        auth=("portalgraph-gateway", "sandbox-only-gateway-secret-not-for-production"),
    ).json()
    published = sample("idp/token-response.json")
    assert mismatches({k: token[k] for k in published}, published) == []
