"""Account-area applications and the Postfach, driven in-process with real IdP tokens."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.unit.sandbox.upstreams import Upstreams, bearer


@pytest.fixture(scope="module")
def net() -> Upstreams:
    return Upstreams()


async def applications(net: Upstreams, login: str, portal: str, query: str = "") -> Any:
    token = await net.citizen_token(login, portal)
    async with net.client(portal, "accounts") as client:
        response = await client.get(f"/v1/me/applications{query}", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


async def test_applications_are_the_subjects_own(net: Upstreams) -> None:
    erika = await applications(net, "erika", "koeln")
    assert erika["totalCount"] == 2 == erika["count"]
    assert erika["offset"] == 0
    updated = [a["createdAt"] for a in erika["applications"]]
    assert updated == sorted(updated, reverse=True)
    first = erika["applications"][0]
    assert set(first) == {
        "applicationId", "caseId", "submissionId", "destinationId", "leikaKey", "serviceName",
        "reference", "createdAt", "submittedAt", "updatedAt", "payments",
    }  # fmt: skip
    assert first["createdAt"].endswith("Z")
    lena = await applications(net, "lena", "koeln")
    assert {a["applicationId"] for a in lena["applications"]}.isdisjoint(
        a["applicationId"] for a in erika["applications"]
    )
    paged = await applications(net, "erika", "koeln", "?limit=1&offset=1")
    assert paged["count"] == 1
    assert paged["totalCount"] == 2
    assert paged["applications"][0] == erika["applications"][1]


async def test_wrong_audience_and_missing_account(net: Upstreams) -> None:
    nrw_token = await net.citizen_token("erika", "nrw")
    async with net.client("koeln", "accounts") as client:
        assert (await client.get("/v1/me/applications")).status_code == 401
        response = await client.get("/v1/me/applications", headers=bearer(nrw_token))
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        bad = await client.get(
            "/v1/me/applications?limit=501",
            headers=bearer(await net.citizen_token("erika", "koeln")),
        )
        assert bad.status_code == 400
    max_koeln = await net.citizen_token("max", "koeln")  # max has no Köln account
    async with net.client("koeln", "accounts") as client:
        assert (
            await client.get("/v1/me/applications", headers=bearer(max_koeln))
        ).status_code == 404


async def test_payment_link_is_idempotent_and_listed(net: Upstreams) -> None:
    token = await net.citizen_token("lena", "koeln")
    app = (await applications(net, "lena", "koeln"))["applications"][0]
    body = {"originatorId": "99070001001000", "endPointId": "053150000000", "requestId": "r-1"}
    path = f"/v1/me/applications/{app['applicationId']}/payments/TX-LINKED-1"
    async with net.client("koeln", "accounts") as client:
        for _ in range(2):
            assert (await client.put(path, json=body, headers=bearer(token))).status_code == 204
        erika = await net.citizen_token("erika", "koeln")
        assert (await client.put(path, json=body, headers=bearer(erika))).status_code == 404
        assert (await client.put(path, json={}, headers=bearer(token))).status_code == 400
        stats = (await client.get("/_sandbox/stats")).json()["calls"]
    listed = (await applications(net, "lena", "koeln"))["applications"][0]["payments"]
    assert listed.count({"transactionId": "TX-LINKED-1", **body}) == 1
    assert stats["PUT /v1/me/applications/{applicationId}/payments/{transactionId}"] == 4


async def test_inbox_messages_status_updates_read_and_attachments(net: Upstreams) -> None:
    token = await net.citizen_token("erika", "koeln")
    async with net.client("koeln", "inbox") as client:
        listing = (await client.get("/v1/messages", headers=bearer(token))).json()
        messages = listing["messages"]
        assert listing["totalCount"] == len(messages) >= 4
        received = [m["receivedAt"] for m in messages]
        assert received == sorted(received, reverse=True)
        levels = {m["message"]["stork_qaa_level"] for m in messages}
        assert levels >= {1, 2, 4}  # the gateway locks level 4
        notice = next(m for m in messages if m["isNotice"] and m["attachments"])
        assert notice["message"]["content"].startswith("<p>")
        # The envelope names each message_v6 attachment by its hash.
        hashes = {a["sha512sum"] for a in notice["message"]["attachments"]}
        assert {a["sha512sum"] for a in notice["attachments"]} == hashes
        unread = next(m for m in messages if m["readAt"] is None)
        for _ in range(2):
            response = await client.post(f"/v1/messages/{unread['id']}/read", headers=bearer(token))
            assert response.status_code == 204
        again = (await client.get("/v1/messages", headers=bearer(token))).json()["messages"]
        read_at = next(m["readAt"] for m in again if m["id"] == unread["id"])
        assert read_at is not None
        attachment = notice["message"]["attachments"][0]
        entry = next(a for a in notice["attachments"] if a["sha512sum"] == attachment["sha512sum"])
        url = f"/v1/messages/{notice['id']}/attachments/{entry['attachmentId']}"
        response = await client.get(url, headers=bearer(token))
        assert response.status_code == 200
        assert hashlib.sha512(response.content).hexdigest() == attachment["sha512sum"]
        assert int(response.headers["content-length"]) == attachment["contentLength"]
        assert response.headers["content-type"].startswith(entry["mimeType"])
        assert attachment["filename"] in response.headers["content-disposition"]
        assert response.content.startswith(b"%PDF-")
        lena = await net.citizen_token("lena", "koeln")
        assert (await client.get(url, headers=bearer(lena))).status_code == 404
        assert (
            await client.post(f"/v1/messages/{unread['id']}/read", headers=bearer(lena))
        ).status_code == 404
        updates = (await client.get("/v1/statusupdates", headers=bearer(token))).json()
        created = [u["createdDate"] for u in updates["statusUpdates"]]
        assert created == sorted(created)
        assert "ACTION_REQUIRED" in {u["status"] for u in updates["statusUpdates"]}
        assert all(u["statusDetails"]["de"] for u in updates["statusUpdates"])
        assert all("id" not in u for u in updates["statusUpdates"])  # status_v6 has none
        assert all(u["createdDate"].endswith(".000Z") for u in updates["statusUpdates"])


async def test_max_has_a_message_he_cannot_open(net: Upstreams) -> None:
    token = await net.citizen_token("max", "dormagen")
    async with net.client("dormagen", "inbox") as client:
        messages = (await client.get("/v1/messages", headers=bearer(token))).json()["messages"]
    assert any(m["message"]["stork_qaa_level"] >= 3 for m in messages)
