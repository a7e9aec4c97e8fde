"""Catalogue rows: family, social benefits, disability, pensions, tax ID and migration.

Real LeiKa keys: 99015007012000 (Schwerbehindertenausweis), 99107021017000 (Unterhaltsvorschuss);
the others are invented in the 99er scheme.
"""

from __future__ import annotations

from sandbox.data_types import Spec

S = Spec  # a one-letter row constructor keeps the table readable

BMI = "Bundesministerium des Innern (BMI)"
BMBFSFJ = "Bundesministerium für Bildung, Familie, Senioren, Frauen und Jugend (BMBFSFJ)"
BMAS = "Bundesministerium für Arbeit und Soziales (BMAS)"
BMF = "Bundesministerium der Finanzen (BMF)"
BMWSB = "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen (BMWSB)"

# Hand-aligned rows, one service per block; the formatter would explode them to ~20 lines each.
# fmt: off
SOCIAL: tuple[Spec, ...] = (
    S("99030001001000", "Elterngeld beantragen", "Elterngeld Basiselterngeld ElterngeldPlus Elternzeit Geburt Baby",
      "Elterngeld gleicht nach der Geburt eines Kindes fehlendes Einkommen teilweise aus.",
      "Elterngeld erhalten Mütter und Väter, die ihr Kind nach der Geburt selbst betreuen und nicht mehr als "
      "32 Wochenstunden arbeiten. Es beträgt in der Regel 65 bis 67 Prozent des wegfallenden Nettoeinkommens.",
      "Geburtsurkunde des Kindes|Einkommensnachweise der letzten zwölf Monate|Bescheinigung der Krankenkasse "
      "über das Mutterschaftsgeld",
      "Sie leben mit Ihrem Kind in einem Haushalt und betreuen und erziehen es selbst.", (),
      "Rückwirkend nur für die letzten drei Lebensmonate vor Antragseingang.", "4 bis 8 Wochen",
      "§ 1 BEEG@beeg/__1.html|§ 7 BEEG@beeg/__7.html", BMBFSFJ, "BLKD", "elterngeld", "substanziell",
      "https://www.elterngeld-digital.de"),
    S("99039001001000", "Kindergeld beantragen", "Kindergeld Familienkasse Kinder Familienleistung",
      "Eltern erhalten für ihre Kinder bis mindestens zum 18. Geburtstag Kindergeld.",
      "Das Kindergeld beträgt 255 Euro monatlich je Kind. Für volljährige Kinder in Ausbildung oder Studium "
      "wird es bis höchstens zum 25. Geburtstag gezahlt.",
      "Steuerliche Identifikationsnummern von Ihnen und dem Kind|Geburtsurkunde|Bei volljährigen Kindern: "
      "Schul- oder Ausbildungsbescheinigung",
      "Sie haben Ihren Wohnsitz oder gewöhnlichen Aufenthalt in Deutschland.", (),
      "Rückwirkend für höchstens sechs Monate.", "3 bis 6 Wochen", "§ 62 EStG@estg/__62.html|§ 66 EStG@estg/__66.html",
      BMF, "B", "familienkasse", "substanziell", "https://www.arbeitsagentur.de/familie-und-kinder/kindergeld"),
    S("99039002001000", "Kinderzuschlag beantragen", "KiZ Kinderzuschlag Familienkasse geringes Einkommen",
      "Familien mit kleinem Einkommen können zusätzlich zum Kindergeld den Kinderzuschlag erhalten.",
      "Der Kinderzuschlag beträgt bis zu 297 Euro monatlich je Kind und wird für sechs Monate bewilligt. Mit ihm "
      "erhalten Sie auch Leistungen für Bildung und Teilhabe.",
      "Einkommensnachweise der letzten sechs Monate|Nachweise über Wohnkosten", "", (), "",
      "4 bis 6 Wochen", "§ 6a BKGG@bkgg_1996/__6a.html", BMBFSFJ, "B", "familienkasse", "substanziell",
      "https://www.arbeitsagentur.de/familie-und-kinder/kinderzuschlag"),
    S("99107021017000", "Unterhaltsvorschuss beantragen", "Unterhalt Unterhaltsvorschuss Alleinerziehende UVG",
      "Alleinerziehende erhalten Unterhaltsvorschuss, wenn der andere Elternteil keinen Unterhalt zahlt.",
      "Der Unterhaltsvorschuss wird bis zum 18. Geburtstag des Kindes gezahlt. Das Jugendamt holt sich das "
      "Geld anschließend beim unterhaltspflichtigen Elternteil zurück.",
      "Geburtsurkunde des Kindes|Nachweis über die Vaterschaft|Nachweise über gezahlten Unterhalt",
      "Das Kind lebt bei einem alleinerziehenden Elternteil in Deutschland.", (),
      "Rückwirkend höchstens für einen Monat vor Antragstellung.", "4 bis 8 Wochen",
      "§ 1 UhVorschG@uhvorschg/__1.html|§ 9 UhVorschG@uhvorschg/__9.html", BMBFSFJ, "BLKD", "jugendamt",
      "substanziell"),
    S("99016001001000", "BAföG für Studierende beantragen", "BAföG Studium Ausbildungsförderung Studienfinanzierung",
      "Mit BAföG unterstützt der Staat Studierende, deren Eltern das Studium nicht finanzieren können.",
      "Die Hälfte der Förderung ist ein zinsloses Staatsdarlehen, die andere Hälfte ein Zuschuss. Der "
      "Antrag wird beim Amt für Ausbildungsförderung gestellt, bei Studierenden beim Studierendenwerk.",
      "Immatrikulationsbescheinigung|Einkommensnachweise der Eltern|Nachweise über eigenes Vermögen",
      "Sie sind zu Beginn des Studiums in der Regel jünger als 45 Jahre.", (),
      "Leistungen gibt es frühestens ab dem Antragsmonat.", "6 bis 8 Wochen",
      "§ 1 BAföG@baf_g/__1.html|§ 46 BAföG@baf_g/__46.html", BMBFSFJ, "BL", "bafoeg", "substanziell",
      "https://www.bafoeg-digital.de"),
    S("99124001001000", "Wohngeld beantragen", "Wohngeld Mietzuschuss Lastenzuschuss Miete",
      "Wohngeld ist ein Zuschuss zur Miete oder zu den Kosten für selbstgenutztes Wohneigentum.",
      "Ob und in welcher Höhe Sie Wohngeld erhalten, hängt von der Zahl der Haushaltsmitglieder, dem "
      "Einkommen und der Miete ab. Wohngeld wird in der Regel für zwölf Monate bewilligt.",
      "Mietvertrag und Mietbescheinigung|Einkommensnachweise aller Haushaltsmitglieder|Kontoauszüge",
      "Sie erhalten keine Transferleistungen wie Bürgergeld, in denen die Wohnkosten enthalten sind.", (),
      "Wohngeld wird ab dem Antragsmonat gezahlt.", "6 bis 10 Wochen",
      "§ 1 WoGG@wogg/__1.html|§ 22 WoGG@wogg/__22.html", BMWSB, "BLKD", "wohnen", "substanziell"),
    S("99124002012000", "Wohnberechtigungsschein beantragen", "WBS Sozialwohnung geförderte Wohnung",
      "Für eine öffentlich geförderte Wohnung brauchen Sie einen Wohnberechtigungsschein.",
      "Der Wohnberechtigungsschein gilt ein Jahr. Er wird erteilt, wenn Ihr Einkommen die Grenzen des "
      "Landes nicht übersteigt.", "Einkommensnachweise aller Haushaltsmitglieder|Personalausweis",
      "Ihr Haushaltseinkommen liegt unter der Einkommensgrenze.", (), "", "2 bis 4 Wochen",
      "§ 18 WFNG NRW@https://recht.nrw.de/lmi/owa/br_vbl_detail_text?anw_nr=6&vd_id=12215", "", "LD", "wohnen",
      "substanziell"),
    S("99015007012000", "Schwerbehindertenausweis beantragen", "Schwerbehinderung GdB Behindertenausweis Merkzeichen",
      "Mit dem Schwerbehindertenausweis weisen Sie einen Grad der Behinderung von mindestens 50 nach.",
      "Die Behörde stellt den Grad der Behinderung und gesundheitliche Merkzeichen fest. Der Ausweis gibt "
      "Anspruch auf Nachteilsausgleiche, etwa Freifahrten oder Steuerfreibeträge.",
      "Ärztliche Befunde und Krankenhausberichte|Schweigepflichtentbindung|Passfoto ab dem 10. Lebensjahr",
      "Ihr Wohnsitz oder Arbeitsplatz liegt in Deutschland.", (), "", "3 bis 6 Monate",
      "§ 152 SGB IX@sgb_9_2018/__152.html|§ 2 SGB IX@sgb_9_2018/__2.html", BMAS, "BLRK", "versorgung",
      "substanziell"),
    S("99101002012000", "Parkausweis für Menschen mit Behinderung beantragen", "blauer Parkausweis Behindertenparkplatz",
      "Mit dem blauen Parkausweis dürfen Sie auf Behindertenparkplätzen parken.",
      "Der Ausweis wird für Menschen mit dem Merkzeichen aG oder Bl ausgestellt und gilt in der ganzen EU.",
      "Schwerbehindertenausweis|Passfoto", "Ihr Schwerbehindertenausweis enthält das Merkzeichen aG oder Bl.", (),
      "", "1 bis 2 Wochen", "§ 46 StVO@stvo_2013/__46.html", "", "LD", "verkehr", "niedrig"),
    S("99049001001000", "Bürgergeld beantragen", "Bürgergeld Grundsicherung Jobcenter Arbeitslosengeld II",
      "Bürgergeld sichert den Lebensunterhalt erwerbsfähiger Menschen, die ihn nicht selbst decken können.",
      "Das Bürgergeld umfasst den Regelbedarf sowie die Kosten für Unterkunft und Heizung. Zuständig ist das "
      "Jobcenter an Ihrem Wohnort.", "Personalausweis|Mietvertrag|Kontoauszüge der letzten drei Monate",
      "Sie sind zwischen 15 Jahren und der Regelaltersgrenze alt und erwerbsfähig.", (),
      "Leistungen werden ab dem Ersten des Antragsmonats erbracht.", "2 bis 4 Wochen",
      "§ 7 SGB II@sgb_2/__7.html|§ 37 SGB II@sgb_2/__37.html", BMAS, "BK", "sozial", "substanziell",
      "https://www.jobcenter.digital"),
    S("99091001001000", "Altersrente beantragen", "Rente Regelaltersrente Pension Rentenantrag",
      "Die Altersrente müssen Sie etwa drei Monate vor dem gewünschten Rentenbeginn beantragen.",
      "Die Regelaltersgrenze steigt schrittweise auf 67 Jahre. Den Antrag stellen Sie online, bei einer "
      "Auskunfts- und Beratungsstelle oder bei den Versicherungsämtern der Kommunen.",
      "Personalausweis|Rentenversicherungsnummer|Bankverbindung", "Sie haben die Mindestversicherungszeit erfüllt.",
      (), "Drei Monate vor Rentenbeginn.", "", "§ 35 SGB VI@sgb_6/__35.html", BMAS, "B", "drv", "hoch",
      "https://www.eservice-drv.de"),
    S("99018001001000", "Steuerliche Identifikationsnummer erneut mitteilen lassen", "Steuer-ID IdNr Steuernummer",
      "Wenn Sie Ihre Steuer-ID nicht mehr finden, teilt Ihnen das Bundeszentralamt für Steuern sie erneut mit.",
      "Die Identifikationsnummer wird aus Datenschutzgründen nur per Post an die gemeldete Anschrift gesendet.",
      "Keine Unterlagen", "", (), "", "Bis zu 4 Wochen", "§ 139b AO@ao_1977/__139b.html", BMF, "B", "bzst",
      "niedrig", "https://www.bzst.de/DE/Privatpersonen/SteuerlicheIdentifikationsnummer"),
    S("99022001001000", "Einbürgerung beantragen", "Einbürgerung Staatsangehörigkeit deutscher Pass Einbürgerungstest",
      "Wer dauerhaft in Deutschland lebt, kann unter bestimmten Voraussetzungen eingebürgert werden.",
      "Seit 2024 ist in der Regel ein rechtmäßiger Aufenthalt von fünf Jahren erforderlich. Die bisherige "
      "Staatsangehörigkeit muss nicht mehr aufgegeben werden.",
      "Reisepass|Aufenthaltstitel|Nachweis über Deutschkenntnisse (B1)|Einbürgerungstest|Einkommensnachweise",
      "Sie sichern Ihren Lebensunterhalt selbst und bekennen sich zur freiheitlichen demokratischen Grundordnung.",
      ((25500, "je Person"), (5100, "miteinzubürgernde minderjährige Kinder")), "", "6 bis 12 Monate",
      "§ 10 StAG@stag/__10.html|§ 38 StAG@stag/__38.html", BMI, "BLRK", "einbuergerung", "substanziell"),
    S("99020005001000", "Aufenthaltserlaubnis verlängern", "Aufenthaltstitel Visum Aufenthalt eAT Ausländerbehörde",
      "Eine befristete Aufenthaltserlaubnis müssen Sie vor Ablauf bei der Ausländerbehörde verlängern.",
      "Die Verlängerung setzt voraus, dass der Aufenthaltszweck fortbesteht. Der elektronische "
      "Aufenthaltstitel (eAT) wird bei der Bundesdruckerei hergestellt.",
      "Reisepass|Aktueller Aufenthaltstitel|Biometrisches Passfoto|Nachweis über Einkommen und Krankenversicherung",
      "Der Zweck Ihres Aufenthalts besteht fort.",
      ((10000, "Aufenthaltserlaubnis"), (14700, "Niederlassungserlaubnis")), "Vor Ablauf des aktuellen Titels.",
      "4 bis 8 Wochen", "§ 8 AufenthG@aufenthg_2004/__8.html|§ 45 AufenthV@aufenthv/__45.html", BMI, "BRK",
      "auslaender", "substanziell"),
    S("99070001001000", "Kita-Platz anmelden", "Kita Kindergarten Kindertagesstätte Betreuungsplatz Tagespflege",
      "Ab dem ersten Geburtstag hat Ihr Kind einen Rechtsanspruch auf einen Betreuungsplatz.",
      "Die Anmeldung erfolgt über das Kita-Portal Ihrer Stadt. Die Plätze werden meist im Frühjahr für das "
      "folgende Kindergartenjahr vergeben.", "Geburtsurkunde des Kindes|Nachweis über die Berufstätigkeit",
      "Ihr Kind wohnt in der Stadt.", (), "Sechs Monate vor dem gewünschten Betreuungsbeginn.", "",
      "§ 24 SGB VIII@sgb_8/__24.html", "", "LKD", "kita", "niedrig"),
)
# fmt: on
