"""The submission desk with fake upstreams and the journal on a real SQLite file: resume,
clean-up, duplicates, two desks (replicas) on one journal, a killed attempt, the race,
host mapping, per-submission callback secrets."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from graph.domain.refusals import SubmissionRefusedError, SubmissionRejection
from graph.domain.submitting import Delivery, DeskJournal, SubjectKeys, SubmissionDesk
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
    UpstreamRef,
)
from sources.errors import (
    DestinationKeyError,
    SourceError,
    SourceRejectedError,
    SourceUnavailableError,
)
from sources.journal import Journal, SecretBox, SubmissionState, upgrade

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
        self.hold: dict[str, asyncio.Event] = {}  # a step waits until its event is set
        self.reached: dict[str, asyncio.Event] = {}
        self.created = 0
        self.callbacks: list[CallbackRecord | None] = []

    async def _step(self, name: str) -> None:
        self.calls.append(name)
        self.reached.setdefault(name, asyncio.Event()).set()
        if name in self.hold:
            await self.hold[name].wait()
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
        await self._step("create")
        self.callbacks.append(callback)
        self.created += 1
        ids = tuple(f"att-{self.created}-{n}" for n in range(attachments))
        number = self.created
        return SubmissionRecord(
            "koeln", destination.destination_id, f"sub-{number}", f"case-{number}", ids
        )

    async def upload(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        attachment_id: str,
        upload: UploadRecord,
    ) -> None:
        await self._step("upload")

    async def submit(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        form: FormRecord,
        uploads: Sequence[UploadRecord],
    ) -> None:
        await self._step("submit")


def delivery(leika: str = "99085001012000") -> Delivery:
    upload = UploadRecord("a.pdf", "application/pdf", 5, "ab" * 64, io.BytesIO(b"%PDF-"))
    return Delivery(leika, "053150000000", "Reisepass", {"a": 1}, [upload], "handle")


KEYS = SecretBox.parse("k1:" + "A" * 43 + "=")


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[Journal]:
    await upgrade(None, sqlite_path=tmp_path / "journal.db")
    async with Journal.connect(None, sqlite_path=tmp_path / "journal.db", secrets=KEYS) as opened:
        yield opened


def desk_on(
    journal: Journal,
    api: FakeApi,
    *,
    lease: float = 60.0,
    busy_wait: float = 5.0,
    callback_url: Callable[[str], str] | None = None,
) -> SubmissionDesk:
    """One replica's desk; desks on the same journal behave as replicas on one database."""
    keys = DeskJournal(
        journal,
        SubjectKeys(b"test subject key"),
        lambda subject: "audience-" + subject[:3],
        lease_seconds=lease,
        busy_wait=busy_wait,
        poll_interval=0.05,
    )
    apis: dict[str, Any] = {"koeln": api}
    return SubmissionDesk(FakeRouter(), apis, keys, callback_url=callback_url)


def unavailable() -> SourceUnavailableError:
    return SourceUnavailableError("down", upstream=UpstreamRef("koeln", Capability.SUBMISSIONS))


async def test_a_refused_submit_frees_the_key_without_deleting_upstream(
    journal: Journal,
) -> None:
    api = FakeApi(
        "submit",
        SourceRejectedError(
            "422", upstream=UpstreamRef("koeln", Capability.SUBMISSIONS), status=422
        ),
    )
    desk = desk_on(journal, api)
    with pytest.raises(SubmissionRefusedError) as refused:
        await desk.deliver("subject", "k", delivery())
    assert (refused.value.code, refused.value.retryable) == (
        SubmissionRejection.REFUSED_BY_DESTINATION,
        False,
    )
    # Submission API 1.1.3 has no DELETE: the incomplete submission expires upstream.
    assert api.calls == ["create", "upload", "submit"]
    (entry,) = await journal.entries(SubjectKeys(b"test subject key")("subject"))
    assert (entry.state, entry.failure_reason) == (SubmissionState.FAILED, "REFUSED_BY_DESTINATION")
    api.fail_on = None
    receipt = await desk.deliver("subject", "k", delivery())  # a fresh attempt, not a duplicate
    assert not receipt.duplicate
    assert api.calls[3:] == ["create", "upload", "submit"]


async def test_an_unavailable_upstream_keeps_the_attempt_for_the_retry(journal: Journal) -> None:
    api = FakeApi("upload", unavailable())
    desk = desk_on(journal, api)
    with pytest.raises(SubmissionRefusedError) as refused:
        await desk.deliver("subject", "k", delivery())
    assert refused.value.retryable
    api.fail_on = None
    first = await desk.deliver("subject", "k", delivery())
    repeat = await desk.deliver("subject", "k", delivery())
    assert api.calls == ["create", "upload", "upload", "submit"]
    assert (first.duplicate, repeat.duplicate) == (False, True)
    assert repeat.submission == first.submission


