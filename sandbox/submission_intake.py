"""What a destination does with a complete submission: decrypt, check hashes, file the case.

A new submission becomes an application of the citizen whose Postfach the metadata names
as reply channel (`replyChannel.fink.finkPostfachRef` = the Postkorb-Handle [I]); a
submission into an existing case is a reply (Rückkanal): it appends the transport events,
a ZBP status update and an outgoing copy in the citizen's Postfach [I].
"""

from __future__ import annotations

import hashlib
import html
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from sandbox.case_model import Application, Event, Message, StatusUpdate
from sandbox.case_store import CaseStore
from sandbox.citizens import Citizen

JWE_ALGORITHMS = ["RSA-OAEP-256", "A256GCM"]


class AttachmentRegistry(jwe.JWERegistry):
    # joserfc refuses ciphertexts above 64 KiB by default; attachments are larger.
    max_ciphertext_length = 64 * 1024 * 1024


REGISTRY = AttachmentRegistry(algorithms=JWE_ALGORITHMS)
REPLY_RECEIVED = ("PROCESSING", "Ihre Antwort ist eingegangen")


class IntakeError(ValueError):
    """The submission cannot be accepted as sent (the API answers 422)."""


@dataclass(slots=True)
class Submission:
    submission_id: str
    destination_id: str
    case_id: str
    leika_key: str
    service_name: str
    announced: tuple[str, ...]
    reply_to: Application | None = None
    callback: tuple[str, str] | None = None  # (url, secret) of create-submission
    uploaded: dict[str, str] = field(default_factory=dict)  # attachmentId -> sha512 hex
    submitted: bool = False

    def reduced(self) -> dict[str, str]:
        return {
            "destinationId": self.destination_id,
            "submissionId": self.submission_id,
            "caseId": self.case_id,
        }


def decrypt(token: str, key: RSAKey) -> bytes:
    """The plaintext of a JWE to `key`; its header must name the key (`kid`) and the content
    type (`cty`), as FIT-Connect's encryption rules demand (docs.fitko.de details/crypto)."""
    try:
        decrypted = jwe.decrypt_compact(token, key, registry=REGISTRY)
    except (JoseError, ValueError) as exc:
        raise IntakeError(f"cannot decrypt: {type(exc).__name__}") from exc
    header = decrypted.protected
    if header.get("kid") != key.kid:
        raise IntakeError("the JWE header must name the destination's key id (kid)")
    if not isinstance(header.get("cty"), str) or not header["cty"]:
        raise IntakeError("the JWE header must carry the content type (cty)")
    return decrypted.plaintext or b""


def check_metadata(submission: Submission, metadata: dict[str, Any], data: bytes | None) -> None:
    """Every announced attachment is uploaded and listed with the hash of its plaintext."""
    structure = metadata.get("contentStructure")
    if not isinstance(structure, dict):
        raise IntakeError("metadata.contentStructure is missing")
    listed = {
        a.get("attachmentId"): (a.get("hash") or {}).get("content")
        for a in structure.get("attachments", [])
        if isinstance(a, dict)
    }
    missing = set(submission.announced) - set(submission.uploaded)
    if missing:
        raise IntakeError(f"announced attachments missing: {sorted(missing)}")
    if listed != submission.uploaded:
        raise IntakeError("attachment hashes in the metadata do not match the uploads")
    if data is not None:
        expected = ((structure.get("data") or {}).get("hash") or {}).get("content")
        if expected != hashlib.sha512(data).hexdigest():
            raise IntakeError("data hash in the metadata does not match the data")


def postfach_ref(metadata: dict[str, Any]) -> str | None:
    channel = metadata.get("replyChannel")
    fink = channel.get("fink") if isinstance(channel, dict) else None
    ref = fink.get("finkPostfachRef") if isinstance(fink, dict) else None
    return ref if isinstance(ref, str) else None


class Intake:
    def __init__(self, portal_id: str, cases: CaseStore, citizens: Iterable[Citizen]) -> None:
        self.portal_id = portal_id
        self.cases = cases
        self.by_handle = {c.legacy_postkorb_handle: c for c in citizens}
        self.counter = 0

    def file(
        self, submission: Submission, metadata: dict[str, Any], data: bytes | None
    ) -> Application | None:
        """File the submission; the application it belongs to (None: no known Postfach)."""
        now = int(time.time())
        if submission.reply_to is not None:
            if submission.callback is not None:
                submission.reply_to.callback = submission.callback
            return self._reply(submission.reply_to, submission, data, now)
        citizen = self.by_handle.get(postfach_ref(metadata) or "")
        mine = self.cases.cases(citizen.subject) if citizen else None
        if citizen is None or mine is None:
            return None
        self.counter += 1
        app = Application(
            application_id=str(uuid.uuid4()),
            case_id=submission.case_id,
            submission_id=submission.submission_id,
            portal_id=self.portal_id,
            subject=citizen.subject,
            leika_key=submission.leika_key,
            service_name=submission.service_name,
            sender="Bürgeramt",
            reference=f"Az. {self.portal_id.upper()}-{now % 100000:05d}-{self.counter}",
            created_at=now,
            submitted_at=now,
            events=[
                Event("create", now, str(uuid.uuid4())),
                Event("submit", now, str(uuid.uuid4())),
            ],
            statuses=[StatusUpdate(str(uuid.uuid4()), "SUBMITTED", now, "Antrag eingegangen")],
            callback=submission.callback,
        )
        mine.applications.setdefault(self.portal_id, []).insert(0, app)
        self.cases.applications[app.application_id] = app
        self.cases.by_case[app.case_id] = app
        return app

    def _reply(
        self, app: Application, submission: Submission, data: bytes | None, now: int
    ) -> Application:
        at = max(now, app.updated_at + 1)
        app.events += [
            Event("create", at, str(uuid.uuid4())),
            Event("submit", at, str(uuid.uuid4())),
        ]
        last = app.statuses[-1].status if app.statuses else "SUBMITTED"
        status = REPLY_RECEIVED[0] if last == "ACTION_REQUIRED" else last
        app.statuses.append(StatusUpdate(str(uuid.uuid4()), status, at, REPLY_RECEIVED[1]))
        reply = _reply_fields(data)
        mine = self.cases.cases(app.subject)
        if mine is None:
            return app
        # The message answered may sit in another portal's box: the topology sandbox's one
        # BundID Postfach keeps what its helper delivers under the Bund portal.
        original = next(
            (m for box in mine.messages.values() for m in box if m.id == reply[0]), None
        )
        mailbox = (
            original.mailbox
            if original
            else next(
                (
                    c.legacy_postkorb_handle
                    for c in self.by_handle.values()
                    if c.subject == app.subject
                ),
                "",
            )
        )
        title = original.title if original else app.service_name
        mine.messages.setdefault(self.portal_id, []).insert(
            0,
            Message(
                id=str(uuid.uuid4()),
                portal_id=self.portal_id,
                mailbox=mailbox,
                level=original.level if original else 1,
                sender="Sie (Antwort über das Portal)",
                sender_url="",
                title=f"Ihre Antwort: {title}"[:255],
                content=f"<p>{html.escape(reply[1])}</p>",
                service=app.service_name,
                application_id=app.application_id,
                reference=app.reference,
                reply_address=None,
                is_notice=False,
                received_at=at,
                read_at=at,
            ),
        )
        return app


def _reply_fields(data: bytes | None) -> tuple[str, str]:
    try:
        body = json.loads(data or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return str(body.get("inReplyTo", "")), str(body.get("text", ""))
