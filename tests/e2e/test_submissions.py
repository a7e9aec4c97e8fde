"""Submitting applications end to end: route, encrypt, upload, submit, then see it listed."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.conftest import Gateway, Sandbox
from tests.helpers.citizen_links import learn_links
from tests.helpers.submitting import (
    PASSPORT_FORM,
    PDF,
    REPLY,
    SUBMIT,
    citizen_token,
    fresh_citizen,
    multipart,
    submit,
)

APPLICATIONS = """
query { me { applications(first: 50) { edges { node {
  caseId status leikaKey statusHistory { status source detail }
} } } } }
"""


def with_postfach(gateway: Gateway, token: str) -> str:
    """`token`, after the gateway learned the viewer's link to the BundID Postfach.

    Network file v2: the authority's messages and Statusmonitor updates (ZBP message_v6,
    status_v6) reach the one BundID Postfach, the Bund entry's inbox; Köln has no inbox
    of its own. The gateway asks only the entries a viewer is linked to, and a
    submission through Köln teaches only Köln's link, so the client names Bund once, as
    a frontend does (docs/frontend.md). Version 1 gave Köln a Postfach of its own.
    """
    learn_links(gateway, token, ["bund"])
    return token


def listed(gateway: Gateway, token: str, case_id: str) -> dict[str, Any]:
    body = gateway.query(APPLICATIONS, token=token)
    nodes = [e["node"] for e in body["data"]["me"]["applications"]["edges"]]
    return next(n for n in nodes if n["caseId"] == case_id)


def test_submit_with_attachment_lists_it_as_submitted_and_status_follows(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = with_postfach(
        gateway, citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln"))
    )
    result = submit(gateway, token, "passport-1", files=[("foto.pdf", PDF, "application/pdf")])
    assert result["__typename"] == "ApplicationSubmitted", result
    assert result["duplicate"] is False
    assert result["application"]["status"] == "SUBMITTED"
    assert result["application"]["portal"]["id"] == "koeln"
    calls = clean_sandbox.calls("koeln", "submissions")
    assert calls["POST /v1/submissions"] == 1
    assert calls["PUT /v1/submissions/{submissionId}/attachments/{attachmentId}"] == 1
    assert calls["PUT /v1/submissions/{submissionId}"] == 1
    assert clean_sandbox.calls("routing", "routing")["GET /v1/routes"] == 1

    case_id = result["caseId"]
    clean_sandbox.http.post(
        clean_sandbox.url("koeln", "status") + f"/_sandbox/cases/{case_id}/advance"
    ).raise_for_status()
    application = listed(gateway, token, case_id)
    assert application["status"] == "RECEIVED"
    assert [h["status"] for h in application["statusHistory"] if h["source"] == "FIT_CONNECT"] == [
        "INITIATED",
        "SUBMITTED",
        "SUBMITTED",
    ]


def test_the_same_client_mutation_id_never_submits_twice(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln", skip=1))
    first = submit(gateway, token, "twice")
    again = submit(gateway, token, "twice")
    assert again["__typename"] == "ApplicationSubmitted"
    assert (again["submissionId"], again["duplicate"]) == (first["submissionId"], True)
    other = submit(gateway, token, "twice", form={**first_form(), "anliegen": "Etwas anderes"})
    assert (other["__typename"], other["code"]) == ("SubmissionRejected", "DUPLICATE")
    assert clean_sandbox.calls("koeln", "submissions")["POST /v1/submissions"] == 1


def first_form() -> dict[str, Any]:
    return dict(PASSPORT_FORM)


def test_a_half_way_failure_is_completed_by_the_retry_without_an_orphan(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln", skip=2))
    clean_sandbox.fault("koeln", "submissions", status=503, path_prefix="/v1/submissions/")
    failed = submit(gateway, token, "retry-me", files=[("a.pdf", PDF, "application/pdf")])
    assert (failed["code"], failed["retryable"]) == ("UPSTREAM_FAILED", True)
    clean_sandbox.clear_faults()
    done = submit(gateway, token, "retry-me", files=[("a.pdf", PDF, "application/pdf")])
    assert done["__typename"] == "ApplicationSubmitted", done
    assert done["application"]["status"] == "SUBMITTED"
    calls = clean_sandbox.calls("koeln", "submissions")
    # One submission announced, and that one submitted: no orphan left behind.
    assert calls["POST /v1/submissions"] == 1
    assert calls["PUT /v1/submissions/{submissionId}"] == 1


def test_no_route_bad_forms_and_refused_files_are_typed_and_send_nothing(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln", skip=3))
    # Köln publishes no Jagdschein text of its own and is kreisfrei: no destination [I].
    no_route = submit(gateway, token, "r1", leika="99999999999999")
    assert (no_route["code"], no_route["retryable"]) == ("NO_ROUTE", False)

    bad = {"antragsteller": {"vorname": "", "familienname": 7}, "anliegen": "x"}
    invalid = submit(gateway, token, "r2", form=bad)
    assert invalid["code"] == "INVALID_FORM"
    paths = {e["path"] for e in invalid["fieldErrors"]}
    assert paths == {
        "/antragsteller/vorname",
        "/antragsteller/familienname",
        "/geburtsort",
        "/groesseCm",
    }

    exe = submit(
        gateway, token, "r3", files=[("virus.exe", b"MZ\x90\x00", "application/x-msdownload")]
    )
    assert exe["code"] == "ATTACHMENT_TYPE_REFUSED"
    fake_pdf = submit(gateway, token, "r4", files=[("a.pdf", b"MZ\x90\x00", "application/pdf")])
    assert fake_pdf["code"] == "ATTACHMENT_TYPE_REFUSED"
    assert "POST /v1/submissions" not in clean_sandbox.calls("koeln", "submissions")


def test_an_unusable_destination_key_is_typed_before_anything_is_created(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln", skip=3))
    clean_sandbox.fault("koeln", "submissions", malformed=True, path_prefix="/v1/destinations/")
    result = submit(gateway, token, "bad-key")
    assert (result["code"], result["retryable"]) == ("DESTINATION_KEY_INVALID", False)
    assert "POST /v1/submissions" not in clean_sandbox.calls("koeln", "submissions")


def test_bad_arguments_are_bad_user_input(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    token = clean_sandbox.demo_token("erika")
    variables = {"input": {"leikaKey": "123", "ars": "05315", "form": {}, "clientMutationId": "k"}}
    body = gateway.query(SUBMIT, variables, token=token)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "leikaKey"}
    anonymous = gateway.query(SUBMIT, variables)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


INBOX = """
query { me { inbox(first: 50) { edges { node { id subject sender body replyAllowed application { caseId } } } } } }
"""


def test_reply_goes_into_the_same_case_and_shows_in_history_and_inbox(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    citizen = fresh_citizen(clean_sandbox, "koeln", skip=4)
    token = with_postfach(gateway, citizen_token(clean_sandbox, citizen))
    submitted = submit(gateway, token, "to-answer")
    case_id, application_id = submitted["caseId"], None
    store = clean_sandbox.network.cases
    assert store is not None
    application_id = store.by_case[case_id].application_id
    inbox_url = clean_sandbox.url("koeln", "inbox") + "/_sandbox/messages"
    question = {"login": citizen.login, "applicationId": application_id, "level": 2}
    clean_sandbox.http.post(
        inbox_url,
        json=question | {"title": "Rückfrage: Lichtbild", "replyAddress": "bürgeramt@example.org"},
    ).raise_for_status()
    clean_sandbox.http.post(
        inbox_url, json=question | {"title": "Bescheid", "isNotice": True}
    ).raise_for_status()
    clean_sandbox.http.post(
        inbox_url, json=question | {"title": "Geheim", "level": 4, "replyAddress": "x@example.org"}
    ).raise_for_status()
    nodes = [e["node"] for e in gateway.query(INBOX, token=token)["data"]["me"]["inbox"]["edges"]]
    by_subject = {n["subject"]: n for n in nodes}

    variables = {
        "id": by_subject["Rückfrage: Lichtbild"]["id"],
        "body": "Foto <anbei>.",
        "key": "a1",
    }
    files = {"variables.files.0": ("foto.pdf", PDF, "application/pdf")}
    sent = multipart(gateway, REPLY, variables | {"files": [None]}, files, token)
    reply = sent["data"]["replyToMessage"]
    assert reply["__typename"] == "ReplySent", sent
    assert reply["caseId"] == case_id
    again = gateway.query(REPLY, variables | {"files": []}, token=token)["data"]["replyToMessage"]
    assert again["__typename"] == "SubmissionRejected"  # same key, different attachments
    assert again["code"] == "DUPLICATE"

    nodes = [e["node"] for e in gateway.query(INBOX, token=token)["data"]["me"]["inbox"]["edges"]]
    outgoing = next(n for n in nodes if n["subject"] == "Ihre Antwort: Rückfrage: Lichtbild")
    assert outgoing["body"] == "<p>Foto &lt;anbei&gt;.</p>"
    assert outgoing["application"]["caseId"] == case_id
    history = listed(gateway, token, case_id)["statusHistory"]
    assert history[-1]["detail"] == "Ihre Antwort ist eingegangen"

    refused = {"id": by_subject["Bescheid"]["id"], "body": "Danke", "key": "a2"}
    answer = gateway.query(REPLY, refused, token=token)["data"]["replyToMessage"]
    assert answer["code"] == "REPLY_NOT_ALLOWED"
    locked = {"id": by_subject["Geheim"]["id"], "body": "Hallo", "key": "a3"}
    body = gateway.query(REPLY, locked, token=token)
    assert body["errors"][0]["extensions"]["code"] == "INSUFFICIENT_TRUST_LEVEL"
    calls = clean_sandbox.calls("koeln", "submissions")
    assert calls["POST /v1/submissions"] == 2  # the application and one reply


def test_an_application_of_a_citizen_without_an_account_there_is_listed_from_the_journal(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    store = clean_sandbox.network.cases
    assert store is not None
    citizen = next(
        c
        for c in reversed(list(store.citizens.values()))
        if not c.account_at("koeln") and c.trust_level == 3 and c.login.startswith("buerger")
    )
    token = citizen_token(clean_sandbox, citizen)
    result = submit(gateway, token, "no-account-1")
    assert result["__typename"] == "ApplicationSubmitted", result
    # Koeln's account area does not know this citizen: the journal's entry is the application.
    assert result["application"]["portal"]["id"] == "koeln"
    application = listed(gateway, token, result["caseId"])
    assert application["leikaKey"] == "99085001012000"
    assert application["status"] == "SUBMITTED"
    body = gateway.query(APPLICATIONS, token=token)
    cases = [e["node"]["caseId"] for e in body["data"]["me"]["applications"]["edges"]]
    assert cases.count(result["caseId"]) == 1


FORGET = "mutation { forgetFinishedApplications { count } }"


def test_the_citizen_forgets_their_finished_entries_and_the_audit_log_says_so_without_content(
    gateway: Gateway, clean_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    store = clean_sandbox.network.cases
    assert store is not None
    citizen = [
        c
        for c in store.citizens.values()
        if not c.account_at("koeln") and c.trust_level == 3 and c.login.startswith("buerger")
    ][-2]
    token = citizen_token(clean_sandbox, citizen)
    first = submit(gateway, token, "forget-1")
    second = submit(gateway, token, "forget-2", form={**PASSPORT_FORM, "anliegen": "Zweiter"})
    body = gateway.query(APPLICATIONS, token=token)
    cases = {e["node"]["caseId"] for e in body["data"]["me"]["applications"]["edges"]}
    assert {first["caseId"], second["caseId"]} <= cases
    with caplog.at_level(logging.INFO, logger="portalgraph.audit"):
        forgotten = gateway.query(FORGET, token=token)
    assert forgotten["data"]["forgetFinishedApplications"] == {"count": 2}
    body = gateway.query(APPLICATIONS, token=token)
    cases = {e["node"]["caseId"] for e in body["data"]["me"]["applications"]["edges"]}
    assert not {first["caseId"], second["caseId"]} & cases  # no account there: gone
    lines: list[dict[str, str]] = [
        r.__dict__["audit"] for r in caplog.records if r.name == "portalgraph.audit"
    ]
    assert {"what": "Application", "id": "me", "result": "deleted"}.items() <= lines[-1].items()
    assert first["caseId"] not in caplog.text
    assert gateway.query(FORGET, token=token)["data"]["forgetFinishedApplications"] == {"count": 0}
    anonymous = gateway.query(FORGET)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
