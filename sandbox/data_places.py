"""Portals, responsible authorities and regions of the sandbox network (hand-written rows)."""

from __future__ import annotations

from typing import Any

from sandbox.data_types import Office, Portal, Region

# Hand-aligned rows, one record per block (the formatter would put every field on its own line).
# fmt: off
PORTALS: tuple[Portal, ...] = (
    Portal("bund", "Verwaltungsportal des Bundes", "FEDERAL", "000000000000", "https://verwaltung.bund.de",
           "B100019", "B", "", "https://verwaltung.bund.de/leistungsverzeichnis/de/leistung"),
    Portal("nrw", "Serviceportal Nordrhein-Westfalen", "STATE", "050000000000", "https://service.nrw.de",
           "L100002", "LR", "Ministerium des Innern des Landes Nordrhein-Westfalen",
           "https://service.nrw.de/leistungen"),
    Portal("koeln", "Stadt Köln – Digitale Services", "MUNICIPAL", "053150000000", "https://www.stadt-koeln.de",
           "L100002", "K", "Stadt Köln, Amt für Informationsverarbeitung",
           "https://www.stadt-koeln.de/service/onlinedienste"),
    Portal("dormagen", "Stadt Dormagen – Serviceportal", "MUNICIPAL", "051620008008", "https://www.dormagen.de",
           "L100002", "D", "Stadt Dormagen, Fachbereich Bürgerservice",
           "https://dormagen.kommunalportal.nrw/leistungen"),
)

# Where each editorial level is published and for which region its texts apply.
LEVEL_ARS = {"B": "000000000000", "L": "050000000000", "R": "051620000000", "K": "053150000000",
             "D": "051620008008"}
LEVEL_PLACE = {"L": "Nordrhein-Westfalen", "R": "im Rhein-Kreis Neuss", "K": "in Köln", "D": "in Dormagen"}

_OFFICE_HOURS = "Mo–Fr 8:00–12:00 Uhr, Do 14:00–18:00 Uhr"
_TERMIN = "Mo–Fr 7:30–15:30 Uhr, Do bis 18:00 Uhr, nur mit Termin"
_PHONE_HOURS = "telefonisch Mo–Do 8:00–16:00 Uhr, Fr 8:00–13:00 Uhr"
_BERLIN = "Mo–Fr 9:00–15:00 Uhr (Bürgerservice telefonisch)"

