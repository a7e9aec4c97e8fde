from __future__ import annotations

from dataclasses import replace

from graph.domain.merge import merge_most_local
from sources.base import PortalRecord, ServiceRecord, Tier

PORTALS = {
    "bund": PortalRecord("bund", "Bund", Tier.FEDERAL, "000000000000", None, {}),
    "nrw": PortalRecord("nrw", "NRW", Tier.STATE, "050000000000", None, {}),
    "koeln": PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {}),
}


def record(portal: str, leika: str, name: str) -> ServiceRecord:
    return ServiceRecord(
        portal,
        f"{portal}-{leika}",
        name,
        (leika,),
        (),
        None,
        None,
        None,
        None,
        None,
        (),
        None,
        None,
        (),
        (),
        (),
        None,
        None,
        None,
    )


def test_the_most_local_description_wins_per_leika_key() -> None:
    merged = merge_most_local(
        [
            record("bund", "99085001012000", "Reisepass (Bund)"),
            record("koeln", "99085001012000", "Reisepass Köln"),
            record("nrw", "99085001012000", "Reisepass NRW"),
            record("nrw", "99107021017000", "Unterhaltsvorschuss"),
            record("bund", "99107021017000", "Unterhaltsvorschuss (Bund)"),
            record("bund", "99015007012000", "Schwerbehindertenausweis"),
        ],
        PORTALS,
    )
    assert [(r.portal_id, r.name) for r in merged] == [
        ("koeln", "Reisepass Köln"),
        ("bund", "Schwerbehindertenausweis"),
        ("nrw", "Unterhaltsvorschuss"),
    ]


def test_among_equally_local_descriptions_the_smallest_id_wins_in_any_order() -> None:
    later, earlier = (
        record("koeln", "99085001012000", "Reisepass"),
        record("koeln", "99085001012000", "Reisepass (Bürgerbüro)"),
    )
    later = replace(later, id="L100002.LB.9")
    earlier = replace(earlier, id="L100002.LB.1")
    for order in ([later, earlier], [earlier, later]):
        assert [r.id for r in merge_most_local(order, PORTALS)] == ["L100002.LB.1"]
