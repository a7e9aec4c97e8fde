"""The submission desk with fake upstreams: resume, clean-up, duplicates, host mapping."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest

from graph.domain.submitting import (
    Delivery,
    SubmissionDesk,
    SubmissionJournal,
    SubmissionRefusedError,
)
from sources.base import (
    CallbackRecord,
    Capability,
    DestinationRecord,
    EndpointRecord,
    FormRecord,
    PortalRecord,
    RouteRecord,
    SubmissionRecord,
    Tier,
    UploadRecord,
)
from sources.errors import (
    DestinationKeyError,
    SourceError,
    SourceRejectedError,
    SourceUnavailableError,
)

HOST = "http://submissions.test"
PORTAL = PortalRecord(
    "koeln",
    "Köln",
    Tier.MUNICIPAL,
    "053150000000",
    None,
    {Capability.SUBMISSIONS: EndpointRecord(HOST)},
)


class FakeRouter:
    async def route(self, leika_key: str, ars: str) -> RouteRecord | None:
        if not leika_key.startswith("99"):
            return None
        return RouteRecord("dest-1", "Bürgeramt", "submissions.test", HOST)


class FakeApi:
    portal = PORTAL

    def __init__(self, fail_on: str | None = None, error: SourceError | None = None) -> None:
        self.fail_on, self.error = fail_on, error
        self.calls: list[str] = []

    def _step(self, name: str) -> None:
        self.calls.append(name)
        if name == self.fail_on and self.error is not None:
            raise self.error

    async def destination(self, destination_id: str) -> DestinationRecord:
        return DestinationRecord(destination_id, {}, {})

    async def form_schema(self, uri: str) -> dict[str, Any] | None:
        return None

    async def create(
        self,
        destination: DestinationRecord,
        leika_key: str,
        service_name: str,
        attachments: int,
        case_id: str | None = None,
        callback: CallbackRecord | None = None,
    ) -> SubmissionRecord:
        self._step("create")
        ids = tuple(f"att-{n}" for n in range(attachments))
        return SubmissionRecord("koeln", destination.destination_id, "sub-1", "case-1", ids)

    async def upload(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        attachment_id: str,
        upload: UploadRecord,
    ) -> None:
        self._step("upload")

    async def submit(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        form: FormRecord,
        uploads: Sequence[UploadRecord],
    ) -> None:
        self._step("submit")


def delivery(leika: str = "99085001012000") -> Delivery:
    upload = UploadRecord("a.pdf", "application/pdf", 5, "ab" * 64, io.BytesIO(b"%PDF-"))
    return Delivery(leika, "053150000000", "Reisepass", {"a": 1}, [upload], "handle")


async def test_a_refused_submit_forgets_the_attempt_without_deleting_upstream() -> None:
    api = FakeApi(
        "submit",
        SourceRejectedError("422", portal_id="koeln", capability="submissions", status=422),
    )
    desk = SubmissionDesk(FakeRouter(), {"koeln": api}, SubmissionJournal())
    with pytest.raises(SubmissionRefusedError) as refused:
        await desk.deliver("subject", "k", delivery())
    assert (refused.value.code, refused.value.retryable) == ("REFUSED_BY_DESTINATION", False)
    # Submission API 1.1.3 has no DELETE: the incomplete submission expires upstream.
    assert api.calls == ["create", "upload", "submit"]
    api.fail_on = None
    receipt = await desk.deliver("subject", "k", delivery())  # a fresh attempt, not a duplicate
    assert not receipt.duplicate
    assert api.calls[3:] == ["create", "upload", "submit"]


async def test_an_unavailable_upstream_keeps_the_attempt_for_the_retry() -> None:
    api = FakeApi(
        "upload", SourceUnavailableError("down", portal_id="koeln", capability="submissions")
    )
    desk = SubmissionDesk(FakeRouter(), {"koeln": api}, SubmissionJournal())
    with pytest.raises(SubmissionRefusedError) as refused:
        await desk.deliver("subject", "k", delivery())
    assert refused.value.retryable
    api.fail_on = None
    first = await desk.deliver("subject", "k", delivery())
    repeat = await desk.deliver("subject", "k", delivery())
    assert api.calls == ["create", "upload", "upload", "submit"]
    assert (first.duplicate, repeat.duplicate) == (False, True)


async def test_no_route_and_hosts_outside_the_network_are_no_route() -> None:
    desk = SubmissionDesk(FakeRouter(), {}, SubmissionJournal())
    for leika in ("12345678901234", "99085001012000"):
        with pytest.raises(SubmissionRefusedError, match="No authority"):
            await desk.deliver("subject", leika, delivery(leika))


async def test_a_route_whose_host_maps_to_no_network_api_is_no_route() -> None:
    class Unmapped:
        async def route(self, leika_key: str, ars: str) -> RouteRecord | None:
            return RouteRecord("dest-1", "Bürgeramt", "submissions.test", None)

    api = FakeApi()
    desk = SubmissionDesk(Unmapped(), {"koeln": api}, SubmissionJournal())
    with pytest.raises(SubmissionRefusedError, match="No authority"):
        await desk.deliver("subject", "k", delivery())
    assert api.calls == []


async def test_a_refused_destination_key_is_destination_key_invalid_and_nothing_is_sent() -> None:
    class BadKey(FakeApi):
        async def destination(self, destination_id: str) -> DestinationRecord:
            raise DestinationKeyError("no x5c", portal_id="koeln", capability="submissions")

    api = BadKey()
    desk = SubmissionDesk(FakeRouter(), {"koeln": api}, SubmissionJournal())
    with pytest.raises(SubmissionRefusedError) as refused:
        await desk.deliver("subject", "k", delivery())
    assert refused.value.code == "DESTINATION_KEY_INVALID"
    assert api.calls == []
