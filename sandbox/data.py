"""Seeded composition of the catalogue rows into PVOG-shaped JSON, one data set per portal."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.data_civil import CIVIL
from sandbox.data_local import LOCAL
from sandbox.data_places import LEVEL_ARS, LEVEL_PLACE, OFFICES, PORTALS, locations_for
from sandbox.data_social import SOCIAL
from sandbox.data_types import Office, Portal, Spec

JSON = dict[str, Any]
DEFAULT_SEED = 2026
CATALOGUE: tuple[Spec, ...] = CIVIL + SOCIAL + LOCAL
LAW_BASE = "https://www.gesetze-im-internet.de/"
RESPONSIBLE, CONTACT = "Zuständige Stelle", "Ansprechpunkt"
# Fixed window instead of "now", so the same seed always yields the same timestamps.
EPOCH, WINDOW_HOURS = datetime(2025, 1, 6, 7, 0, 0), 500 * 24
LOCAL_NOTES = (
    "Bitte vereinbaren Sie vorab online einen Termin.",
    "Bringen Sie alle Unterlagen im Original mit.",
    "In den Ferienzeiten kann die Bearbeitung länger dauern.",
    "Die Vorsprache ist nur mit Termin möglich.",
)
FEE_FACTORS = (0.8, 0.9, 1.0, 1.1, 1.25)
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True, slots=True)
class PortalData:
    """Everything one portal's services upstream serves; built once, read-only afterwards."""

    portal: Portal
    descriptions: tuple[JSON, ...]  # sorted by name, then id
    by_id: dict[str, JSON]
    organisations: dict[str, JSON]
    locations: tuple[JSON, ...]


def build_network(seed: int = DEFAULT_SEED) -> dict[str, PortalData]:
    """Data for every portal, keyed by portal id, in network order."""
    return {portal.id: build_portal(portal, seed) for portal in PORTALS}


def build_portal(portal: Portal, seed: int) -> PortalData:
    # One generator per portal, so adding rows for one portal leaves the others unchanged.
    rng = random.Random(f"{seed}/{portal.id}")
    band = PORTALS.index(portal) + 1
    ids = _Ids(rng, portal.mandant, band)
    offices = {
        office: _organisation(office, ids.next("OE"), rng)
        for office in OFFICES
        if office.level in portal.levels
    }
    descriptions = [
        _description(spec, level, portal, rng, ids.next("LB"), offices)
        for level in portal.levels
        for spec in CATALOGUE
        if level in spec.levels
    ]
    descriptions.sort(key=lambda sd: (sd["name"], sd["id"]))
    return PortalData(
        portal=portal,
        descriptions=tuple(descriptions),
        by_id={sd["id"]: sd for sd in descriptions},
        organisations={oe["id"]: oe for oe in offices.values()},
        locations=locations_for(portal.id),
    )


class _Ids:
    def __init__(self, rng: random.Random, mandant: str, band: int) -> None:
        self.rng, self.mandant, self.band, self.used = rng, mandant, band, set[int]()

    def next(self, kind: str) -> str:
        # Portals sharing the NRW Mandant draw from disjoint bands, so IDs stay globally unique.
        while (number := self.band * 10**8 + self.rng.randrange(10**6, 10**8)) in self.used:
            pass
        self.used.add(number)
        return f"{self.mandant}.{kind}.{number}"


