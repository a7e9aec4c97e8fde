"""The sandbox's citizens: the record, the four fixed demo users, and look-up.

The demo users (erika, max, lena, firma) are always identical; the seeded generated ones
that follow them are made in sandbox/citizens_generated.py from the helpers here.
"""

from __future__ import annotations

import base64
import hashlib
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PORTALS = ("bund", "nrw", "koeln", "dormagen")
# AssertionProvedBy values (portalverbund.md §2.2) and the trust level each method reaches (§2.3).
METHOD_LEVEL = {"Benutzername": 1, "ELSTER": 3, "Smart-eID": 3, "eID": 4}
PASSWORD = "demo"  # every sandbox citizen signs in with this password


@dataclass(frozen=True, slots=True)
class Town:
    ars: str
    name: str
    postal_codes: tuple[str, ...]


KOELN = Town("053150000000", "Köln", tuple(str(z) for z in range(50667, 51150)))
DORMAGEN = Town("051620008008", "Dormagen", ("41539", "41540", "41541", "41542"))
HOME_PORTAL = {KOELN.ars: "koeln", DORMAGEN.ars: "dormagen"}


@dataclass(frozen=True, slots=True)
class PortalAccount:
    portal_id: str
    account_id: str
    since: datetime  # UTC


@dataclass(frozen=True, slots=True)
class Citizen:
    login: str  # demo login name, also the password-grant username
    subject: str  # bPK2-style pseudonym: never derived from the name
    given_name: str
    family_name: str
    birthdate: date
    street_address: str
    postal_code: str
    locality: str
    ars: str  # communityId (Wohnort-ID) of the home municipality
    email: str
    legacy_postkorb_handle: str
    method: str  # AssertionProvedBy, becomes the `amr` claim
    trust_level: int  # 1..4
    accounts: tuple[PortalAccount, ...]
    account_type: str = "citizen"  # "citizen" | "organisation" (Mein Unternehmenskonto)
    organisation_name: str | None = None

    @property
    def acr(self) -> str:
        return f"STORK-QAA-Level-{self.trust_level}"

    @property
    def display_name(self) -> str:
        return self.organisation_name or f"{self.given_name} {self.family_name}"

    def account_at(self, portal_id: str) -> PortalAccount | None:
        return next((a for a in self.accounts if a.portal_id == portal_id), None)


def pseudonym(rng: random.Random) -> str:
    return base64.b64encode(rng.getrandbits(256).to_bytes(32, "big")).decode("ascii")


def mailbox_handle(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def account_since(rng: random.Random) -> datetime:
    # Accounts opened between 2021 and autumn 2026, on the minute, like a portal's audit log.
    start = datetime(2021, 1, 4, 7, 0, tzinfo=UTC)
    return start + timedelta(minutes=rng.randrange(0, 5 * 365 * 24 * 60))


def new_account(rng: random.Random, portal_id: str, since: datetime | None = None) -> PortalAccount:
    return PortalAccount(
        portal_id,
        f"{portal_id[:2].upper()}-{rng.getrandbits(40):010X}",
        since or account_since(rng),
    )


def _demo(
    login: str,
    method: str,
    portals: dict[str, str],
    name: tuple[str, str],
    birthdate: date,
    address: tuple[str, str, Town],
    email: str,
    organisation: str | None = None,
) -> Citizen:
    # Demo users get their own RNG per login, so they stay identical whatever the seed.
    rng = random.Random(hashlib.sha256(f"sandbox-demo:{login}".encode()).digest())
    subject, handle = pseudonym(rng), mailbox_handle(rng)
    accounts = tuple(
        new_account(rng, p, datetime.fromisoformat(since).replace(tzinfo=UTC))
        for p, since in portals.items()
    )
    street, postal_code, town = address
    return Citizen(
        login=login,
        subject=subject,
        given_name=name[0],
        family_name=name[1],
        birthdate=birthdate,
        street_address=street,
        postal_code=postal_code,
        locality=town.name,
        ars=town.ars,
        email=email,
        legacy_postkorb_handle=handle,
        method=method,
        trust_level=METHOD_LEVEL[method],
        accounts=accounts,
        account_type="organisation" if organisation else "citizen",
        organisation_name=organisation,
    )


def demo_citizens() -> list[Citizen]:
    """erika (eID, 4), max (Benutzername, 1), lena (ELSTER, 3), firma (organisation, 3)."""
    return [
        _demo(
            "erika",
            "eID",
            {
                "bund": "2023-02-14T10:21",
                "nrw": "2024-05-02T09:05",
                "koeln": "2024-05-02T09:13",
                "dormagen": "2025-09-30T16:40",
            },
            ("Erika", "Mustermann"),
            date(1964, 8, 12),
            ("Heidestraße 17", "51147", KOELN),
            "erika.mustermann@example.org",
        ),
        _demo(
            "max",
            "Benutzername",
            {"bund": "2024-06-11T18:02", "nrw": "2024-06-11T18:10", "dormagen": "2024-06-12T08:45"},
            ("Max", "Mustermann"),
            date(1983, 3, 21),
            ("Kölner Straße 112", "41539", DORMAGEN),
            "max.mustermann@example.org",
        ),
        _demo(
            "lena",
            "ELSTER",
            {"bund": "2022-11-08T12:30", "nrw": "2024-07-01T07:55", "koeln": "2023-03-19T20:14"},
            ("Lena", "Schäfer"),
            date(1991, 11, 3),
            ("Venloer Straße 321", "50823", KOELN),
            "lena.schaefer@example.org",
        ),
        # Mein Unternehmenskonto: ELSTER-Organisationszertifikat; the name is the acting person's.
        _demo(
            "firma",
            "ELSTER",
            {"bund": "2023-09-05T11:00", "koeln": "2023-09-06T14:22"},
            ("Jonas", "Becker"),
            date(1978, 1, 30),
            ("Industriestraße 8", "50735", KOELN),
            "kontakt@rheinische-backwaren.example",
            organisation="Rheinische Backwaren GmbH",
        ),
    ]


def citizen_index(citizens: Iterable[Citizen]) -> dict[str, Citizen]:
    """Look-up by subject and by login (the two never collide: subjects are 44-char base64)."""
    index: dict[str, Citizen] = {}
    for citizen in citizens:
        index[citizen.subject] = citizen
        index[citizen.login] = citizen
    return index