async def test_a_retry_on_another_replica_resumes_and_a_repeat_is_a_duplicate(
    journal: Journal,
) -> None:
    api_a, api_b = FakeApi("upload", unavailable()), FakeApi()
    replica_a, replica_b = desk_on(journal, api_a), desk_on(journal, api_b)
    with pytest.raises(SubmissionRefusedError):
        await replica_a.deliver("subject", "k", delivery())
    first = await replica_b.deliver("subject", "k", delivery())
    assert api_b.calls == ["upload", "submit"]  # no second POST /v1/submissions
    assert first.submission.submission_id == "sub-1"
    api_a.fail_on = None
    repeat = await replica_a.deliver("subject", "k", delivery())
    assert (first.duplicate, repeat.duplicate) == (False, True)
    assert api_a.calls == ["create", "upload"]


async def test_a_killed_attempt_is_resumed_from_the_stored_submission_after_its_lease(
    journal: Journal,
) -> None:
    api_a, api_b = FakeApi(), FakeApi()
    api_a.hold["upload"] = asyncio.Event()  # replica A dies during the upload
    replica_a = desk_on(journal, api_a, lease=0.5)
    replica_b = desk_on(journal, api_b, lease=0.5, busy_wait=5.0)
    dying = asyncio.create_task(replica_a.deliver("subject", "k", delivery()))
    await api_a.reached.setdefault("upload", asyncio.Event()).wait()
    dying.cancel()  # the process is gone: nothing more is written, the lease stays
    with pytest.raises(asyncio.CancelledError):
        await dying
    receipt = await replica_b.deliver("subject", "k", delivery())  # BUSY, then RESUME
    assert api_b.calls == ["upload", "submit"]
    assert receipt.submission.submission_id == "sub-1"
    assert not receipt.duplicate


async def test_twins_racing_on_two_replicas_create_one_submission(journal: Journal) -> None:
    api_a, api_b = FakeApi(), FakeApi()
    api_a.hold["create"] = api_b.hold["create"] = gate = asyncio.Event()
    replica_a, replica_b = desk_on(journal, api_a), desk_on(journal, api_b)
    racing = [
        asyncio.create_task(replica.deliver("subject", "k", delivery()))
        for replica in (replica_a, replica_b)
    ]
    await asyncio.sleep(0.3)  # both claimed: one owns the attempt, the other polls (BUSY)
    gate.set()
    receipts = await asyncio.gather(*racing)
    assert api_a.created + api_b.created == 1
    assert sorted(r.duplicate for r in receipts) == [False, True]
    assert receipts[0].submission == receipts[1].submission


async def test_a_twin_still_running_after_the_busy_wait_is_a_retryable_rejection(
    journal: Journal,
) -> None:
    api_a = FakeApi()
    api_a.hold["create"] = asyncio.Event()
    running = asyncio.create_task(desk_on(journal, api_a).deliver("subject", "k", delivery()))
    await api_a.reached.setdefault("create", asyncio.Event()).wait()
    with pytest.raises(SubmissionRefusedError, match="still being sent") as refused:
        await desk_on(journal, FakeApi(), busy_wait=0.2).deliver("subject", "k", delivery())
    assert (refused.value.code, refused.value.retryable) == (
        SubmissionRejection.UPSTREAM_FAILED,
        True,
    )
    api_a.hold["create"].set()
    assert not (await running).duplicate


async def test_the_same_key_for_another_request_is_a_duplicate_rejection(journal: Journal) -> None:
    desk = desk_on(journal, FakeApi())
    await desk.deliver("subject", "k", delivery())
    other = Delivery("99085001012000", "053150000000", "Reisepass", {"a": 2}, [], "handle")
    with pytest.raises(SubmissionRefusedError) as refused:
        await desk.deliver("subject", "k", other)
    assert refused.value.code is SubmissionRejection.DUPLICATE
    # Another viewer's identical key is their own attempt, not a duplicate of this one.
    assert not (await desk.deliver("someone else", "k", delivery())).duplicate