# role "*" is the fallback when a level has no office for a service's role: every description
# then names someone, as PVOG does with the Ansprechpunkt.
OFFICES: tuple[Office, ...] = (
    Office("B", "familienkasse", "Familienkasse der Bundesagentur für Arbeit", "Regensburger Straße", "104",
           "90478", "Nürnberg", "0800 4 5555", "familienkasse@arbeitsagentur.de",
           "https://www.arbeitsagentur.de/familie-und-kinder", _PHONE_HOURS),
    Office("B", "bfj", "Bundesamt für Justiz – Bundeszentralregister", "Adenauerallee", "99-103", "53113", "Bonn",
           "0228 99410-", "bzr@bfj.bund.de", "https://www.bundesjustizamt.de", _PHONE_HOURS),
    Office("B", "drv", "Deutsche Rentenversicherung Bund", "Ruhrstraße", "2", "10709", "Berlin", "030 865-",
           "drv@drv-bund.de", "https://www.deutsche-rentenversicherung.de", _PHONE_HOURS),
    Office("B", "bzst", "Bundeszentralamt für Steuern", "An der Küppe", "1", "53225", "Bonn", "0228 406-",
           "poststelle@bzst.bund.de", "https://www.bzst.de", _PHONE_HOURS),
    Office("B", "kba", "Kraftfahrt-Bundesamt", "Fördestraße", "16", "24944", "Flensburg", "0461 316-",
           "kba@kba.de", "https://www.kba.de", _PHONE_HOURS),
    Office("B", "bmi *", "Bundesministerium des Innern", "Alt-Moabit", "140", "10557", "Berlin", "030 18681-",
           "poststelle@bmi.bund.de", "https://www.bmi.bund.de", _BERLIN),
    Office("B", "bmbfsfj", "Bundesministerium für Bildung, Familie, Senioren, Frauen und Jugend", "Glinkastraße",
           "24", "10117", "Berlin", "030 18555-", "poststelle@bmbfsfj.bund.de", "https://www.bmbfsfj.bund.de",
           _BERLIN),
    Office("B", "bmas", "Bundesministerium für Arbeit und Soziales", "Wilhelmstraße", "49", "10117", "Berlin",
           "030 18527-", "info@bmas.bund.de", "https://www.bmas.de", _BERLIN),
    Office("B", "bmv", "Bundesministerium für Verkehr", "Invalidenstraße", "44", "10115", "Berlin", "030 18300-",
           "buergerinfo@bmv.bund.de", "https://bmv.de", _BERLIN),
    Office("B", "bmwsb", "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen", "Krausenstraße", "17-18",
           "10117", "Berlin", "030 18681-", "poststelle@bmwsb.bund.de", "https://www.bmwsb.bund.de", _BERLIN),
    Office("L", "bafoeg", "Bezirksregierung Köln – Landesamt für Ausbildungsförderung", "Zeughausstraße", "2-10",
           "50667", "Köln", "0221 147-", "poststelle@bezreg-koeln.nrw.de", "https://www.bezreg-koeln.nrw.de",
           _OFFICE_HOURS),
    Office("L", "versorgung jugendamt elterngeld wohnen sozial kita",
           "Ministerium für Arbeit, Gesundheit und Soziales des Landes Nordrhein-Westfalen", "Fürstenwall", "25",
           "40219", "Düsseldorf", "0211 855-", "poststelle@mags.nrw.de", "https://www.mags.nrw", _PHONE_HOURS),
    Office("L", "*", "Ministerium für Heimat, Kommunales, Bau und Digitalisierung des Landes Nordrhein-Westfalen",
           "Jürgensplatz", "1", "40219", "Düsseldorf", "0211 8618-", "poststelle@mhkbd.nrw.de",
           "https://www.mhkbd.nrw", _PHONE_HOURS),
    Office("R", "kfz", "Rhein-Kreis Neuss – Straßenverkehrsamt, Zulassungsstelle", "Auf der Schanze", "4", "41515",
           "Grevenbroich", "02181 601-", "zulassung@rhein-kreis-neuss.de", "https://www.rhein-kreis-neuss.de",
           _TERMIN),
    Office("R", "fuehrerschein", "Rhein-Kreis Neuss – Straßenverkehrsamt, Führerscheinstelle", "Auf der Schanze",
           "4", "41515", "Grevenbroich", "02181 601-", "fuehrerschein@rhein-kreis-neuss.de",
           "https://www.rhein-kreis-neuss.de", _TERMIN),
    Office("R", "waffen", "Kreispolizeibehörde Rhein-Kreis Neuss – Waffenrecht", "Jülicher Landstraße", "178",
           "41464", "Neuss", "02131 300-", "waffen.neuss@polizei.nrw.de", "https://rhein-kreis-neuss.polizei.nrw",
           _OFFICE_HOURS),
    Office("R", "auslaender einbuergerung", "Rhein-Kreis Neuss – Ausländeramt", "Oberstraße", "91", "41460", "Neuss",
           "02131 928-", "auslaenderamt@rhein-kreis-neuss.de", "https://www.rhein-kreis-neuss.de", _TERMIN),
    Office("R", "versorgung", "Rhein-Kreis Neuss – Amt für Schwerbehindertenangelegenheiten", "Oberstraße", "91",
           "41460", "Neuss", "02131 928-", "schwerbehinderung@rhein-kreis-neuss.de",
           "https://www.rhein-kreis-neuss.de", _OFFICE_HOURS),
    Office("R", "jagd *", "Rhein-Kreis Neuss – Kreisverwaltung, Untere Jagdbehörde", "Oberstraße", "91", "41460",
           "Neuss", "02131 928-", "info@rhein-kreis-neuss.de", "https://www.rhein-kreis-neuss.de", _OFFICE_HOURS),
    Office("K", "buergeramt wahl beglaubigung", "Bürgeramt Köln-Innenstadt", "Laurenzplatz", "4", "50667", "Köln",
           "0221 221-", "buergeramt-innenstadt@stadt-koeln.de", "https://www.stadt-koeln.de", _TERMIN),
    Office("K", "buergeramt", "Bürgeramt Köln-Ehrenfeld", "Venloer Straße", "419-421", "50825", "Köln", "0221 221-",
           "buergeramt-ehrenfeld@stadt-koeln.de", "https://www.stadt-koeln.de", _TERMIN),
    Office("K", "buergeramt", "Bürgeramt Köln-Porz", "Friedrich-Ebert-Ufer", "64-70", "51143", "Köln", "0221 221-",
           "buergeramt-porz@stadt-koeln.de", "https://www.stadt-koeln.de", _TERMIN),
    Office("K", "kfz", "Straßenverkehrsamt Köln – Kfz-Zulassung", "Max-Glomsda-Straße", "4", "51105", "Köln",
           "0221 221-", "kfz-zulassung@stadt-koeln.de", "https://www.stadt-koeln.de", _TERMIN),
    Office("K", "fuehrerschein", "Straßenverkehrsamt Köln – Fahrerlaubnisbehörde", "Max-Glomsda-Straße", "4",
           "51105", "Köln", "0221 221-", "fuehrerscheinstelle@stadt-koeln.de", "https://www.stadt-koeln.de", _TERMIN),
    Office("K", "bauaufsicht", "Bauaufsichtsamt der Stadt Köln", "Willy-Brandt-Platz", "2", "50679", "Köln",
           "0221 221-", "bauaufsicht@stadt-koeln.de", "https://www.stadt-koeln.de", _OFFICE_HOURS),
    Office("K", "versorgung sozial", "Amt für Soziales, Arbeit und Senioren", "Ottmar-Pohl-Platz", "1", "51103",
           "Köln", "0221 221-", "soziales@stadt-koeln.de", "https://www.stadt-koeln.de", _OFFICE_HOURS),
    Office("K", "jugendamt elterngeld kita", "Amt für Kinder, Jugend und Familie", "Ottmar-Pohl-Platz", "1",
           "51103", "Köln", "0221 221-", "jugendamt@stadt-koeln.de", "https://www.stadt-koeln.de", _OFFICE_HOURS),
    Office("K", "wohnen", "Amt für Wohnungswesen", "Ottmar-Pohl-Platz", "1", "51103", "Köln", "0221 221-",
           "wohnungsamt@stadt-koeln.de", "https://www.stadt-koeln.de", _OFFICE_HOURS),
    Office("K", "standesamt", "Standesamt Köln", "Rathausplatz", "2", "50667", "Köln", "0221 221-",
           "standesamt@stadt-koeln.de", "https://www.stadt-koeln.de", _TERMIN),
    Office("K", "steueramt", "Kassen- und Steueramt der Stadt Köln", "Willy-Brandt-Platz", "2", "50679", "Köln",
           "0221 221-", "steueramt@stadt-koeln.de", "https://www.stadt-koeln.de", _PHONE_HOURS),
    Office("K", "abfall", "AWB Abfallwirtschaftsbetriebe Köln GmbH", "Maarweg", "271", "50825", "Köln",
           "0221 9222-", "kundenberatung@awbkoeln.de", "https://www.awbkoeln.de", _PHONE_HOURS),
    Office("K", "gruen jagd", "Amt für Landschaftspflege und Grün", "Willy-Brandt-Platz", "2", "50679", "Köln",
           "0221 221-", "gruenflaechenamt@stadt-koeln.de", "https://www.stadt-koeln.de", _OFFICE_HOURS),
    Office("K", "auslaender einbuergerung", "Ausländeramt der Stadt Köln", "Dillenburger Straße", "56-66", "51105",
           "Köln", "0221 221-", "auslaenderamt@stadt-koeln.de", "https://www.stadt-koeln.de", _TERMIN),
    Office("K", "ordnung gewerbe fischerei fund *", "Amt für öffentliche Ordnung", "Ottmar-Pohl-Platz", "1",
           "51103", "Köln", "0221 221-", "ordnungsamt@stadt-koeln.de", "https://www.stadt-koeln.de", _OFFICE_HOURS),
    Office("K", "waffen", "Polizeipräsidium Köln – Waffenrechtliche Angelegenheiten", "Walter-Pauli-Ring", "2-6",
           "51103", "Köln", "0221 229-", "waffen.koeln@polizei.nrw.de", "https://koeln.polizei.nrw", _OFFICE_HOURS),
    Office("K", "verkehr", "Amt für Verkehrsmanagement", "Willy-Brandt-Platz", "2", "50679", "Köln", "0221 221-",
           "verkehrsmanagement@stadt-koeln.de", "https://www.stadt-koeln.de", _OFFICE_HOURS),
    Office("K", "bafoeg", "Amt für Ausbildungsförderung der Stadt Köln", "Willy-Brandt-Platz", "3", "50679", "Köln",
           "0221 221-", "bafoeg@stadt-koeln.de", "https://www.stadt-koeln.de", _OFFICE_HOURS),
    Office("D", "buergeramt wahl beglaubigung fund", "Bürgerbüro Dormagen", "Paul-Wierich-Platz", "2", "41539",
           "Dormagen", "02133 257-", "buergerbuero@stadt-dormagen.de", "https://www.dormagen.de", _TERMIN),
    Office("D", "standesamt", "Standesamt Dormagen", "Paul-Wierich-Platz", "2", "41539", "Dormagen", "02133 257-",
           "standesamt@stadt-dormagen.de", "https://www.dormagen.de", _TERMIN),
    Office("D", "jugendamt elterngeld kita", "Jugendamt der Stadt Dormagen", "Paul-Wierich-Platz", "2", "41539",
           "Dormagen", "02133 257-", "jugendamt@stadt-dormagen.de", "https://www.dormagen.de", _OFFICE_HOURS),
    Office("D", "bauaufsicht", "Stadt Dormagen – Bauaufsicht", "Mathias-Giesen-Straße", "11", "41540", "Dormagen",
           "02133 257-", "bauaufsicht@stadt-dormagen.de", "https://www.dormagen.de", _OFFICE_HOURS),
    Office("D", "steueramt", "Steueramt der Stadt Dormagen", "Paul-Wierich-Platz", "2", "41539", "Dormagen",
           "02133 257-", "steueramt@stadt-dormagen.de", "https://www.dormagen.de", _PHONE_HOURS),
    Office("D", "abfall gruen", "Technische Betriebe Dormagen AöR", "Mathias-Giesen-Straße", "11", "41540",
           "Dormagen", "02133 2798-", "info@tbdormagen.de", "https://www.tbdormagen.de", _PHONE_HOURS),
    Office("D", "ordnung gewerbe fischerei verkehr *", "Ordnungsamt der Stadt Dormagen", "Paul-Wierich-Platz", "2",
           "41539", "Dormagen", "02133 257-", "ordnungsamt@stadt-dormagen.de", "https://www.dormagen.de",
           _OFFICE_HOURS),
    Office("D", "wohnen sozial versorgung", "Stadt Dormagen – Fachbereich Soziales und Wohnen", "Paul-Wierich-Platz",
           "2", "41539", "Dormagen", "02133 257-", "soziales@stadt-dormagen.de", "https://www.dormagen.de",
           _OFFICE_HOURS),
)

