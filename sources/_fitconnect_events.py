"""FIT-Connect event logs into records: pure functions over the Submission API's JSON and
verified SET claims (no I/O, no signature checks: sources/fitconnect.py verifies first).

Shapes follow SET payload schema 1.2.2 and the Submission API's `EventLog`
(reference/portalverbund.md §3.5); tests/samples/fitconnect/ holds real-shaped payloads.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from sources._parse import MalformedError, items_of, obj, text
from sources.base import ApplicationStatus, StatusEventRecord, StatusSource

EVENT_PREFIX = "https://schema.fitko.de/fit-connect/events/"
SUBJECT = re.compile(r"^(submission|reply):([0-9a-fA-F-]{36})$")
SERVICE, AUTHORITY, EITHER = "service", "authority", "either"
# Event name -> (status, detail, who writes it). Reply events keep the case's status (None).
EVENTS: dict[str, tuple[ApplicationStatus | None, str, str]] = {
    "create-submission": (ApplicationStatus.INITIATED, "Antrag angelegt", SERVICE),
    "submit-submission": (ApplicationStatus.SUBMITTED, "Antrag übermittelt", SERVICE),
    "notify-submission": (
        ApplicationStatus.SUBMITTED,
        "Zustellung an die Behörde angekündigt",
        SERVICE,
    ),
    "forward-submission": (
        ApplicationStatus.RECEIVED,
        "Antrag an die Behörde weitergeleitet",
        AUTHORITY,
    ),
    "accept-submission": (
        ApplicationStatus.RECEIVED,
        "Antrag von der Behörde angenommen",
        AUTHORITY,
    ),
    "reject-submission": (
        ApplicationStatus.REJECTED,
        "Antrag von der Behörde zurückgewiesen",
        AUTHORITY,
    ),
    "delete-submission": (ApplicationStatus.DELETED, "Antrag gelöscht", SERVICE),
    "submit-reply": (None, "Antwort der Behörde eingegangen", EITHER),
    "accept-reply": (None, "Antwort der Behörde abgerufen", EITHER),
    "reject-reply": (None, "Antwort der Behörde zurückgewiesen", EITHER),
}
# Reply events that document only steps before or after delivery: not part of the history.
SILENT_EVENTS = {"create-reply", "notify-reply", "delete-reply"}


def claims_of(payload: bytes) -> dict[str, Any]:
    """A JWS payload as a JSON object."""
    return obj(orjson.loads(payload))


def signing_key(jwk: Any) -> RSAKey:
    """A destination's published signature key: RSA for PS512, allowed to verify."""
    item = obj(jwk)
    if item.get("kty") != "RSA" or item.get("alg") != "PS512" or "d" in item:
        raise MalformedError("a signature key must be a public RSA key for PS512")
    if "verify" not in (item.get("key_ops") or ["verify"]):
        raise MalformedError("key_ops must allow verify")
    try:
        return RSAKey.import_key({k: v for k, v in item.items() if k not in ("key_ops", "x5c")})
    except (JoseError, ValueError, TypeError) as exc:
        raise MalformedError("signature key does not parse") from exc


def parse_event_log(body: Any) -> tuple[list[str], int]:
    """The SETs of one `EventLog` page and the log's `totalCount`."""
    try:
        page = obj(body)
        tokens = [text(t) for t in items_of(page["eventLog"])]
    except KeyError as exc:
        raise MalformedError("eventLog missing") from exc
    total = page.get("totalCount", len(tokens))
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise MalformedError("totalCount must be a count")
    return tokens, total


def parse_set(
    claims: dict[str, Any], case_id: str, *, by_authority: bool
) -> StatusEventRecord | None:
    """One verified SET as a status event; None for events that document no citizen step."""
    if str(claims.get("txn", "")).lower() != f"case:{case_id.lower()}":
        raise MalformedError("event belongs to another case")
    subject = SUBJECT.match(str(claims.get("sub", "")))
    if subject is None:
        raise MalformedError("sub must be submission:<uuid> or reply:<uuid>")
    events = obj(claims["events"])
    if len(events) != 1:
        raise MalformedError("a SET carries exactly one event")
    [(uri, payload)] = events.items()
    name = text(uri).removeprefix(EVENT_PREFIX)
    if name in SILENT_EVENTS:
        return None
    if name not in EVENTS:
        raise MalformedError(f"unknown event {name}")
    status, detail, writer = EVENTS[name]
    if writer != EITHER and (writer == AUTHORITY) != by_authority:
        raise MalformedError(f"{name} must be written by the {writer}")
    is_reply = name.endswith("-reply")
    if is_reply != (subject.group(1) == "reply"):
        raise MalformedError("the event does not fit its subject")
    problems = payload.get("problems") if isinstance(payload, dict) else None
    if isinstance(problems, list) and problems:
        titles = [str(p.get("title") or p.get("detail")) for p in problems if isinstance(p, dict)]
        detail = f"{detail}: {'; '.join(titles)}"
    iat = claims["iat"]
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise MalformedError("iat must be a number")
    return StatusEventRecord(
        id=text(claims["jti"]),
        application_id=None,
        time=datetime.fromtimestamp(iat, UTC),
        # A reply's status is filled in from the events before it (carry_status).
        status=status or ApplicationStatus.PROCESSING,
        source=StatusSource.FIT_CONNECT,
        detail=detail,
        reply_id=subject.group(2).lower() if is_reply else None,
    )


def carry_status(events: list[StatusEventRecord]) -> list[StatusEventRecord]:
    """Reply events take the status of the event before them: a reply does not move the case."""
    carried: list[StatusEventRecord] = []
    for event in events:
        keep = event.reply_id is not None and carried
        carried.append(replace(event, status=carried[-1].status) if keep else event)
    return carried