async def test_the_journal_keeps_a_pseudonym_digests_an_encrypted_secret_and_the_route(
    journal: Journal,
) -> None:
    desk = desk_on(journal, FakeApi())
    await desk.deliver("subject-1234", "k", delivery())
    pseudonym = SubjectKeys(b"test subject key")("subject-1234")
    assert pseudonym != SubjectKeys(b"another key")("subject-1234")
    (entry,) = await journal.entries(pseudonym)
    assert "subject-1234" not in pseudonym
    assert entry.state is SubmissionState.SUBMITTED
    assert [(a.sha512, a.size, a.media_type) for a in entry.attachments] == [
        ("ab" * 64, 5, "application/pdf")
    ]
    target = await journal.submissions.callback_target("sub-1")
    assert target is not None
    assert (target.portal_id, target.case_id) == ("koeln", "case-1")
    assert len(target.secret) >= 40
    (route,) = await journal.routes.lookup("koeln", "case-1")
    assert (route.subject_key, route.audience) == (pseudonym, "audience-sub")
    assert route.data["caseId"] == "case-1"
    database = Path(str(journal.url.database))
    for file in (
        database,
        database.with_name(database.name + "-wal"),
    ):  # the WAL holds recent pages
        raw = file.read_bytes() if file.exists() else b""
        assert b"subject-1234" not in raw, file
        assert target.secret.encode() not in raw, file


async def test_a_repeated_submit_after_a_kill_that_finds_it_sent_completes(
    journal: Journal,
) -> None:
    conflict = SourceRejectedError(
        "409", upstream=UpstreamRef("koeln", Capability.SUBMISSIONS), status=409
    )
    api_a = FakeApi()
    api_a.hold["submit"] = asyncio.Event()
    replica_a = desk_on(journal, api_a, lease=0.3)
    dying = asyncio.create_task(replica_a.deliver("subject", "k", delivery()))
    await api_a.reached.setdefault("submit", asyncio.Event()).wait()
    dying.cancel()  # killed after the submit call went out, before the journal heard
    with pytest.raises(asyncio.CancelledError):
        await dying
    api_b = FakeApi("submit", conflict)  # the upstream: "submission already submitted"
    receipt = await desk_on(journal, api_b, lease=0.3).deliver("subject", "k", delivery())
    assert api_b.calls == ["submit"]
    assert receipt.submission.submission_id == "sub-1"


async def test_no_route_and_hosts_outside_the_network_are_no_route(journal: Journal) -> None:
    desk = SubmissionDesk(FakeRouter(), {}, desk_on(journal, FakeApi()).journal)
    for leika in ("12345678901234", "99085001012000"):
        with pytest.raises(SubmissionRefusedError, match="No authority"):
            await desk.deliver("subject", leika, delivery(leika))


async def test_a_route_whose_host_maps_to_no_network_api_is_no_route(journal: Journal) -> None:
    class Unmapped:
        async def route(self, leika_key: str, ars: str) -> RouteRecord | None:
            return RouteRecord("dest-1", "Bürgeramt", "submissions.test", None)

    api = FakeApi()
    desk = SubmissionDesk(Unmapped(), {"koeln": api}, desk_on(journal, api).journal)
    with pytest.raises(SubmissionRefusedError, match="No authority"):
        await desk.deliver("subject", "k", delivery())
    assert api.calls == []


async def test_a_refused_destination_key_is_destination_key_invalid_and_nothing_is_sent(
    journal: Journal,
) -> None:
    class BadKey(FakeApi):
        async def destination(self, destination_id: str) -> DestinationRecord:
            raise DestinationKeyError(
                "no x5c", upstream=UpstreamRef("koeln", Capability.SUBMISSIONS)
            )

    api = BadKey()
    desk = desk_on(journal, api)
    with pytest.raises(SubmissionRefusedError) as refused:
        await desk.deliver("subject", "k", delivery())
    assert refused.value.code is SubmissionRejection.DESTINATION_KEY_INVALID
    assert api.calls == []


async def test_create_carries_the_callback_url_and_the_secret_the_journal_keeps(
    journal: Journal,
) -> None:
    api = FakeApi()
    desk = desk_on(journal, api, callback_url=lambda p: f"https://gw.test/hooks/fitconnect/{p}")
    await desk.deliver("subject", "k", delivery())
    (callback,) = api.callbacks
    assert callback is not None
    assert callback.url == "https://gw.test/hooks/fitconnect/koeln"
    assert 32 <= len(callback.secret) <= 512  # FIT-Connect's bounds
    target = await journal.submissions.callback_target("sub-1")
    assert target is not None
    assert callback.secret == target.secret
    other = FakeApi()
    await desk_on(journal, other, callback_url=lambda p: "https://gw.test/x").deliver(
        "subject", "k2", delivery()
    )
    assert other.callbacks[0] is not None
    assert other.callbacks[0].secret != callback.secret  # one secret per submission


async def test_without_a_callback_url_nothing_is_announced_but_the_secret_is_kept(
    journal: Journal,
) -> None:
    api = FakeApi()
    await desk_on(journal, api).deliver("subject", "k", delivery())
    assert api.callbacks == [None]
    assert await journal.submissions.callback_target("sub-1") is not None
