"""The write side: routing, FIT-Connect submissions, uploads and the virus-scan seam."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

from sources.base.portals import PortalRecord


@dataclass(frozen=True, slots=True)
class RouteRecord:
    """Where a service is submitted for a region (FIT-Connect Routing API).

    `submission_host` is the bare host name of the signed route; `submission_url` is the
    Submission API base the gateway maps that host to (None: no API known for the host).
    """

    destination_id: str
    destination_name: str | None
    submission_host: str
    submission_url: str | None = None


@dataclass(frozen=True, slots=True)
class DestinationRecord:
    """A destination's public data: its encryption key (JWK) and form schema per LeiKa key.

    `reply_channels` names the reply channels it offers (`fitConnect`, `eMail`, `fink`, ...).
    """

    destination_id: str
    encryption_key: dict[str, Any] = field(repr=False)
    schema_uris: dict[str, str]
    reply_channels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """An attachment to submit; `file` is a seekable binary file (spooled, maybe on disk)."""

    filename: str
    mime_type: str
    size: int
    sha512: str
    file: BinaryIO = field(repr=False)


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """A created (announced) submission: its ids and one attachment id per upload, in order."""

    portal_id: str
    destination_id: str
    submission_id: str
    case_id: str
    attachment_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormRecord:
    """What a submission carries besides attachments: the form JSON and where replies go."""

    leika_key: str
    service_name: str
    data: bytes
    schema_uri: str
    postfach_ref: str | None


class Router(Protocol):
    """The FIT-Connect Routing API: the destination of a LeiKa key in a region, or None."""

    async def route(self, leika_key: str, ars: str) -> RouteRecord | None: ...


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """A per-submission callback: FIT-Connect POSTs new-events there, HMAC-signed with `secret`."""

    url: str
    secret: str = field(repr=False)


class SubmissionApi(Protocol):
    """A FIT-Connect Submission API (sender side); it encrypts what it sends.

    There is no delete: `DELETE /v1/submissions/{id}` is not in Submission API 1.1.3, and an
    incomplete submission expires at the Zustelldienst.
    """

    portal: PortalRecord

    async def destination(self, destination_id: str) -> DestinationRecord: ...

    async def form_schema(self, uri: str) -> dict[str, Any] | None: ...

    async def create(
        self,
        destination: DestinationRecord,
        leika_key: str,
        service_name: str,
        attachments: int,
        case_id: str | None = None,
        callback: CallbackRecord | None = None,
    ) -> SubmissionRecord: ...

    async def upload(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        attachment_id: str,
        upload: UploadRecord,
    ) -> None: ...

    async def submit(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        form: FormRecord,
        uploads: Sequence[UploadRecord],
    ) -> None: ...


class VirusScanner(Protocol):
    """A hook to scan uploads before they leave the gateway; returns a finding or None."""

    async def scan(self, upload: UploadRecord) -> str | None: ...
