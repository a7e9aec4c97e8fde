"""Every adapter's parse functions over the recorded real-shaped payloads of tests/samples/."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from graph.domain.identity import viewer_from_claims
from graph.http.callbacks import Named, named_submissions
from sources._fitconnect_events import parse_event_log, parse_set, signing_key
from sources._jwe import EncryptionKeyError, encryption_key
from sources._pvog_payloads import (
    parse_locations,
    parse_organisation,
    parse_search_page,
    parse_service,
)
from sources.base import (
    ApplicationStatus,
    FormRecord,
    PaymentItemRecord,
    PaymentRequestRecord,
    RequestorAddressRecord,
    RequestorRecord,
    StatusSource,
    TrustLevel,
)
from sources.postfach import parse_message, parse_status_update
from sources.routing import parse_route
from sources.submission import metadata, parse_destination
from sources.xbezahldienste import parse_transaction, payment_request

SAMPLES = Path(__file__).parents[2] / "samples"
CASE = "452b5ee6-1f8e-4b2a-9f2b-3c4d5e6f7a8b"


def sample(path: str) -> Any:
    return json.loads((SAMPLES / path).read_text(encoding="utf-8"))


def test_every_sample_names_its_source() -> None:
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        notes = (folder / "SOURCE.md").read_text(encoding="utf-8")
        for case in folder.glob("*.json"):
            assert f"`{case.name}`" in notes, f"{folder.name}/{case.name} has no source"


# PVOG


def test_pvog_service_description() -> None:
    record = parse_service(sample("pvog/servicedescription.json"), "nrw")
    assert (record.id, record.name, record.leika_keys) == (
        "L100002.LB.121370768", "Reisepass beantragen", ("99085001012000",),
    )  # fmt: skip
    assert record.teaser == "<p>Kurzinfo</p>"
    assert record.deadlines is None  # "nicht angegeben" placeholder
    assert [(f.amount_cents, f.description) for f in record.fees] == [
        (7000, "Gebühr: 70,00 Euro (ab 24 Jahren)")
    ]
    assert record.approved_by == "Bundesministerium des Innern (BMI)"
    assert record.approved_on == date(2026, 5, 13)
    assert record.legal_basis[0].uri.endswith("/pa_g_1986/__6.html")
    assert record.online_services[0].trust_level is None  # PVOG publishes none
    assert record.organisation_ids == ("L100042.OE.2292",)


def test_pvog_search_page_with_a_keyless_hit() -> None:
    services, total = parse_search_page(sample("pvog/search.json"), "nrw")
    assert total == 2
    assert [s.leika_keys for s in services] == [(), ("99107004018000",)]


def test_pvog_organisation_unit_detail() -> None:
    record = parse_organisation(sample("pvog/organisationunit.json"), "nrw")
    assert (record.id, record.name, record.role) == (
        "L100042.OE.2292", "Landratsamt Donau-Ries", "Zuständige Stelle",
    )  # fmt: skip
    # The street address (Hausanschrift) comes first, whatever the order upstream.
    assert (record.addresses[0].street, record.addresses[0].postal_code) == (
        "Pflegstraße 2",
        "86609",
    )
    assert record.addresses[1].postal_code == "86601"
    assert (record.phone, record.fax, record.email) == (
        "0906 74-0", "0906 74-273", "poststelle@lra-donau-ries.de",
    )  # fmt: skip
    assert record.website == "https://www.donau-ries.de"
    assert record.opening_hours == "Mo–Fr 8:00–12:00 Uhr, Do 14:00–17:30 Uhr"


def test_pvog_locations() -> None:
    [region] = parse_locations(sample("pvog/locations.json"))
    assert (region.ars, region.name, region.postal_codes) == (
        "097790194194", "Nördlingen", ("86720",),
    )  # fmt: skip


# FIT-Connect event log


def test_the_spec_event_log_parses_and_its_set_is_the_zustelldienst_s() -> None:
    tokens, total = parse_event_log(sample("fitconnect/eventlog.json"))
    assert (len(tokens), total) == (2, 2)
    payload = tokens[0].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["iss"] == "https://api.fitko.de/fit-connect/"
    # Upper-case UUIDs in txn and sub, as in the spec: the case id compares case-insensitively.
    event = parse_set(claims, "f73d30c6-8894-4444-8687-00ae756fea90", by_authority=False)
    assert event is not None
    assert (event.id, event.status) == (
        "EDCFBF21-5B16-4D06-99D0-DC4C26F4FB9E", ApplicationStatus.INITIATED,
    )  # fmt: skip
    assert event.time == datetime.fromtimestamp(1622794319, UTC)


def test_authority_sets_accept_and_reject() -> None:
    accepted = parse_set(sample("fitconnect/set-accept-submission.json"), CASE, by_authority=True)
    assert accepted is not None
    assert (accepted.status, accepted.source) == (
        ApplicationStatus.RECEIVED,
        StatusSource.FIT_CONNECT,
    )
    assert accepted.detail == "Antrag von der Behörde angenommen"
    rejected = parse_set(sample("fitconnect/set-reject-submission.json"), CASE, by_authority=True)
    assert rejected is not None
    assert rejected.status is ApplicationStatus.REJECTED
    assert rejected.detail == "Antrag von der Behörde zurückgewiesen: Ein Beispielproblem"
    # Written by the authority: the same event from the Zustelldienst's side is refused.
    with pytest.raises(ValueError, match="authority"):
        parse_set(sample("fitconnect/set-accept-submission.json"), CASE, by_authority=False)


def test_reply_sets_carry_the_reply_id() -> None:
    reply = parse_set(sample("fitconnect/set-submit-reply.json"), CASE, by_authority=False)
    assert reply is not None
    assert reply.reply_id == "9b2c4d6e-8f0a-4b1c-9d3e-5f7a9b1c3d5e"
    assert reply.detail == "Antwort der Behörde eingegangen"


def test_the_spec_signature_key_parses() -> None:
    key = signing_key(sample("fitconnect/jwk-verify.json"))
    assert key.kid == "c66e4423-e28d-4a1f-911d-818f9ab60221"
    assert signing_key(sample("fitconnect/jwks.json")["keys"][0]).kid == key.kid


# Routing


def test_the_spec_route_and_its_signed_payload() -> None:
    [raw] = sample("routing/routes.json")["routes"]
    signed = sample("routing/destination-signature-payload.json")
    hosts = {"submission-api-dev.fit-connect.fitko.dev": "https://submission-api-dev.example"}
    route = parse_route(raw, signed, "99134005017000", hosts)
    assert route.destination_id == "ac715f34-333e-41f4-9bb5-186b309ea233"
    assert route.submission_host == "submission-api-dev.fit-connect.fitko.dev"
    assert route.submission_url == "https://submission-api-dev.example"
    assert sample("routing/areas.json")["areas"][0]["id"] == "1024"
    assert set(sample("routing/info.json")["version"]) == {"major", "minor", "patch"}


# Submission API


def test_the_spec_destination_and_its_key() -> None:
    kid, schemas, channels = parse_destination(sample("submission/destination.json"))
    assert kid == "e4142167-7f03-4d4f-a8c9-c7ecc78f55f8"
    assert schemas == {"99107004018000": "https://schema.fitko.de/fim/s00000122_1.0.0.schema.json"}
    assert channels == ("elster",)
    # The spec's example key has placeholders in x5c: a gateway must not encrypt to it.
    with pytest.raises(EncryptionKeyError, match="x5c"):
        encryption_key(sample("submission/jwk-wrapkey.json"))


def test_metadata_has_the_published_shape() -> None:
    form = FormRecord("99010003001006", "Bauantrag", b"{}", "https://schema.example/s.json", None)
    ours = json.loads(metadata(form, []))
    published = sample("submission/metadata.json")
    assert ours["$schema"] == published["$schema"]
    assert set(ours["contentStructure"]["data"]) == set(published["contentStructure"]["data"])
    assert set(ours["contentStructure"]["data"]["hash"]) == {"type", "content"}


def test_the_reply_channel_is_one_the_destination_offers() -> None:
    # The spec's PublicDestination offers ELSTER only: no Postfach (FINK) channel there, so
    # the metadata names none and the authority answers by post (ReplyChannel, 1.1.3).
    _, _, channels = parse_destination(sample("submission/destination.json"))
    form = FormRecord("99107004018000", "Kinderzuschlag", b"{}", "https://s.example/s.json", "PK1")
    assert "replyChannel" not in json.loads(metadata(form, [], channels))
    offered = json.loads(metadata(form, [], ("eMail", "fink")))
    assert offered["replyChannel"] == {"fink": {"finkPostfachRef": "PK1"}}
    anonymous = replace(form, postfach_ref=None)
    assert "replyChannel" not in json.loads(metadata(anonymous, [], ("fink",)))


def test_callback_bodies_name_submission_case_and_destination() -> None:
    body = json.dumps(sample("submission/callback-new-submissions.json")).encode()
    assert named_submissions(body) == [
        Named(
            "f39ab143-d91a-474a-b69f-b00f1a1873c2",
            "9eec7d3e-dc66-4f82-9f52-1520bf96a32e",
            "d12caea8-f372-4eb1-b102-b0a228253a11",
        )
    ]


# XBezahldienste


def test_the_payment_transaction_sample() -> None:
    body = sample("xbezahldienste/payment-transaction.json")
    record = parse_transaction(body, "koeln", "99085001012000", "053150000000")
    assert (record.transaction_id, record.amount_cents, record.status.value) == (
        "TX4711", 7000, "PAYED",
    )  # fmt: skip
    assert record.items[0].booking_data == (
        ("Haushaltsstelle", "1100.11100"), ("Kassenzeichen", "KZ-2025-4711"),
    )  # fmt: skip
    # transactionUrl is optional: the path ids come from the call, not from the URL.
    del body["paymentInformation"]["transactionUrl"]
    assert parse_transaction(body, "koeln", "o", "e").originator_id == "o"


def test_our_payment_request_has_the_published_shape() -> None:
    published = sample("xbezahldienste/payment-request.json")
    address = RequestorAddressRecord("Domkloster", "4", ("2. OG",), "50667", "Köln", "DE")
    payer = RequestorRecord("Mustermann", "Erika", "F", False, None, address)
    item = PaymentItemRecord(
        "1", "Reisepass", "GebNr-12-3", 1, 7000, (("Haushaltsstelle", "1100.11100"),)
    )
    ours = payment_request(
        PaymentRequestRecord(
            "r-1", "Reisepass 4711", "Gebühr", "https://p.example/", (item,), 7000, payer
        )
    )
    assert set(ours) == set(published)
    assert set(ours["items"][0]) == set(published["items"][0])
    assert ours["requestor"] == published["requestor"]


# Postfach (ZBP message_v6 / status_v6)


def test_message_v6_in_a_mailbox_envelope() -> None:
    message = sample("postfach/message_v6.json")
    digest = message["attachments"][0]["sha512sum"]
    envelope = {
        "id": "m-1",
        "receivedAt": "2025-03-01T10:15:30Z",
        "readAt": None,
        "isNotice": True,
        "message": message,
        "attachments": [
            {"attachmentId": "a-1", "sha512sum": digest, "mimeType": "application/pdf"}
        ],
    }
    record = parse_message(envelope, "koeln")
    assert record.required_trust_level is TrustLevel.SUBSTANTIAL
    assert (record.reply_allowed, record.reply_address) == (True, "buergeramt@musterstadt.example")
    assert (record.subject, record.application_id) == (
        "Ihr Antrag ist eingegangen", "54a0cd6a-e11a-4cbb-888f-56f2ca00d8af",
    )  # fmt: skip
    [attachment] = record.attachments
    assert (attachment.id, attachment.filename, attachment.size) == ("a-1", "doc.pdf", 9)
    without = envelope | {"message": {k: v for k, v in message.items() if k != "replyAddress"}}
    assert parse_message(without, "koeln").reply_allowed is False


def test_status_v6() -> None:
    record = parse_status_update(sample("postfach/status_v6.json"), "koeln")
    assert record.status is ApplicationStatus.PROCESSING
    assert record.application_id == "54a0cd6a-e11a-4cbb-888f-56f2ca00d8af"
    assert record.time == datetime(2025, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert record.detail == "In Prüfung – Wir melden uns."
    assert record.id == parse_status_update(sample("postfach/status_v6.json"), "x").id


# Identity provider


@pytest.mark.parametrize(
    ("case", "level"),
    [
        ("idp/access-token-claims-stork.json", TrustLevel.HIGH),
        ("idp/access-token-claims-eidas.json", TrustLevel.SUBSTANTIAL),
    ],
)
def test_access_token_claims(case: str, level: TrustLevel) -> None:
    viewer = viewer_from_claims(sample(case), "token")
    assert viewer.trust_level is level
    assert sample("idp/openid-configuration.json")["acr_values_supported"][level - 1].endswith(
        str(level.value)
    )
    assert {"access_token", "expires_in"} <= set(sample("idp/token-response.json"))
