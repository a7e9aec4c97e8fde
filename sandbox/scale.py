"""The sandbox at real scale: NRW's municipalities, one local PVOG service each, `--municipalities N`.

Not wired into the running sandbox yet (that is the switch to network file version 2);
this module only generates: which municipalities take part, the PVOG payloads that
describe them (`/v3/locations` rows, one locally described ServiceDescription per
municipality in the Suchdienst's JSON shape), and the `serves` list of the
Kommunalportal.NRW platform entry. Everything is deterministic: the same N gives the
same municipalities, ids and fees.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from sandbox.nrw_places import Municipality, nrw_municipalities

JSON = dict[str, Any]
# The sandbox's catalogue already describes these two; a shrunk network keeps them.
ANCHORS = ("053150000000", "051620008008")  # Köln, Dormagen
DOG_TAX_KEY = "99017001001000"  # the sandbox's "Hund zur Hundesteuer anmelden" (99er scheme)
MANDANT = "L100002"  # NRW's editorial office in the PVOG object ids
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def sample_municipalities(count: int | None = None) -> tuple[Municipality, ...]:
    """`count` municipalities (None: all 396), in ARS order.

    Köln and Dormagen come first (the hand-written catalogue describes them), then the
    other towns with real names, then one Gemeinde per Kreis in turn, so that 40
    municipalities already span every Kreis and Regierungsbezirk.
    """
    every = nrw_municipalities()
    if count is None or count >= len(every):
        return every
    if count < 1:
        raise ValueError(f"--municipalities must be at least 1 (got {count})")
    by_ars = {m.ars: m for m in every}
    chosen: dict[str, Municipality] = {ars: by_ars[ars] for ars in ANCHORS}
    chosen.update((m.ars, m) for m in every if not m.invented)
    queues: dict[str, list[Municipality]] = defaultdict(list)
    for municipality in every:
        if municipality.ars not in chosen:
            queues[municipality.kreis].append(municipality)
    picked = list(chosen.values())
    while len(picked) < count and any(queues.values()):
        for queue in queues.values():
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return tuple(sorted(picked[:count], key=lambda m: m.ars))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(_UMLAUTS)).strip("-")


def location(municipality: Municipality) -> JSON:
    """A `/v3/locations` row (fields as live PVOG clients read them: ars, gemeinde, name)."""
    return {
        "ars": municipality.ars,
        "ags": municipality.ags,
        "name": municipality.name,
        "gemeinde": municipality.name,
        "kreis": municipality.kreis_name,
        "invented": municipality.invented,  # sandbox-only marker, see docs/sandbox.md
    }


def dog_tax_fee_cents(municipality: Municipality) -> int:
    """Each municipality sets its own rate by statute; deterministic per ARS, 60–156 EUR."""
    return 6000 + (int(municipality.ars[2:9]) % 17) * 600


def local_service(municipality: Municipality, index: int) -> JSON:
    """One locally described ServiceDescription (PVOG Suchdienst JSON shape), ARS = the town's own."""
    fee = dog_tax_fee_cents(municipality)
    euros = f"{fee // 100},{fee % 100:02d} Euro"
    town = municipality.name
    office = (
        f"Steueramt {town}"
        if not municipality.kreisfrei
        else f"Kassen- und Steueramt der Stadt {town}"
    )
    return {
        "id": f"{MANDANT}.LB.{900000 + index}",
        "name": "Hund zur Hundesteuer anmelden",
        "ars": [municipality.ars],
        "leikakeys": [DOG_TAX_KEY],
        "onlineServiceLinks": [
            {
                "title": f"Hundesteuer online anmelden – {town}",
                "uri": f"https://{slug(town)}.kommunalportal.nrw/hundesteuer",
            }
        ],
        "organisations": [{"title": office, "role": {"code": "01", "name": "Zuständige Stelle"}}],
        "details": [
            {
                "code": "24",
                "text": f"<p>Wer in {town} einen Hund hält, meldet ihn zur Hundesteuer an.</p>",
            },
            {
                "code": "06",
                "text": f"<p>Die Hundesteuer regelt die Hundesteuersatzung der Gemeinde {town}.</p>",
            },
            {"code": "98", "text": f"<p>{euros} im Jahr für den ersten Hund</p>"},
            {"code": "97", "text": "<p>innerhalb von zwei Wochen nach Beginn der Haltung</p>"},
            {"code": "93", "text": office, "date": "2026-01-15"},
        ],
    }


def local_services(municipalities: tuple[Municipality, ...]) -> list[JSON]:
    return [local_service(m, i) for i, m in enumerate(municipalities)]


def serves_toml(municipalities: tuple[Municipality, ...]) -> str:
    """The `serves = [...]` array of a Kommunalportal.NRW platform entry (network file v2)."""
    rows = [
        f"  {{ ars = {json.dumps(m.ars)}, id = {json.dumps(slug(m.name))},"
        f" name = {json.dumps(m.name, ensure_ascii=False)} }},"
        for m in municipalities
    ]
    return "serves = [\n" + "\n".join(rows) + "\n]\n"
