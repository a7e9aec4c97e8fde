"""The event log adapter: who may sign which SET, the case's destination, paging, replies."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import RSAKey

from sources.base import (
    ApplicationStatus,
    Capability,
    PortalRecord,
    Tier,
    UpstreamRef,
)
from sources.fitconnect import FitConnectCases
from tests.helpers.mock_upstream import mocked

BASE = "http://zustelldienst.test"
CASE = "452b5ee6-1f8e-4b2a-9f2b-3c4d5e6f7a8b"
SUBMISSION = "02bf1d9f-7b51-4b30-a4c7-8a1e2b0f2d3c"
EVENTS = "https://schema.fitko.de/fit-connect/events/"
PORTAL = PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {})


def key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "PS512"})


ZUSTELLDIENST = key("zd-key-1")
DESTINATION = "40847c29-06aa-40e2-bf28-c29884c694c4"
DESTINATION_KEY = key("dest-sig-1")
OTHER = "9f0e1d2c-3b4a-4596-8877-665544332211"
OTHER_KEY = key("other-sig-1")


def public(signer: RSAKey) -> dict[str, Any]:
    return dict(signer.as_dict(private=False)) | {"alg": "PS512", "key_ops": ["verify"]}


def set_token(
    name: str,
    signer: RSAKey,
    issuer: str,
    *,
    at: int,
    subject: str = f"submission:{SUBMISSION}",
    payload: dict[str, Any] | None = None,
    typ: str = "secevent+jwt",
) -> str:
    claims = {
        "$schema": "https://schema.fitko.de/fit-connect/set-payload/1.2.2/set-payload.schema.json",
        "jti": str(uuid.uuid4()),
        "iss": issuer,
        "iat": at,
        "sub": subject,
        "txn": f"case:{CASE.upper()}",
        "events": {EVENTS + name: payload or {}},
    }
    header = {"typ": typ, "alg": "PS512", "kid": signer.kid}
    return jws.serialize_compact(header, json.dumps(claims).encode(), signer, algorithms=["PS512"])


@dataclass
class Zustelldienst:
    """A mocked Submission API: the event log (paged), the JWKS and destination keys."""

    log: list[str] = field(default_factory=list)
    calls: list[httpx.Request] = field(default_factory=list)
    signers: list[RSAKey] = field(default_factory=lambda: [ZUSTELLDIENST])  # its JWKS

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path = request.url.path
        if path == "/.well-known/jwks.json":
            return httpx.Response(200, json={"keys": [public(k) for k in self.signers]})
        if path == f"/v1/cases/{CASE}/events":
            limit = int(request.url.params["limit"])
            offset = int(request.url.params["offset"])
            chunk = self.log[offset : offset + limit]
            body = {"count": len(chunk), "offset": offset, "totalCount": len(self.log)}
            return httpx.Response(200, json=body | {"eventLog": chunk})
        for destination, signer in ((DESTINATION, DESTINATION_KEY), (OTHER, OTHER_KEY)):
            if path == f"/v1/destinations/{destination}/keys/{signer.kid}":
                return httpx.Response(200, json=public(signer))
        return httpx.Response(404, json={"title": "Not Found"})


@pytest.fixture
def service() -> tuple[Zustelldienst, FitConnectCases]:
    mock = Zustelldienst()
    upstream, bearer = mocked(mock, BASE, UpstreamRef("koeln", Capability.STATUS))
    return mock, FitConnectCases(PORTAL, upstream, bearer)


def lifecycle(final: str, signer: RSAKey, issuer: str) -> list[str]:
    return [
        set_token("create-submission", ZUSTELLDIENST, BASE, at=100),
        set_token("submit-submission", ZUSTELLDIENST, BASE, at=101),
        set_token("notify-submission", ZUSTELLDIENST, BASE + "/", at=102),
        set_token(final, signer, issuer, at=103),
    ]


async def test_the_case_destination_signs_accept_and_it_counts(
    service: tuple[Zustelldienst, FitConnectCases],
) -> None:
    mock, cases = service
    mock.log = lifecycle("accept-submission", DESTINATION_KEY, DESTINATION)
    events = await cases.events(CASE, DESTINATION)
    assert [e.status for e in events] == [
        ApplicationStatus.INITIATED,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.RECEIVED,
    ]
    assert events[-1].detail == "Antrag von der Behörde angenommen"
    key_calls = [c for c in mock.calls if "/keys/" in c.url.path]
    assert [c.url.path for c in key_calls] == [f"/v1/destinations/{DESTINATION}/keys/dest-sig-1"]
    # The key is kept: the next read fetches it no more.
    await cases.events(CASE, DESTINATION)
    assert len([c for c in mock.calls if "/keys/" in c.url.path]) == 1


async def test_concurrent_reads_fetch_a_destination_key_once(
    service: tuple[Zustelldienst, FitConnectCases],
) -> None:
    mock, cases = service
    mock.log = lifecycle("reject-submission", DESTINATION_KEY, DESTINATION)
    await asyncio.gather(*(cases.events(CASE, DESTINATION) for _ in range(5)))
    assert len([c for c in mock.calls if "/keys/" in c.url.path]) == 1


async def test_uuids_compare_case_insensitively(
    service: tuple[Zustelldienst, FitConnectCases],
) -> None:
    mock, cases = service
    mock.log = lifecycle("reject-submission", DESTINATION_KEY, DESTINATION.upper())
    mock.log[-1] = set_token(
        "reject-submission",
        DESTINATION_KEY,
        DESTINATION.upper(),
        at=103,
        payload={"problems": [{"type": "t", "title": "Nachweis fehlt", "detail": "d"}]},
    )
    latest = await cases.latest(CASE, DESTINATION)  # txn and iss are upper case
    assert latest is not None
    assert latest.status is ApplicationStatus.REJECTED
    assert latest.detail == "Antrag von der Behörde zurückgewiesen: Nachweis fehlt"


@pytest.mark.parametrize(
    ("final", "signer", "issuer", "destination"),
    [
        # Another destination, with its own valid key, writes into this case.
        ("accept-submission", OTHER_KEY, OTHER, DESTINATION),
        # The destination of the case is not known: an authority event cannot be attributed.
        ("accept-submission", DESTINATION_KEY, DESTINATION, None),
        # Claims to be the case's destination but is signed with another key.
        ("accept-submission", OTHER_KEY, DESTINATION, DESTINATION),
        # The Zustelldienst cannot accept a submission on the authority's behalf.
        ("accept-submission", ZUSTELLDIENST, BASE, DESTINATION),
        # A destination cannot write the Zustelldienst's events.
        ("delete-submission", DESTINATION_KEY, DESTINATION, DESTINATION),
        # An issuer URL that is not this Zustelldienst.
        ("notify-submission", ZUSTELLDIENST, "https://elsewhere.example", DESTINATION),
    ],
)
async def test_events_that_do_not_check_out_are_dropped(
    service: tuple[Zustelldienst, FitConnectCases],
    final: str,
    signer: RSAKey,
    issuer: str,
    destination: str | None,
) -> None:
    mock, cases = service
    mock.log = lifecycle(final, signer, issuer)
    events = await cases.events(CASE, destination)
    assert len(events) == 3  # the three events of the Zustelldienst only
    assert cases.rejected_events == 1
    assert await cases.latest(CASE, destination) is None  # never an older event instead


async def test_every_page_of_a_long_log_is_read(
    service: tuple[Zustelldienst, FitConnectCases],
) -> None:
    mock, cases = service
    notify = set_token("notify-submission", ZUSTELLDIENST, BASE, at=200)
    mock.log = [
        *[notify] * 1100,
        set_token("accept-submission", DESTINATION_KEY, DESTINATION, at=300),
    ]
    events = await cases.events(CASE, DESTINATION)
    assert len(events) == 1101
    pages = [c.url.params for c in mock.calls if c.url.path.endswith("/events")]
    assert [(p["limit"], p["offset"]) for p in pages] == [
        ("500", "0"),
        ("500", "500"),
        ("500", "1000"),
    ]
    mock.calls.clear()
    latest = await cases.latest(CASE, DESTINATION)
    assert latest is not None
    assert latest.status is ApplicationStatus.RECEIVED
    pages = [c.url.params for c in mock.calls if c.url.path.endswith("/events")]
    assert [p["offset"] for p in pages] == ["0", "601"]  # first page, then straight to the end


async def test_reply_events_keep_the_status_and_carry_the_reply_id(
    service: tuple[Zustelldienst, FitConnectCases],
) -> None:
    mock, cases = service
    reply = "9b2c4d6e-8f0a-4b1c-9d3e-5f7a9b1c3d5e"
    mock.log = [
        *lifecycle("accept-submission", DESTINATION_KEY, DESTINATION),
        set_token("create-reply", ZUSTELLDIENST, BASE, at=104, subject=f"reply:{reply}"),
        set_token("submit-reply", ZUSTELLDIENST, BASE, at=105, subject=f"reply:{reply}"),
    ]
    events = await cases.events(CASE, DESTINATION)
    assert len(events) == 5  # create-reply documents an unfinished reply: no history entry
    assert (events[-1].reply_id, events[-1].status) == (reply, ApplicationStatus.RECEIVED)
    assert events[-1].detail == "Antwort der Behörde eingegangen"
    latest = await cases.latest(CASE, DESTINATION)
    assert latest is not None
    assert (latest.reply_id, latest.status) == (reply, ApplicationStatus.RECEIVED)
    # A reply event with a submission subject is malformed.
    mock.log.append(set_token("submit-reply", ZUSTELLDIENST, BASE, at=106))
    assert len(await cases.events(CASE, DESTINATION)) == 5


async def test_a_token_that_is_no_security_event_token_is_dropped(
    service: tuple[Zustelldienst, FitConnectCases],
) -> None:
    mock, cases = service
    mock.log = [set_token("create-submission", ZUSTELLDIENST, BASE, at=1, typ="JWT")]
    assert await cases.events(CASE, DESTINATION) == []
    assert cases.rejected_events == 1
