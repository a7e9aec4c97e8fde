"""Seeded generated citizens after the four demo users: names, towns, sign-in methods, accounts.

Sequential draws from one RNG (`seed`) make a run reproducible and a smaller run a prefix
of a larger one; 45 % live in Köln, 15 % in Dormagen, the rest elsewhere in NRW.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sandbox.citizens import (
    DORMAGEN,
    HOME_PORTAL,
    KOELN,
    METHOD_LEVEL,
    Citizen,
    Town,
    demo_citizens,
    mailbox_handle,
    new_account,
    pseudonym,
)


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


GIVEN = _words(
    "Anna Ben Clara David Emma Felix Greta Hannah Ida Jonas Julia Karl Katharina Laura Leon Lukas "
    "Marie Martin Mia Michael Monika Niklas Noah Olga Paul Petra Philipp Renate Sabine Sandra "
    "Sebastian Sophie Stefan Susanne Thomas Ursula Ute Viktor Wolfgang Yasemin Zoe Andreas Birgit "
    "Christian Dieter Elif Frank Gabriele Heike Ingrid Jan Jürgen Kerstin Lars Mehmet Nina Oliver "
    "Ralf Tim"
)
FAMILY = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein "
    "Wolf Schröder Neumann Schwarz Braun Zimmermann Krüger Hofmann Hartmann Lange Werner Krause "
    "Lehmann Köhler Herrmann Walter König Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß "
    "Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz "
    "Baumann Franke Albrecht Schuster Simon Ludwig Böhm Yılmaz Kowalski"
)
STREETS = _words(
    "Hauptstraße|Schulstraße|Gartenstraße|Bahnhofstraße|Kirchstraße|Lindenstraße|Rheinstraße|"
    "Bergstraße|Ringstraße|Am Markt|Mühlenweg|Goethestraße|Schillerstraße|Kölner Straße|"
    "Neusser Straße|Auf dem Hügel|Birkenweg|Friedrich-Ebert-Straße",
    "|",
)


# "Elsewhere in NRW": residents whose home municipality runs no sandbox portal.
ELSEWHERE = (
    Town("051110000000", "Düsseldorf", tuple(str(z) for z in range(40210, 40630))),
    Town("051130000000", "Essen", tuple(str(z) for z in range(45127, 45360))),
    Town("053140000000", "Bonn", tuple(str(z) for z in range(53111, 53230))),
    Town("051620024024", "Neuss", tuple(str(z) for z in range(41460, 41473))),
    Town("055150000000", "Münster", tuple(str(z) for z in range(48143, 48168))),
)

ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i"})
MAIL_DOMAINS = ("example.org", "example.com", "example.net")
ORG_SUFFIXES = ("GmbH", "GmbH & Co. KG", "e.K.", "UG (haftungsbeschränkt)", "OHG")
METHODS = ("Benutzername", "ELSTER", "Smart-eID", "eID")
METHOD_WEIGHTS = (
    35,
    65,
    70,
    100,
)  # cumulative: 35 % username, 30 % ELSTER, 5 % Smart-eID, 30 % eID
TRADES = ("Bäckerei", "Elektro", "Dachdeckerei", "Gartenbau", "Sanitär", "Logistik", "Kanzlei")


def _generated(rng: random.Random, number: int) -> Citizen:
    roll = rng.random()
    town = KOELN if roll < 0.45 else DORMAGEN if roll < 0.6 else rng.choice(ELSEWHERE)
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    organisation = None
    if rng.random() < 0.02:
        organisation = f"{rng.choice(TRADES)} {family} {rng.choice(ORG_SUFFIXES)}"
        method = "ELSTER"  # organisations sign in with an ELSTER-Organisationszertifikat
    else:
        method = rng.choices(METHODS, cum_weights=METHOD_WEIGHTS)[0]
    portals = ["bund"]
    if rng.random() < 0.8:
        portals.append("nrw")
    home = HOME_PORTAL.get(town.ars)
    if home and rng.random() < 0.75:
        portals.append(home)
    local = f"{given}.{family}".lower().translate(ASCII)
    return Citizen(
        login=f"buerger{number:06d}",
        subject=pseudonym(rng),
        given_name=given,
        family_name=family,
        birthdate=date(1940, 1, 1) + timedelta(days=rng.randrange(24_800)),
        street_address=f"{rng.choice(STREETS)} {rng.randrange(1, 180)}",
        postal_code=rng.choice(town.postal_codes),
        locality=town.name,
        ars=town.ars,
        email=f"{local}.{number}@{rng.choice(MAIL_DOMAINS)}",
        legacy_postkorb_handle=mailbox_handle(rng),
        method=method,
        trust_level=METHOD_LEVEL[method],
        accounts=tuple(new_account(rng, p) for p in portals),
        account_type="organisation" if organisation else "citizen",
        organisation_name=organisation,
    )


def generate_citizens(count: int, seed: int = 2026) -> list[Citizen]:
    """`count` citizens in all: the demo users first, then seeded generated ones.

    Sequential draws from one RNG make a smaller run a prefix of a larger one.
    """
    citizens = demo_citizens()[:count]
    rng = random.Random(seed)
    citizens.extend(_generated(rng, n) for n in range(1, count - len(citizens) + 1))
    return citizens