_KOELN_ZIPS = (
    "50667 50668 50670 50672 50674 50676 50677 50678 50679 50733 50735 50737 50739 50765 50767 50769 50823 "
    "50825 50827 50829 50858 50859 50931 50933 50935 50937 50939 50968 50969 50996 50997 50999 51061 51063 "
    "51065 51067 51069 51103 51105 51107 51109 51143 51145 51147 51149"
)
_LAENDER = (
    ("01", "Schleswig-Holstein"), ("02", "Hamburg"), ("03", "Niedersachsen"), ("04", "Bremen"),
    ("05", "Nordrhein-Westfalen"), ("06", "Hessen"), ("07", "Rheinland-Pfalz"), ("08", "Baden-Württemberg"),
    ("09", "Bayern"), ("10", "Saarland"), ("11", "Berlin"), ("12", "Brandenburg"),
    ("13", "Mecklenburg-Vorpommern"), ("14", "Sachsen"), ("15", "Sachsen-Anhalt"), ("16", "Thüringen"),
)
# Kreise get the postal codes of their towns attached in locations_for().
_NRW: tuple[Region, ...] = (
    Region("050000000000", "Nordrhein-Westfalen", "Land", ""),
    Region("051110000000", "Düsseldorf", "Kreisfreie Stadt",
           "40210 40211 40212 40213 40215 40217 40219 40221 40223 40225 40227 40229 40231 40233 40235 40237 "
           "40239 40468 40470 40472 40474 40476 40477 40479 40489 40545 40547 40549 40589 40591 40593 40595 "
           "40597 40599 40625 40627 40629"),
    Region("051120000000", "Duisburg", "Kreisfreie Stadt", "47051 47053 47055 47057 47058 47059 47119 47137 47138"),
    Region("051130000000", "Essen", "Kreisfreie Stadt", "45127 45128 45130 45131 45133 45134 45136 45138 45139"),
    Region("051140000000", "Krefeld", "Kreisfreie Stadt", "47798 47799 47800 47802 47803 47804 47805 47807 47809"),
    Region("051160000000", "Mönchengladbach", "Kreisfreie Stadt", "41061 41063 41065 41066 41068 41069 41169"),
    Region("051240000000", "Wuppertal", "Kreisfreie Stadt", "42103 42105 42107 42109 42111 42113 42115 42117"),
    Region("051620000000", "Rhein-Kreis Neuss", "Kreis", ""),
    Region("051620024024", "Neuss", "Stadt", "41460 41462 41464 41466 41468 41469 41470 41472"),
    Region("051620008008", "Dormagen", "Stadt", "41539 41540 41541 41542"),
    Region("051620016016", "Grevenbroich", "Stadt", "41515 41516 41517"),
    Region("051620020020", "Kaarst", "Stadt", "41564"),
    Region("051620022022", "Meerbusch", "Stadt", "40667 40668 40670"),
    Region("053140000000", "Bonn", "Kreisfreie Stadt", "53111 53113 53115 53117 53119 53121 53123 53125 53127"),
    Region("053150000000", "Köln", "Kreisfreie Stadt", _KOELN_ZIPS),
    Region("053160000000", "Leverkusen", "Kreisfreie Stadt", "51371 51373 51375 51377 51379 51381"),
    Region("053340002002", "Aachen", "Stadt", "52062 52064 52066 52068 52070 52072 52074 52076 52078 52080"),
    Region("053620000000", "Rhein-Erft-Kreis", "Kreis", ""),
    Region("053620024024", "Hürth", "Stadt", "50354"),
    Region("053820000000", "Rhein-Sieg-Kreis", "Kreis", ""),
    Region("053820060060", "Siegburg", "Stadt", "53721"),
    Region("055130000000", "Gelsenkirchen", "Kreisfreie Stadt", "45879 45881 45883 45884 45886 45888 45889"),
    Region("055150000000", "Münster", "Kreisfreie Stadt", "48143 48145 48147 48149 48151 48153 48155 48157"),
    Region("057110000000", "Bielefeld", "Kreisfreie Stadt", "33602 33604 33605 33607 33609 33611 33613 33615"),
    Region("059110000000", "Bochum", "Kreisfreie Stadt", "44787 44789 44791 44793 44795 44797 44799 44801"),
    Region("059130000000", "Dortmund", "Kreisfreie Stadt", "44135 44137 44139 44141 44143 44145 44147 44149"),
    Region("059140000000", "Hagen", "Kreisfreie Stadt", "58089 58091 58093 58095 58097 58099 58119 58135"),
)

