"""Citizen data end to end: applications, status, payments and inbox over the sandbox."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from typing import Any

import pytest

from graph.domain.downloads import download_signer
from graph.settings import Settings
from tests.conftest import Gateway, Sandbox
from tests.helpers.citizen_links import DORMAGEN, learn_links, portal_of

DASHBOARD = """
query Dashboard {
  me {
    applications(first: 20) {
      totalCount
      edges { node {
        id applicationId caseId reference portal { id ars }
        status statusHistory { time status source detail }
        service { name leikaKey originPortal { id } }
        payments { id transactionId status amount { cents currency } redirectUrl }
      } }
    }
    inbox(unreadOnly: true) { totalCount edges { node { id subject isRead locked portal { id } } } }
    unreadMessageCount
    outages { portalId capability code }
  }
}
"""
INBOX = """
query Inbox($portal: ID, $application: ID) {
  me { inbox(first: 100, portal: $portal, application: $application) { totalCount edges { node {
    id subject sender body locked unlockTrustLevel requiredTrustLevel isRead isNotice replyAllowed
    portal { id } application { id }
    attachments { id filename size sha512 downloadUrl }
  } } } }
}
"""


def apps(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in body["data"]["me"]["applications"]["edges"]]


def messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in body["data"]["me"]["inbox"]["edges"]]


@pytest.fixture
def erika(gateway: Gateway, clean_sandbox: Sandbox) -> str:
    token = clean_sandbox.demo_token("erika")
    learn_links(gateway, token)  # the gateway asks only account areas it learned
    clean_sandbox.reset_stats()
    return token


@pytest.fixture
def max_token(gateway: Gateway, clean_sandbox: Sandbox) -> str:
    token = clean_sandbox.demo_token("max")
    learn_links(gateway, token, ("bund", "nrw", portal_of(gateway, DORMAGEN)))
    clean_sandbox.reset_stats()
    return token


def test_the_dashboard_answers_in_one_query(gateway: Gateway, erika: str) -> None:
    body = gateway.query(DASHBOARD, token=erika)
    assert "errors" not in body, body.get("errors")
    found = apps(body)
    assert len({a["portal"]["id"] for a in found}) >= 3
    statuses = {a["status"] for a in found}
    assert {"ACTION_REQUIRED", "COMPLETED", "REJECTED"} <= statuses
    for application in found:
        times = [h["time"] for h in application["statusHistory"]]
        assert times, application["id"]
        assert times == sorted(times), application["id"]
        assert application["status"] == application["statusHistory"][-1]["status"]
        assert application["service"]["name"]
    payments = [p for a in found for p in a["payments"]]
    assert {"INITIAL", "PAYED"} <= {p["status"] for p in payments}
    for payment in payments:
        assert payment["amount"]["cents"] > 0
        assert payment["amount"]["currency"] == "EUR"
        assert (payment["redirectUrl"] is not None) == (payment["status"] == "INITIAL")
    me = body["data"]["me"]
    unread = messages(body)
    assert unread
    assert all(not m["isRead"] for m in unread)
    assert me["unreadMessageCount"] == me["inbox"]["totalCount"]
    assert me["outages"] == []


def test_the_dashboard_makes_the_minimum_upstream_calls(
    gateway: Gateway, clean_sandbox: Sandbox, erika: str
) -> None:
    body = gateway.query(DASHBOARD, token=erika)
    found = apps(body)
    per_portal = Counter(a["portal"]["id"] for a in found)
    payments_per_portal = Counter(a["portal"]["id"] for a in found for _ in a["payments"])
    for portal in ("bund", "nrw", "koeln", "dormagen"):
        assert clean_sandbox.calls(portal, "accounts").get("GET /v1/me/applications") == 1, portal
        inbox = clean_sandbox.calls(portal, "inbox")
        assert inbox.get("GET /v1/messages") == 1, (portal, inbox)
        assert inbox.get("GET /v1/statusupdates", 0) == (1 if per_portal[portal] else 0), portal
        events = clean_sandbox.calls(portal, "status").get("GET /v1/cases/{caseId}/events", 0)
        assert events == per_portal[portal], (portal, "one call per case: no batch endpoint")
        paid = clean_sandbox.calls(portal, "payments")
        transactions = sum(n for k, n in paid.items() if k.startswith("GET /paymenttransaction/"))
        assert transactions == payments_per_portal[portal], (portal, paid)
    searches = {
        p: clean_sandbox.calls(p).get("GET /v8beta1/servicedescriptions", 0)
        for p in ("bund", "nrw", "koeln", "dormagen")
    }
    regions = {a["portal"]["ars"] for a in found}
    assert searches["bund"] == len(regions), (
        "one directory search per region, all LeiKa keys at once"
    )
    assert searches["koeln"] <= 1
    assert searches["dormagen"] <= 1


def test_a_locked_message_shows_no_body_and_says_which_level_opens_it(
    gateway: Gateway, clean_sandbox: Sandbox, max_token: str
) -> None:
    found = messages(gateway.query(INBOX, token=max_token))
    locked = [m for m in found if m["locked"]]
    assert locked, "max signs in at level 1 and has a message that needs level 3"
    for message in locked:
        assert message["body"] is None
        assert message["attachments"] == []
        assert message["unlockTrustLevel"] == message["requiredTrustLevel"]
        assert message["requiredTrustLevel"] in ("SUBSTANTIAL", "HIGH")
    opened = [m for m in found if not m["locked"]]
    assert all(m["body"] and m["unlockTrustLevel"] is None for m in opened)


def test_mark_message_read_updates_the_unread_count(gateway: Gateway, erika: str) -> None:
    before = gateway.query(
        "{ me { unreadMessageCount inbox(unreadOnly: true) { edges { node { id locked } } } } }",
        token=erika,
    )
    count = before["data"]["me"]["unreadMessageCount"]
    target = next(m["id"] for m in messages(before) if not m["locked"])
    mutation = "mutation($id: ID!) { markMessageRead(id: $id) { id isRead readAt } }"
    first = gateway.query(mutation, {"id": target}, token=erika)["data"]["markMessageRead"]
    assert first["isRead"]
    assert first["id"] == target
    again = gateway.query(mutation, {"id": target}, token=erika)["data"]["markMessageRead"]
    assert again["isRead"]
    after = gateway.query("{ me { unreadMessageCount } }", token=erika)["data"]["me"]
    assert after["unreadMessageCount"] == count - 1


def test_attachments_download_through_the_gateway_for_their_owner_only(
    gateway: Gateway, erika: str, max_token: str
) -> None:
    found = messages(gateway.query(INBOX, token=erika))
    attachment = next(a for m in found for a in m["attachments"])
    url = attachment["downloadUrl"].split("?", 1)[0]  # the path, for the header route
    response = gateway.http.get(url, headers={"Authorization": f"Bearer {erika}"})
    assert response.status_code == 200
    assert hashlib.sha512(response.content).hexdigest() == attachment["sha512"]
    assert response.headers["cache-control"] == "private, no-store"
    assert gateway.http.get(url).status_code == 401
    assert (
        gateway.http.get(url, headers={"Authorization": f"Bearer {max_token}"}).status_code == 404
    )


def test_signed_download_links_work_as_plain_links_for_one_viewer_and_file(
    gateway: Gateway, erika: str, max_token: str
) -> None:
    found = messages(gateway.query(INBOX, token=erika))
    with_files = [a for m in found for a in m["attachments"]]
    signed = with_files[0]["downloadUrl"]
    path, query = signed.split("?", 1)
    assert erika not in signed  # the token is sealed, never in clear
    # No Authorization header: what an <a href> sends.
    response = gateway.http.get(signed)
    assert response.status_code == 200
    assert hashlib.sha512(response.content).hexdigest() == with_files[0]["sha512"]
    assert response.headers["referrer-policy"] == "no-referrer"
    # The link opens only its own file: another attachment's path with it is refused.
    other = next(a for a in with_files if a["downloadUrl"].split("?")[0] != path)
    moved = gateway.http.get(other["downloadUrl"].split("?")[0] + "?" + query)
    assert (moved.status_code, moved.json()["errors"][0]["extensions"]["code"]) == (
        403,
        "DOWNLOAD_LINK_INVALID",
    )
    # Max's viewer pseudonym in erika's link breaks the seal.
    uploads = Settings().uploads
    signer = download_signer(uploads.download_key, uploads.download_url_ttl)
    max_subject = gateway.query("{ me { subject } }", token=max_token)["data"]["me"]["subject"]
    params = dict(p.split("=", 1) for p in query.split("&"))
    forged = gateway.http.get(path, params={**params, "viewer": signer.pseudonym(max_subject)})
    assert forged.status_code == 403
    # An expired link says so (signed by the gateway's own signer, an hour ago).
    subject = gateway.query("{ me { subject } }", token=erika)["data"]["me"]["subject"]
    stale = signer.sign(path, subject, erika, time.time() + 600, now=time.time() - 3600)
    expired = gateway.http.get(stale)
    assert (expired.status_code, expired.json()["errors"][0]["extensions"]["code"]) == (
        403,
        "DOWNLOAD_LINK_EXPIRED",
    )


def test_another_citizens_ids_resolve_to_null_by_every_route(
    gateway: Gateway, erika: str, max_token: str
) -> None:
    body = gateway.query(DASHBOARD, token=erika)
    application = apps(body)[0]
    payment = next(p for a in apps(body) for p in a["payments"])
    message = messages(body)[0]
    ids = {"a": application["id"], "p": payment["id"], "m": message["id"]}
    query = """
    query($a: ID!, $p: ID!, $m: ID!) {
      x: node(id: $a) { id } y: node(id: $p) { id } z: node(id: $m) { ...M }
      me { application(id: $a) { id } }
    }
    fragment M on Message { id body }
    """
    own = gateway.query(query, ids, token=erika)["data"]
    assert own["x"] == {"id": ids["a"]}
    assert own["y"] == {"id": ids["p"]}
    assert own["z"]["id"] == ids["m"]
    stranger = gateway.query(query, ids, token=max_token)
    assert stranger["data"] == {"x": None, "y": None, "z": None, "me": {"application": None}}
    anonymous = gateway.query(query, ids)
    assert anonymous["data"] == {"x": None, "y": None, "z": None, "me": None}


def test_filters_by_status_portal_and_application(gateway: Gateway, erika: str) -> None:
    query = "query($s: [ApplicationStatus!], $p: ID) { me { applications(first: 100, status: $s, portal: $p) { edges { node { id status portal { id } } } } } }"
    action = apps(gateway.query(query, {"s": ["ACTION_REQUIRED"]}, token=erika))
    assert action
    assert all(a["status"] == "ACTION_REQUIRED" for a in action)
    koeln = apps(gateway.query(query, {"p": "koeln"}, token=erika))
    assert koeln
    assert all(a["portal"]["id"] == "koeln" for a in koeln)
    inbox = messages(gateway.query(INBOX, {"portal": "koeln"}, token=erika))
    assert inbox
    assert all(m["portal"]["id"] == "koeln" for m in inbox)
    linked = next(m for m in messages(gateway.query(INBOX, token=erika)) if m["application"])
    about = messages(
        gateway.query(INBOX, {"application": linked["application"]["id"]}, token=erika)
    )
    assert about
    assert all(m["application"]["id"] == linked["application"]["id"] for m in about)


def test_bad_ids_and_cursors_are_typed_errors(gateway: Gateway, erika: str) -> None:
    body = gateway.query(DASHBOARD, token=erika)
    application_id = apps(body)[0]["id"]
    wrong_type = gateway.query(
        "query($id: ID!) { service(id: $id) { id } }", {"id": application_id}
    )
    assert wrong_type["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    services_cursor = gateway.query("{ services(first: 1) { pageInfo { endCursor } } }")["data"][
        "services"
    ]["pageInfo"]["endCursor"]
    crossed = gateway.query(
        "query($c: String) { me { applications(after: $c) { totalCount } } }",
        {"c": services_cursor},
        token=erika,
    )
    assert crossed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = gateway.query(
        '{ node(id: "WyJBcHBsaWNhdGlvbiIsImtvZWxuIiwibm9wZSJd") { id } }', token=erika
    )
    assert unknown["data"]["node"] is None


START = """
mutation($input: StartPaymentInput!) { startPayment(input: $input) {
  __typename
  ... on PaymentStarted { redirectUrl payment { id status amount { cents } redirectUrl } }
  ... on PaymentRejected { code message }
} }
"""


def test_start_payment_pay_and_refuse_duplicates(
    gateway: Gateway, clean_sandbox: Sandbox, erika: str
) -> None:
    application = apps(gateway.query(DASHBOARD, token=erika))[0]
    request_id = f"test-{application['applicationId'][:8]}-{clean_sandbox.network.seed}"
    wrong = {
        "applicationId": application["id"],
        "requestId": request_id + "x",
        "items": [{"description": "Gebühr", "amountCents": 3700}],
        "totalCents": 3800,
    }
    rejected = gateway.query(START, {"input": wrong}, token=erika)["data"]["startPayment"]
    assert rejected == {
        "__typename": "PaymentRejected",
        "code": "CALCULATION_ERROR",
        "message": rejected["message"],
    }
    portal = application["portal"]["id"]
    assert not any(k.startswith("POST") for k in clean_sandbox.calls(portal, "payments")), (
        "nothing written"
    )
    good = dict(wrong, requestId=request_id, totalCents=3700)
    started = gateway.query(START, {"input": good}, token=erika)["data"]["startPayment"]
    assert started["__typename"] == "PaymentStarted", started
    assert started["payment"]["status"] == "INITIAL"
    assert started["redirectUrl"]
    listed = [p for a in apps(gateway.query(DASHBOARD, token=erika)) for p in a["payments"]]
    assert started["payment"]["id"] in {p["id"] for p in listed}
    # The journal keeps the link: the same requestId answers the same transaction.
    duplicate = gateway.query(START, {"input": good}, token=erika)["data"]["startPayment"]
    assert duplicate["__typename"] == "PaymentStarted", duplicate
    assert duplicate["payment"]["id"] == started["payment"]["id"]
    page = clean_sandbox.http.post(started["redirectUrl"] + "/pay", follow_redirects=False)
    assert page.status_code == 303
    payment = gateway.query(
        "query($id: ID!) { node(id: $id) { ... on Payment { status redirectUrl method } } }",
        {"id": started["payment"]["id"]},
        token=erika,
    )["data"]["node"]
    assert payment["status"] == "PAYED"
    assert payment["redirectUrl"] is None


def fit_connect(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [h for h in history if h["source"] == "FIT_CONNECT"]


def test_a_tampered_event_signature_is_ignored(
    gateway: Gateway, clean_sandbox: Sandbox, erika: str
) -> None:
    application = apps(gateway.query(DASHBOARD, token=erika))[0]
    query = "query($id: ID!) { node(id: $id) { ... on Application { statusHistory { source status } } } }"
    before = gateway.query(query, {"id": application["id"]}, token=erika)["data"]["node"][
        "statusHistory"
    ]
    portal = application["portal"]["id"]
    clean_sandbox.http.put(
        clean_sandbox.url(portal, "status") + "/_sandbox/tamper",
        json={"caseIds": [application["caseId"]]},
    ).raise_for_status()
    try:
        body = gateway.query(query, {"id": application["id"]}, token=erika)
    finally:
        clean_sandbox.http.delete(clean_sandbox.url(portal, "status") + "/_sandbox/tamper")
    after = body["data"]["node"]["statusHistory"]
    assert len(fit_connect(after)) == len(fit_connect(before)) - 1
    assert "errors" not in body


def test_anonymous_clients_get_no_citizen_data(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    body = gateway.query(DASHBOARD)
    assert body["data"]["me"] is None
    assert all(
        v == {}
        for k, v in (
            (k, clean_sandbox.calls(*k)) for k in [("koeln", "accounts"), ("koeln", "inbox")]
        )
    )