def _timestamp(rng: random.Random) -> datetime:
    return EPOCH + timedelta(
        hours=rng.randrange(WINDOW_HOURS), minutes=rng.randrange(60), seconds=rng.randrange(60)
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _organisation(office: Office, oe_id: str, rng: random.Random) -> JSON:
    """An OE as `/v5/organisationunits/detail` answers it (role is added per request)."""
    extension = rng.randrange(100, 9999)
    phone = (
        f"{office.phone}{extension}"
        if office.phone.endswith("-")
        else f"{office.phone} {extension % 100:02d}"
    )
    communications = [{"code": "02", "name": "Telefon", "value": phone}]
    if office.phone.endswith("-") and rng.random() < 0.5:
        communications.append({"name": "Fax", "value": f"{office.phone}{extension + 1}"})
    communications.append({"name": "E-Mail", "value": office.email})
    address = {
        "type": "Hausanschrift",
        "street": f"{office.street} {office.number}",
        "zip": office.zip,
        "city": office.city,
    }
    return {
        "id": oe_id,
        "title": office.title,
        "lastUpdate": _iso(_timestamp(rng)),
        "location": {"addresses": [address], "communications": communications},
        "internetAddresses": [{"uri": office.web}],
        "additionalInformation": [{"type": "INFO_TIMES", "text": office.hours}],
    }


def _responsible(spec: Spec, level: str, offices: dict[Office, JSON]) -> tuple[list[JSON], str]:
    mine = [(office, oe) for office, oe in offices.items() if office.level == level]
    ministry = spec.ministry.rpartition("(")[2].rstrip(")").lower()
    for wanted, role in ((spec.office, RESPONSIBLE), (ministry, CONTACT), ("*", CONTACT)):
        found = [oe for office, oe in mine if wanted and wanted in office.roles.split()]
        if found:
            return found[:3], role
    raise ValueError(f"level {level} has no fallback office (role '*')")


def _description(
    spec: Spec,
    level: str,
    portal: Portal,
    rng: random.Random,
    sd_id: str,
    offices: dict[Office, JSON],
) -> JSON:
    organisations, role = _responsible(spec, level, offices)
    main = organisations[0]
    updated = _timestamp(rng)
    external = updated - timedelta(hours=rng.randrange(72))
    approved = external - timedelta(days=rng.randrange(1, 200))
    municipal = level in "KD"
    keywords = spec.keywords.split() + (
        [portal.name.split(" – ")[0].removeprefix("Stadt ")] if municipal else []
    )
    details: list[JSON] = [
        {"code": "24", "text": f"<p>{spec.teaser}</p>"},
        {"code": "06", "text": f"<p>{spec.text}</p>" + _local_text(level, main, rng)},
        {
            "code": "08",
            "text": "<ul>" + "".join(f"<li>{doc}</li>" for doc in spec.docs.split("|")) + "</ul>",
        },
    ]
    if spec.pre and not (municipal and rng.random() < 0.15):
        details.append({"code": "09", "text": f"<p>{spec.pre}</p>"})
    if spec.fees is not None:
        details.append(_fees(spec, level, rng))
    if spec.deadline:
        details.append({"code": "97", "text": f"<p>{spec.deadline}</p>"})
    else:
        details.append({"code": "97", "text": "nicht angegeben", "placeholder": True})
    if spec.duration and municipal and rng.random() < 0.1:
        details.append({"code": "95", "text": "nicht angegeben", "placeholder": True})
    elif spec.duration:
        details.append({"code": "95", "text": f"<p>{spec.duration}</p>"})
    details.append({"code": "07", "links": [_law(law) for law in spec.laws.split("|")]})
    approver = spec.ministry if level == "B" else portal.editor
    details.append({"code": "93", "text": approver, "date": approved.date().isoformat()})
    details.append({"code": "94", "links": [{"title": portal.name, "uri": portal.website}]})
    return {
        "id": sd_id,
        "name": spec.name,
        "ars": [LEVEL_ARS[level]],
        "leikakeys": [spec.key],
        "lastUpdate": _iso(updated),
        "externalLastUpdate": _iso(external),
        "onlineServiceLinks": _online(spec, level, portal),
        "sourcePortals": [{"title": portal.name, "uri": portal.website}],
        "organisationIds": [oe["id"] for oe in organisations],
        "organisations": [{"title": oe["title"], "role": {"name": role}} for oe in organisations],
        "keywords": keywords,
        "details": details,
    }


def _local_text(level: str, main: JSON, rng: random.Random) -> str:
    if level == "B":
        return ""
    if level == "L":
        return "<p>In Nordrhein-Westfalen gelten ergänzend die landesrechtlichen Regelungen.</p>"
    address = main["location"]["addresses"][0]
    where = f"{address['street']}, {address['zip']} {address['city']}"
    return f"<p>Zuständige Stelle {LEVEL_PLACE[level]}: {main['title']}, {where}. {rng.choice(LOCAL_NOTES)}</p>"


def _fees(spec: Spec, level: str, rng: random.Random) -> JSON:
    assert spec.fees is not None
    if not spec.fees:
        return {
            "code": "98",
            "text": "<p>Die Leistung ist gebührenfrei.</p>",
            "details": [{"title": "gebührenfrei"}],
        }
    factor = rng.choice(FEE_FACTORS) if spec.local_fee and level in "RKD" else 1.0
    items = [(round(cents * factor / 50) * 50, note) for cents, note in spec.fees]
    summary = ", ".join(f"{euro(cents)} Euro ({note})" for cents, note in items)
    return {
        "code": "98",
        "text": f"<p>Es fallen folgende Gebühren an: {summary}.</p>",
        "details": [
            {"title": f"Gebühr: {euro(cents)} Euro", "text": note} for cents, note in items
        ],
    }


def euro(cents: int) -> str:
    """German amount notation: 1.250,00."""
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def _law(law: str) -> JSON:
    title, _, path = law.partition("@")
    return {"title": title, "uri": path if path.startswith("https://") else LAW_BASE + path}


def _online(spec: Spec, level: str, portal: Portal) -> list[JSON]:
    if not spec.online or (level == "B" and not spec.bund_url):
        return []
    slug = re.sub(r"[^a-z0-9]+", "-", spec.name.lower().translate(UMLAUTS)).strip("-")
    uri = spec.bund_url or f"{portal.online_base}/{slug}"
    # PVOG's onlineServiceLinks carry title and uri only (no trust level, see docs/sandbox.md).
    return [{"title": f"{spec.name} – online", "uri": uri}]
