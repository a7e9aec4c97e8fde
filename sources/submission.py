"""FIT-Connect Submission API v1 (1.1.3), sender side: create, upload, submit.

Follows reference/portalverbund.md §3.2 and §3.4: announce attachments (optionally with a
per-submission `callback {url, secret}`), upload each as JWE (RSA-OAEP-256 / A256GCM, header
with `kid` and `cty`) to the destination's published key, then send metadata v2.1.0 with
sha512 hashes of the plaintexts plus the encrypted form data. A key that is not RSA ≥ 4096
with a consistent `x5c` is refused before anything is sent (DestinationKeyError). There is
no delete: 1.1.3 has none, an incomplete submission expires at the Zustelldienst. Calls
carry a client-credentials token (the gateway is the sender system).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

from sources._auth import ServiceBearer
from sources._http import Upstream, map_transport_errors
from sources._jwe import EncryptionKeyError, StreamingJwe, encrypt_compact, encryption_key
from sources._parse import MalformedError, items_of, obj, text
from sources._paths import UUID, segment
from sources.base import (
    CallbackRecord,
    DestinationRecord,
    FormRecord,
    PortalRecord,
    SubmissionRecord,
    UploadRecord,
)
from sources.errors import DestinationKeyError

METADATA_SCHEMA = "https://schema.fitko.de/fit-connect/metadata/2.1.0/metadata.schema.json"
JSON_TYPE = "application/json"
LEIKA_URN = "urn:de:fim:leika:leistung:"


class FitConnectSubmissions:
    def __init__(
        self,
        portal: PortalRecord,
        upstream: Upstream,
        bearer: ServiceBearer,
        *,
        upload_timeout: float = 120.0,
    ) -> None:
        self.portal = portal
        self.upstream = upstream
        self.bearer = bearer
        self.upload_timeout = upload_timeout

    async def destination(self, destination_id: str) -> DestinationRecord:
        headers = await self.bearer.headers()
        body = await self.upstream.send_json(
            "GET",
            f"/v1/destinations/{segment(self.upstream, destination_id, UUID)}",
            headers=headers,
        )
        try:
            kid, schemas, channels = parse_destination(body)
        except (MalformedError, KeyError) as exc:
            raise self.upstream.bad_response(f"unexpected destination: {exc}") from exc
        jwk = await self.upstream.send_json(
            "GET",
            f"/v1/destinations/{segment(self.upstream, destination_id, UUID)}/keys/{segment(self.upstream, kid)}",
            headers=headers,
        )
        try:
            encryption_key(obj(jwk))
        except (EncryptionKeyError, MalformedError) as exc:
            raise DestinationKeyError(
                f"{self.portal.id}: destination key unusable: {exc}",
                upstream=self.upstream.ref,
            ) from exc
        return DestinationRecord(destination_id, obj(jwk), schemas, channels)

    async def form_schema(self, uri: str) -> dict[str, Any] | None:
        # Only schemas this upstream serves are fetched: a schema URI from a destination
        # must not make the gateway call arbitrary hosts.
        if not uri.startswith(self.upstream.base_url + "/"):
            return None
        return obj(await self.upstream.get_json(uri.removeprefix(self.upstream.base_url)))

    async def create(
        self,
        destination: DestinationRecord,
        leika_key: str,
        service_name: str,
        attachments: int,
        case_id: str | None = None,
        callback: CallbackRecord | None = None,
    ) -> SubmissionRecord:
        """Announce a submission; with `callback`, FIT-Connect announces its new events there."""
        announced = [str(uuid.uuid4()) for _ in range(attachments)]
        body: dict[str, Any] = {
            "destinationId": destination.destination_id,
            "announcedAttachments": announced,
            "serviceType": {"name": service_name, "identifier": LEIKA_URN + leika_key},
        }
        if case_id is not None:
            body["caseId"] = case_id
        if callback is not None:
            body["callback"] = {"url": callback.url, "secret": callback.secret}
        headers = await self.bearer.headers()
        created = await self.upstream.send_json(
            "POST", "/v1/submissions", json=body, headers=headers
        )
        try:
            item = obj(created)
            return SubmissionRecord(
                portal_id=self.portal.id,
                destination_id=destination.destination_id,
                submission_id=text(item["submissionId"]),
                case_id=text(item["caseId"]),
                attachment_ids=tuple(announced),
            )
        except (MalformedError, KeyError) as exc:
            raise self.upstream.bad_response(f"unexpected submission: {exc}") from exc

    async def upload(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        attachment_id: str,
        upload: UploadRecord,
    ) -> None:
        key = encryption_key(destination.encryption_key)
        body = StreamingJwe(key, upload.file, upload.size, upload.mime_type)
        headers = await self.bearer.headers()
        headers |= {"Content-Type": "application/jose", "Content-Length": str(body.length)}
        url = f"{self.upstream.base_url}/v1/submissions/{segment(self.upstream, submission.submission_id, UUID)}/attachments/{segment(self.upstream, attachment_id, UUID)}"
        # Streamed straight from the spooled file: no retries (the body is consumed once)
        # and the upload's own timeout instead of the GraphQL request deadline.
        with map_transport_errors(self.upstream.ref):
            response = await self.upstream.client.request(
                "PUT", url, content=body.chunks(), headers=headers, timeout=self.upload_timeout
            )
            await response.aread()
        if not response.is_success:
            raise self.upstream.status_error(response)

    async def submit(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        form: FormRecord,
        uploads: Sequence[UploadRecord],
    ) -> None:
        key = encryption_key(destination.encryption_key)
        listed = list(zip(submission.attachment_ids, uploads, strict=True))
        body = {
            "encryptedMetadata": encrypt_compact(
                metadata(form, listed, destination.reply_channels), key, JSON_TYPE
            ),
            "encryptedData": encrypt_compact(form.data, key, JSON_TYPE),
        }
        headers = await self.bearer.headers()
        await self.upstream.send(
            "PUT",
            f"/v1/submissions/{segment(self.upstream, submission.submission_id, UUID)}",
            json=body,
            headers=headers,
        )


def parse_destination(body: Any) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """Of a PublicDestination: the encryption key id, the form schema URI per LeiKa key and
    the reply channels offered (destination-wide, or per service since Submission API 1.3)."""
    item = obj(body)
    schemas: dict[str, str] = {}
    channels = set(obj(item.get("replyChannels") or {}))
    for service in map(obj, items_of(item.get("services", []))):
        identifier = text(service["identifier"])
        channels |= set(obj(service.get("replyChannels") or {}))
        for schema in map(obj, items_of(service.get("submissionSchemas", []))):
            if schema.get("mimeType", JSON_TYPE) == JSON_TYPE:
                schemas[identifier.removeprefix(LEIKA_URN)] = text(schema["schemaUri"])
    return text(item["encryptionKid"]), schemas, tuple(sorted(channels))


def metadata(
    form: FormRecord,
    attachments: Sequence[tuple[str, UploadRecord]],
    offered: Sequence[str] = (),
) -> bytes:
    """Metadata v2.1.0: schema and sha512 of the data, one entry per attachment, and the
    reply channel (`replyChannel`, see `reply_channel`)."""
    document: dict[str, Any] = {
        "$schema": METADATA_SCHEMA,
        "contentStructure": {
            "data": {
                "submissionSchema": {"schemaUri": form.schema_uri, "mimeType": "application/json"},
                "hash": {"type": "sha512", "content": hashlib.sha512(form.data).hexdigest()},
            },
            "attachments": [
                {
                    "attachmentId": attachment_id,
                    "filename": upload.filename,
                    "mimeType": upload.mime_type,
                    "description": upload.filename,
                    "purpose": "attachment",
                    "hash": {"type": "sha512", "content": upload.sha512},
                }
                for attachment_id, upload in attachments
            ],
        },
    }
    channel = reply_channel(form, offered)
    if channel is not None:
        document["replyChannel"] = channel
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def reply_channel(form: FormRecord, offered: Sequence[str]) -> dict[str, Any] | None:
    """The reply channel to announce: only one the destination offers (`replyChannels` of
    the destination, Submission API 1.1.3 `ReplyChannel`) and the gateway can fill in.

    The gateway knows the viewer's Postfach (FINK): `fink` with `finkPostfachRef` where the
    destination offers it. It knows no e-mail, De-Mail or ELSTER account of the viewer, and
    no published Submission API version it can verify lets a sender read a reply's content
    (`fitConnect`): without a channel the authority answers by post, as the spec says.
    """
    if form.postfach_ref and "fink" in offered:
        return {"fink": {"finkPostfachRef": form.postfach_ref}}
    return None