# fmt: on


def regions_for(portal_id: str) -> tuple[Region, ...]:
    """The regions a portal's locations endpoint knows: its own and those below it."""
    if portal_id == "bund":
        laender = (Region(code + "0" * 10, name, "Land", "") for code, name in _LAENDER)
        return (Region("000000000000", "Deutschland", "Bund", ""), *laender)
    if portal_id == "nrw":
        return _NRW
    own = next(p.ars for p in PORTALS if p.id == portal_id)
    return tuple(r for r in _NRW if r.ars == own)


def locations_for(portal_id: str) -> tuple[dict[str, Any], ...]:
    """The /v3/locations records of a portal's server."""
    regions = regions_for(portal_id)

    def ags(region: Region) -> str:
        if region.kind in ("Bund", "Land"):
            return region.ars[:2]
        return region.ars[:5] if region.kind == "Kreis" else region.ars[:5] + region.ars[9:]

    def zips(region: Region) -> list[str]:
        if region.kind != "Kreis":
            return region.zips.split()
        # A Kreis has no postal codes of its own: it gets those of its towns.
        towns = (r for r in regions if r.kind != "Kreis" and r.ars[:5] == region.ars[:5])
        return sorted({z for town in towns for z in town.zips.split()})

    return tuple(
        {"ars": r.ars, "ags": ags(r), "name": r.name, "type": r.kind, "zip": zips(r)}
        for r in regions
    )
