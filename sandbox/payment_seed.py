"""XBezahldienste transactions: the seeded ones of the case data and the status transitions.

Seeded payments use the service's LeiKa key as `originatorId` (the calling online service,
§4.1) and the portal's ARS as `endPointId` (the responsible authority's region).
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from typing import Any

from sandbox.case_model import Application, Transaction
from sandbox.case_texts import PORTAL_BY_ID, SPEC_BY_KEY
from sandbox.citizens import Citizen

STATUS_DETAIL = {
    "INITIAL": "Zahlung angelegt, noch nicht bezahlt",
    "PAYED": "Zahlung erfolgreich",
    "CANCELED": "Zahlung durch den Nutzer abgebrochen",
    "FAILED": "Zahlung vom Bezahldienst abgelehnt",
}


def _stamp(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _purpose(name: str, reference: str) -> str:
    # Verwendungszweck: <= 27 characters of ^[\w\d\s-]+$ (no dots or slashes).
    digits = "".join(c if c.isalnum() else "-" for c in reference.removeprefix("Az. "))
    word = "".join(c for c in name.split(maxsplit=1)[0] if c.isalnum())
    return f"{word[:12]} {digits}"[:27].strip()


def settle(tx: Transaction, status: str, at: int) -> None:
    """Move an INITIAL transaction to PAYED, CANCELED or FAILED at Unix time `at`."""
    tx.status, tx.status_detail = status, STATUS_DETAIL[status]
    if status == "PAYED":
        digest = int(hashlib.sha256(tx.transaction_id.encode()).hexdigest()[:12], 16)
        year = datetime.fromtimestamp(at, UTC).year
        tx.reference = f"KZ-{year}-{digest % 10**8:08d}"
        tx.timestamp = _stamp(at)
        tx.method, tx.method_detail = "CREDITCARD", "VISA"


def payment_request(
    rng: random.Random, citizen: Citizen, app: Application, at: int, request_id: str
) -> dict[str, Any]:
    spec = SPEC_BY_KEY[app.leika_key]
    fees = list(spec.fees or ())
    chosen = fees[:1] + ([fees[1]] if len(fees) > 1 and rng.random() < 0.3 else [])
    items = [
        {
            "id": str(number),
            "reference": f"GebNr {rng.randint(1, 40)}.{rng.randint(1, 9)}",
            "description": f"{spec.name} – {note}",
            "taxRate": 0,
            "quantity": 1,
            "totalNetAmount": cents / 100,
            "totalTaxAmount": 0,
            "singleNetAmount": cents / 100,
            "singleTaxAmount": 0,
        }
        for number, (cents, note) in enumerate(chosen, start=1)
    ]
    portal = PORTAL_BY_ID[app.portal_id]
    return {
        "requestId": request_id,
        "requestTimestamp": _stamp(at),
        "currency": "EUR",
        "grosAmount": sum(cents for cents, _ in chosen) / 100,
        "purpose": _purpose(spec.name, app.reference),
        "description": f"Gebühr {spec.name} ({app.reference})"[:250],
        "redirectUrl": f"{portal.website}/zahlung/zurueck?antrag={app.application_id}",
        "items": items,
        "requestor": {
            "name": citizen.family_name,
            "firstName": citizen.given_name,
            "isOrganization": citizen.organisation_name is not None,
            "organizationName": citizen.organisation_name,
            "address": {
                "street": citizen.street_address,
                "postalCode": citizen.postal_code,
                "city": citizen.locality,
                "country": "DE",
            },
        },
    }


def seed_payments(
    rng: random.Random, citizen: Citizen, statuses: tuple[str, ...], app: Application
) -> list[Transaction]:
    """One transaction per status, oldest first; all but INITIAL ones are already settled."""
    out = []
    at = app.submitted_at
    for status in statuses:
        at += rng.randint(60, 3600)
        request_id = str(rng.getrandbits(128).to_bytes(16, "big").hex())[:32]
        tx = Transaction(
            portal_id=app.portal_id,
            originator_id=app.leika_key,
            end_point_id=PORTAL_BY_ID[app.portal_id].ars,
            transaction_id=f"TX{rng.getrandbits(96):024X}",
            request=payment_request(rng, citizen, app, at, request_id),
        )
        if status != "INITIAL":
            settle(tx, status, at + rng.randint(60, 900))
        out.append(tx)
    return out
