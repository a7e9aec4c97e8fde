"""The Submission API adapter: per-submission callbacks, refused keys, JWE headers, no delete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwe

from sandbox import pki
from sources.base import (
    CallbackRecord,
    Capability,
    DestinationRecord,
    ErrorCode,
    FormRecord,
    PortalRecord,
    SubmissionApi,
    Tier,
    UpstreamRef,
)
from sources.errors import DestinationKeyError
from sources.submission import FitConnectSubmissions
from tests.helpers.mock_upstream import mocked

SAMPLES = Path(__file__).parents[2] / "samples/submission"
PORTAL = PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {})
DESTINATION = json.loads((SAMPLES / "destination.json").read_text())
CALLBACK = CallbackRecord("https://gateway.example/hooks/fitconnect/koeln", "s" * 40)


def adapter(handler: Any) -> FitConnectSubmissions:
    upstream, bearer = mocked(
        handler, "https://submission.example", UpstreamRef("koeln", Capability.SUBMISSIONS)
    )
    return FitConnectSubmissions(PORTAL, upstream, bearer)


@pytest.fixture(scope="module")
def key() -> pki.KeyPair:
    kid = DESTINATION["encryptionKid"]
    return pki.key_pair("test-submission-destination", kid=kid, alg="RSA-OAEP-256")


def test_there_is_no_delete_to_call() -> None:
    assert not hasattr(FitConnectSubmissions, "delete")
    assert "delete" not in dir(SubmissionApi)


async def test_a_destination_key_without_a_usable_chain_is_refused_typed() -> None:
    seen: list[str] = []
    broken = json.loads((SAMPLES / "jwk-wrapkey.json").read_text())  # placeholder x5c

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/keys/" + DESTINATION["encryptionKid"]):
            return httpx.Response(200, json=broken | {"kid": DESTINATION["encryptionKid"]})
        return httpx.Response(200, json=DESTINATION)

    with pytest.raises(DestinationKeyError) as refused:
        await adapter(answer).destination(DESTINATION["destinationId"])
    # The desk answers DESTINATION_KEY_INVALID for this type (tests/unit/graph/domain).
    assert refused.value.code is ErrorCode.UPSTREAM_BAD_RESPONSE
    assert len(seen) == 2  # destination and key; nothing is created


async def test_create_sends_the_callback_and_submit_names_kid_and_cty(key: pki.KeyPair) -> None:
    bodies: list[tuple[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET":
            if "/keys/" in path:
                return httpx.Response(200, json=key.public)
            return httpx.Response(200, json=DESTINATION)
        bodies.append((f"{request.method} {path}", json.loads(request.content)))
        if request.method == "POST":
            created = {"destinationId": DESTINATION["destinationId"], "caseId": "c" * 8}
            return httpx.Response(
                201, json=created | {"submissionId": "5d1b4b0e-0c3c-4f5e-9a3c-2b1f0e9d8c7a"}
            )
        return httpx.Response(202, json={})

    api = adapter(answer)
    destination = await api.destination(DESTINATION["destinationId"])
    assert destination.reply_channels == ("elster",)
    submission = await api.create(
        destination, "99107004018000", "Kinderzuschlag", 0, callback=CALLBACK
    )
    form = FormRecord("99107004018000", "Kinderzuschlag", b'{"a":1}', "urn:schema", None)
    await api.submit(submission, destination, form, [])
    (_, created), (_, submitted) = bodies
    assert created["callback"] == {"url": CALLBACK.url, "secret": CALLBACK.secret}
    for token in (submitted["encryptedMetadata"], submitted["encryptedData"]):
        decrypted = jwe.decrypt_compact(token, key.private, algorithms=["RSA-OAEP-256", "A256GCM"])
        assert decrypted.protected["kid"] == DESTINATION["encryptionKid"]
        assert decrypted.protected["cty"] == "application/json"


async def test_create_without_a_callback_sends_none() -> None:
    seen: list[Any] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(201, json={"submissionId": "s-1", "caseId": "c-1"})

    record = DestinationRecord(DESTINATION["destinationId"], {}, {})
    await adapter(answer).create(record, "99107004018000", "Kinderzuschlag", 1)
    assert "callback" not in seen[0]
    assert len(seen[0]["announcedAttachments"]) == 1
