"""Fixed texts and tables behind the case generator: services per portal, senders, demo plans.

A portal takes applications for the services it publishes texts for at its own level and
whose region covers the portal's ARS (bund: federal texts, nrw: Land texts, koeln/dormagen:
their municipal texts), so every `leikaKey` is one its own directory offers there.
"""

from __future__ import annotations

from typing import NamedTuple

from sandbox.data import CATALOGUE
from sandbox.data_places import OFFICES, PORTALS
from sandbox.data_types import Office, Spec

# Generated times fall in this fixed window (Unix seconds; no wall clock).
WINDOW_START = 1_736_150_400  # 2025-01-06T08:00:00Z
WINDOW_SECONDS = 500 * 86_400
MINUTE, HOUR, DAY = 60, 3600, 86_400


PORTAL_LEVEL = {"bund": "B", "nrw": "L", "koeln": "K", "dormagen": "D"}
PORTAL_BY_ID = {portal.id: portal for portal in PORTALS}
SERVICES: dict[str, tuple[Spec, ...]] = {
    pid: tuple(spec for spec in CATALOGUE if level in spec.levels)
    for pid, level in PORTAL_LEVEL.items()
}
SPEC_BY_KEY = {spec.key: spec for spec in CATALOGUE}

# ZBP status an event produces; None: the event has no citizen-visible status (§3.5 vs §5.1).
EVENT_STATUS: dict[str, tuple[str, str] | None] = {
    "create": ("INITIATED", "Antrag angelegt"),
    "submit": ("SUBMITTED", "Antrag eingereicht"),
    "notify": ("RECEIVED", "Antrag bei der Behörde eingegangen"),
    "forward": None,
    "accept": ("PROCESSING", "Antrag in Bearbeitung"),
    # status_v6 has no rejected state: the Ablehnungsbescheid in the Postfach tells the citizen.
    "reject": None,
}
ACTION_REQUIRED = ("ACTION_REQUIRED", "Unterlagen nachreichen")
RESUMED = ("PROCESSING", "Unterlagen eingegangen, Bearbeitung läuft")
COMPLETED = ("COMPLETED", "Bescheid erteilt")
ACTION_INFO = "Bitte reichen Sie die angeforderten Nachweise über Ihr Postfach nach."
COMPLETED_INFO = "Der Bescheid liegt in Ihrem Postfach."

# Final state of a seeded application and how likely it is.
OUTCOMES = ("SUBMITTED", "RECEIVED", "PROCESSING", "ACTION_REQUIRED", "COMPLETED", "REJECTED")
OUTCOME_WEIGHTS = (8, 10, 25, 10, 37, 10)

# Problem types of reject-submission [I: modelled on the FIT-Connect problem catalogue].
PROBLEMS = (
    (
        "invalid-data",
        "Unvollständige Angaben",
        "Die Angaben zum Einkommen sind unvollständig.",
        "data",
    ),
    (
        "missing-attachment",
        "Nachweis fehlt",
        "Der erforderliche Nachweis wurde nicht beigefügt.",
        "attachments",
    ),
    (
        "schema-violation",
        "Formular ungültig",
        "Die Antragsdaten entsprechen nicht dem Schema.",
        "metadata",
    ),
)
PROBLEM_BASE = "https://schema.fitko.de/fit-connect/events/problems/"

NEWS = (
    (
        "Willkommen in Ihrem Postfach",
        "Über dieses Postfach erreichen Sie Nachrichten zu Ihren Anträgen.",
    ),
    ("Neue Online-Dienste verfügbar", "Ab sofort können Sie weitere Leistungen online beantragen."),
    (
        "Geplante Wartungsarbeiten",
        "Am Wochenende ist das Serviceportal zeitweise nicht erreichbar.",
    ),
)


class DemoApp(NamedTuple):
    portal: str
    key: str
    outcome: str
    payments: tuple[str, ...]  # XBezahldienste statuses, oldest first
    notice_level: int = 3  # stork_qaa_level of the Bescheid / Ablehnung
    unread: bool = False  # leave the newest message of this application unread


# Demo users' applications, fixed whatever the seed (only IDs and times are seeded).
DEMO_PLANS: dict[str, tuple[DemoApp, ...]] = {
    "erika": (
        DemoApp("koeln", "99085001012000", "ACTION_REQUIRED", ("INITIAL",), unread=True),
        DemoApp("koeln", "99101001012000", "COMPLETED", ("PAYED",), notice_level=4, unread=True),
        DemoApp("bund", "99039001001000", "REJECTED", ()),
        DemoApp("bund", "99075001012000", "COMPLETED", ("CANCELED", "PAYED")),
        DemoApp("nrw", "99124002012000", "SUBMITTED", ()),
        DemoApp("dormagen", "99017001001000", "PROCESSING", ()),
    ),
    "max": (
        DemoApp("nrw", "99066001012000", "RECEIVED", ("PAYED",)),
        DemoApp("dormagen", "99106001001000", "COMPLETED", ()),
    ),
    "lena": (
        DemoApp("koeln", "99070001001000", "PROCESSING", ()),
        DemoApp("nrw", "99016001001000", "ACTION_REQUIRED", (), unread=True),
        DemoApp("bund", "99018001001000", "COMPLETED", ()),
    ),
    "firma": (
        DemoApp("koeln", "99050012104000", "COMPLETED", ("PAYED",)),
        DemoApp("bund", "99075001012000", "PROCESSING", ("INITIAL",)),
    ),
}


def _office_for(level: str, role: str) -> Office | None:
    mine = [office for office in OFFICES if office.level == level]
    for wanted in (role, "*"):
        for office in mine:
            if wanted in office.roles.split():
                return office
    return None


def sender_of(portal_id: str, spec: Spec) -> tuple[str, str, str]:
    """(name, URL, e-mail) of the office handling `spec` at this portal."""
    office = _office_for(PORTAL_LEVEL[portal_id], spec.office)
    if office is None:
        portal = PORTAL_BY_ID[portal_id]
        return portal.name, portal.website, f"postfach@{portal.website.split('//')[1]}"
    return office.title, office.web, office.email


SENDERS = {
    (pid, spec.key): sender_of(pid, spec) for pid, specs in SERVICES.items() for spec in specs
}
