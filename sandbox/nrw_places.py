"""NRW's 396 municipalities at real scale: real Kreise, generated Gemeinden (marked as invented).

No package on PyPI or npm carries the Gemeindeverzeichnis with ARS and names (searched
2026-11: `gv100ad-py` only reads the Destatis file, `landkreise-deutschland` stops at
the Kreise, the PLZ packages have no ARS), so this module keeps what is public knowledge
and small: the five Regierungsbezirke, the 22 kreisfreie Städte and 31 Kreise with their
real 5-digit keys and names, and how many Gemeinden each Kreis has (sum: 396). The
kreisangehörige Gemeinden are generated in the real ARS structure — Land (2) RB (1)
Kreis (2) Gemeindeverband (4) Gemeinde (3); NRW has no Gemeindeverbände, so the
Verband digits are `0` plus the Gemeinde number, as in Dormagen `05162 0008 008` — with
invented names (`invented=True`), except the towns the sandbox already uses by name.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

REGIERUNGSBEZIRKE = {
    "051": "Düsseldorf",
    "053": "Köln",
    "055": "Münster",
    "057": "Detmold",
    "059": "Arnsberg",
}

# (key, name, Gemeinden) — a count of 0 marks a kreisfreie Stadt (itself one Gemeinde).
# fmt: off
KREISE: tuple[tuple[str, str, int], ...] = (
    ("05111", "Düsseldorf", 0), ("05112", "Duisburg", 0), ("05113", "Essen", 0),
    ("05114", "Krefeld", 0), ("05116", "Mönchengladbach", 0), ("05117", "Mülheim an der Ruhr", 0),
    ("05119", "Oberhausen", 0), ("05120", "Remscheid", 0), ("05122", "Solingen", 0),
    ("05124", "Wuppertal", 0), ("05154", "Kleve", 16), ("05158", "Mettmann", 10),
    ("05162", "Rhein-Kreis Neuss", 8), ("05166", "Viersen", 9), ("05170", "Wesel", 13),
    ("05314", "Bonn", 0), ("05315", "Köln", 0), ("05316", "Leverkusen", 0),
    ("05334", "Städteregion Aachen", 10), ("05358", "Düren", 15), ("05362", "Rhein-Erft-Kreis", 10),
    ("05366", "Euskirchen", 11), ("05370", "Heinsberg", 10), ("05374", "Oberbergischer Kreis", 13),
    ("05378", "Rheinisch-Bergischer Kreis", 8), ("05382", "Rhein-Sieg-Kreis", 19),
    ("05512", "Bottrop", 0), ("05513", "Gelsenkirchen", 0), ("05515", "Münster", 0),
    ("05554", "Borken", 17), ("05558", "Coesfeld", 11), ("05562", "Recklinghausen", 10),
    ("05566", "Steinfurt", 24), ("05570", "Warendorf", 13),
    ("05711", "Bielefeld", 0), ("05754", "Gütersloh", 13), ("05758", "Herford", 9),
    ("05762", "Höxter", 10), ("05766", "Lippe", 16), ("05770", "Minden-Lübbecke", 11),
    ("05774", "Paderborn", 10),
    ("05911", "Bochum", 0), ("05913", "Dortmund", 0), ("05914", "Hagen", 0), ("05915", "Hamm", 0),
    ("05916", "Herne", 0), ("05954", "Ennepe-Ruhr-Kreis", 9), ("05958", "Hochsauerlandkreis", 12),
    ("05962", "Märkischer Kreis", 15), ("05966", "Olpe", 7), ("05970", "Siegen-Wittgenstein", 11),
    ("05974", "Soest", 14), ("05978", "Unna", 10),
)
# fmt: on

# Towns the hand-written sandbox catalogue already names (sandbox/data_places.py).
KNOWN: dict[str, str] = {
    "051620008008": "Dormagen",
    "051620016016": "Grevenbroich",
    "051620020020": "Kaarst",
    "051620022022": "Meerbusch",
    "051620024024": "Neuss",
    "053340002002": "Aachen",
    "053620024024": "Hürth",
    "053820060060": "Siegburg",
}

# Syllables for invented names; deliberately plain so nobody mistakes them for a real town.
_STEMS = (
    "Ahl",
    "Birk",
    "Dell",
    "Eich",
    "Fahr",
    "Gries",
    "Hain",
    "Ill",
    "Kalt",
    "Lind",
    "Moor",
    "Nord",
    "Ost",
    "Quell",
    "Ried",
    "Sand",
    "Tann",
    "Uhl",
    "Wald",
    "Zehn",
)
_ENDINGS = (
    "bach",
    "berg",
    "dorf",
    "feld",
    "hagen",
    "hausen",
    "heim",
    "hofen",
    "horst",
    "kamp",
    "lohe",
    "mark",
    "rode",
    "stedt",
    "tal",
    "wede",
    "werth",
    "wiese",
    "winkel",
    "zell",
)


class Municipality(NamedTuple):
    ars: str  # 12 digits
    name: str
    kreis: str  # 5-digit Kreis key (a kreisfreie Stadt is its own Kreis)
    kreis_name: str
    kreisfrei: bool
    invented: bool  # True: name and Gemeinde number are generated, not the real ones

    @property
    def ags(self) -> str:
        """Amtlicher Gemeindeschlüssel: Land, RB, Kreis, Gemeinde (8 digits)."""
        return self.ars[:5] + self.ars[9:]


@cache
def nrw_municipalities() -> tuple[Municipality, ...]:
    """All 396, in ARS order; deterministic, built once per process."""
    found: list[Municipality] = []
    invented = 0
    for kreis, kreis_name, count in KREISE:
        if count == 0:
            found.append(
                Municipality(kreis + "0000000", kreis_name, kreis, kreis_name, True, False)
            )
            continue
        known = sorted(ars for ars in KNOWN if ars.startswith(kreis))
        numbers = [int(ars[9:]) for ars in known]
        step = 4  # NRW numbers its Gemeinden in steps of four (Dormagen 008, Neuss 024)
        candidate = step
        while len(numbers) < count:
            if candidate not in numbers:
                numbers.append(candidate)
            candidate += step
        for number in sorted(numbers):
            ars = f"{kreis}0{number:03d}{number:03d}"
            name = KNOWN.get(ars)
            if name is None:
                name = _invented_name(invented)
                invented += 1
            found.append(Municipality(ars, name, kreis, kreis_name, False, ars not in KNOWN))
    return tuple(found)


def _invented_name(index: int) -> str:
    # 20 x 20 = 400 distinct names for 374 - 8 invented towns; a stride spreads the stems.
    stem = _STEMS[(index * 7) % len(_STEMS)]
    ending = _ENDINGS[(index * 7 // len(_STEMS) + index) % len(_ENDINGS)]
    return stem + ending
