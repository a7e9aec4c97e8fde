"""Catalogue rows: identity documents, registration, civil status, vehicles and weapons.

LeiKa keys 99085001012000 (Reisepass) is real; the other keys in this file are invented in
the 99er scheme (see docs/sandbox.md).
"""

from __future__ import annotations

from sandbox.data_types import Spec

S = Spec  # a one-letter row constructor keeps the table readable

BMI = "Bundesministerium des Innern (BMI)"
BMV = "Bundesministerium für Verkehr (BMV)"
BMJV = "Bundesministerium der Justiz und für Verbraucherschutz (BMJV)"

# Hand-aligned rows, one service per block; the formatter would explode them to ~20 lines each.
# fmt: off
CIVIL: tuple[Spec, ...] = (
    S("99085001012000", "Reisepass beantragen", "Pass Reisedokument Passantrag ePass",
      "Für Reisen in viele Staaten außerhalb der Europäischen Union brauchen Sie einen gültigen Reisepass.",
      "Den Reisepass beantragen Sie persönlich bei der Passbehörde Ihres Hauptwohnsitzes. Bei der Antragstellung "
      "werden zwei Fingerabdrücke gespeichert. Der Pass ist zehn Jahre gültig, für Personen unter 24 Jahren sechs.",
      "Personalausweis oder bisheriger Reisepass|Ein aktuelles biometrisches Passfoto|"
      "Bei Minderjährigen: Zustimmung aller Sorgeberechtigten",
      "Sie besitzen die deutsche Staatsangehörigkeit und sind mit Hauptwohnsitz gemeldet.",
      ((7000, "ab 24 Jahren"), (3750, "unter 24 Jahren"), (3200, "Zuschlag Expressverfahren")), "",
      "3 bis 4 Wochen", "§ 6 PassG@pa_g_1986/__6.html|§ 15 PassV@passv_2007/__15.html", BMI, "BLKD",
      "buergeramt", "niedrig"),
    S("99088001012000", "Personalausweis beantragen", "Ausweis Perso Personalausweis eID Online-Ausweis",
      "Ab 16 Jahren müssen Sie einen gültigen Personalausweis oder Reisepass besitzen.",
      "Der Personalausweis wird persönlich beantragt. Er enthält einen Chip mit Online-Ausweisfunktion, mit der "
      "Sie sich bei Verwaltungsdiensten auf dem höchsten Vertrauensniveau ausweisen können.",
      "Bisheriger Personalausweis oder Reisepass|Ein aktuelles biometrisches Passfoto|"
      "Geburts- oder Heiratsurkunde, wenn sich Ihr Name geändert hat",
      "Sie sind Deutsche oder Deutscher im Sinne des Artikels 116 Grundgesetz.",
      ((3700, "ab 24 Jahren"), (2280, "unter 24 Jahren")), "Spätestens bei Ablauf des bisherigen Ausweises.",
      "2 bis 3 Wochen", "§ 9 PAuswG@pauswg/__9.html|§ 1 PAuswGebV@pauswgebv/__1.html", BMI, "BLKD",
      "buergeramt", "niedrig"),
    S("99085001013000", "Vorläufigen Reisepass beantragen", "Notpass Pass vorläufig Reisedokument",
      "Wenn Sie kurzfristig verreisen müssen, erhalten Sie einen vorläufigen Reisepass meist sofort.",
      "Der vorläufige Reisepass ist höchstens ein Jahr gültig und wird nicht von allen Staaten anerkannt. "
      "Informieren Sie sich vor der Reise über die Einreisebestimmungen.",
      "Personalausweis|Ein aktuelles biometrisches Passfoto|Nachweis über die Reise, etwa ein Ticket",
      "Sie können einen regulären Reisepass nicht rechtzeitig erhalten.",
      ((2600, "vorläufiger Reisepass"),), "", "In der Regel sofort", "§ 6 PassG@pa_g_1986/__6.html", BMI, "BK",
      "buergeramt"),
    S("99115001001000", "Wohnsitz anmelden", "Anmeldung Umzug Zuzug Meldebescheinigung Wohnung",
      "Nach dem Einzug in eine neue Wohnung müssen Sie sich innerhalb von zwei Wochen anmelden.",
      "Die Anmeldung ist bei der Meldebehörde des neuen Wohnortes vorzunehmen. Vielerorts ist die Anmeldung "
      "auch vollständig online mit der Online-Ausweisfunktion möglich.",
      "Personalausweis oder Reisepass|Wohnungsgeberbestätigung|Bei Familien: Geburts- und Heiratsurkunden",
      "Sie haben eine Wohnung in Deutschland bezogen.", (), "Innerhalb von zwei Wochen nach dem Einzug.",
      "Sofort", "§ 17 BMG@bmg/__17.html|§ 19 BMG@bmg/__19.html", BMI, "BLKD", "buergeramt", "hoch",
      "https://wohnsitzanmeldung.gov.de"),
    S("99115005012000", "Meldebescheinigung beantragen", "Meldebestätigung Wohnsitzbescheinigung Meldenachweis",
      "Mit einer Meldebescheinigung weisen Sie nach, wo Sie gemeldet sind.",
      "Die einfache Meldebescheinigung enthält Namen, Anschrift und Einzugsdatum. Die erweiterte Bescheinigung "
      "enthält weitere Daten aus dem Melderegister, etwa frühere Anschriften.",
      "Personalausweis oder Reisepass|Bei Vertretung: schriftliche Vollmacht",
      "Sie sind bei der Meldebehörde gemeldet.", ((1000, "je Bescheinigung"),), "", "Sofort",
      "§ 18 BMG@bmg/__18.html", BMI, "BKD", "buergeramt", "hoch", "", True),
    S("99115007012000", "Auskunft aus dem Melderegister beantragen", "Melderegisterauskunft Adresse Anschrift",
      "Sie können die Anschrift einer anderen Person aus dem Melderegister erfragen.",
      "Die einfache Melderegisterauskunft umfasst Namen, Doktorgrad und derzeitige Anschriften. Für eine "
      "erweiterte Auskunft müssen Sie ein berechtigtes Interesse glaubhaft machen.",
      "Angaben zur gesuchten Person (Name, Vorname, letzte bekannte Anschrift)|Nachweis des berechtigten Interesses",
      "", ((1000, "einfache Auskunft"), (1500, "erweiterte Auskunft")), "", "1 bis 3 Werktage",
      "§ 44 BMG@bmg/__44.html|§ 45 BMG@bmg/__45.html", BMI, "BKD", "buergeramt", "niedrig", "", True),
    S("99093001001000", "Eheschließung anmelden", "Heirat Hochzeit Trauung Standesamt Ehe",
      "Wenn Sie heiraten möchten, melden Sie die Eheschließung beim Standesamt an.",
      "Die Anmeldung erfolgt beim Standesamt, in dessen Bezirk einer der Verlobten wohnt. Die Trauung kann "
      "anschließend bei jedem Standesamt in Deutschland stattfinden.",
      "Personalausweis oder Reisepass|Beglaubigter Ausdruck aus dem Geburtenregister|"
      "Erweiterte Meldebescheinigung|Bei Vorehen: Nachweis über die Auflösung",
      "Beide Verlobte sind volljährig und nicht miteinander in gerader Linie verwandt.",
      ((6000, "Anmeldung der Eheschließung"), (10000, "Trauung außerhalb der Öffnungszeiten")),
      "Die Anmeldung ist sechs Monate gültig.", "", "§ 12 PStG@pstg/__12.html|§ 1310 BGB@bgb/__1310.html", BMI,
      "BLKD", "standesamt", "", "", True),
    S("99093004012000", "Geburtsurkunde beantragen", "Geburt Urkunde Geburtenregister Abstammung",
      "Eine Geburtsurkunde erhalten Sie beim Standesamt, das die Geburt beurkundet hat.",
      "Die Geburtsurkunde wird aus dem Geburtenregister ausgestellt. Berechtigt sind die Person selbst, "
      "Ehegatten, Vorfahren und Nachkommen sowie Personen mit rechtlichem Interesse.",
      "Personalausweis oder Reisepass|Bei Vertretung: schriftliche Vollmacht",
      "Die Geburt wurde bei diesem Standesamt beurkundet.", ((1200, "erste Urkunde"), (600, "jede weitere")),
      "", "1 bis 2 Wochen", "§ 55 PStG@pstg/__55.html|§ 62 PStG@pstg/__62.html", BMI, "BKD", "standesamt",
      "niedrig", "", True),
    S("99093006012000", "Sterbeurkunde beantragen", "Tod Sterbefall Urkunde Todesfall",
      "Nach einem Todesfall benötigen Angehörige Sterbeurkunden, etwa für Versicherungen und Banken.",
      "Die Sterbeurkunde stellt das Standesamt aus, in dessen Bezirk die Person verstorben ist. Meist "
      "beantragt das Bestattungsunternehmen die ersten Urkunden.",
      "Personalausweis der antragstellenden Person|Nachweis der Verwandtschaft oder des rechtlichen Interesses",
      "", ((1200, "erste Urkunde"), (600, "jede weitere")), "", "1 bis 2 Wochen", "§ 60 PStG@pstg/__60.html",
      BMI, "BKD", "standesamt", "", "", True),
    S("99075001012000", "Führungszeugnis beantragen", "Führungszeugnis polizeiliches Zeugnis Bundeszentralregister",
      "Ein Führungszeugnis brauchen Sie etwa für Bewerbungen oder die Arbeit mit Kindern und Jugendlichen.",
      "Das Führungszeugnis gibt Auskunft über Eintragungen im Bundeszentralregister. Sie beantragen es bei der "
      "Meldebehörde oder online beim Bundesamt für Justiz; das erweiterte Führungszeugnis braucht eine "
      "Aufforderung des Arbeitgebers.",
      "Personalausweis oder Reisepass|Für das erweiterte Führungszeugnis: schriftliche Aufforderung",
      "Sie haben das 14. Lebensjahr vollendet.", ((1300, "je Führungszeugnis"),), "", "1 bis 2 Wochen",
      "§ 30 BZRG@bzrg/__30.html|§ 30a BZRG@bzrg/__30a.html", BMJV, "BKD", "bfj", "hoch",
      "https://www.fuehrungszeugnis.bund.de"),
    S("99036001001000", "Fahrzeug zulassen", "Kfz Auto Zulassung Neuzulassung Kennzeichen Kfz-Zulassung",
      "Bevor Sie ein Fahrzeug im öffentlichen Straßenverkehr nutzen, muss es zugelassen werden.",
      "Die Zulassung erfolgt bei der Zulassungsbehörde Ihres Wohnortes. Mit der internetbasierten Zulassung "
      "(i-Kfz) können Sie Fahrzeuge auch online zulassen.",
      "Personalausweis oder Reisepass|Zulassungsbescheinigung Teil II|elektronische Versicherungsbestätigung "
      "(eVB)|SEPA-Lastschriftmandat für die Kfz-Steuer|Nachweis über die Hauptuntersuchung",
      "Das Fahrzeug ist versichert und technisch abgenommen.", ((3040, "Neuzulassung"), (1280, "Wunschkennzeichen")),
      "", "Sofort bei Vorsprache, online 1 bis 3 Werktage",
      "§ 6 FZV@fzv_2023/__6.html|§ 1 GebOSt@stgebo_2011/__1.html", BMV, "BLRK", "kfz", "hoch"),
    S("99036006001000", "Fahrzeug außer Betrieb setzen", "Abmeldung Kfz abmelden Außerbetriebsetzung Auto",
      "Wenn Sie ein Fahrzeug nicht mehr nutzen, können Sie es außer Betrieb setzen lassen.",
      "Mit der Außerbetriebsetzung endet die Kfz-Steuerpflicht. Die Kennzeichen werden entstempelt; das "
      "Fahrzeug kann später wieder zugelassen werden.",
      "Zulassungsbescheinigung Teil I|Kennzeichenschilder", "", ((820, "Außerbetriebsetzung"),), "",
      "Sofort", "§ 14 FZV@fzv_2023/__14.html", BMV, "BRK", "kfz", "hoch"),
    S("99036010001000", "Wunschkennzeichen reservieren", "Kennzeichen Nummernschild Reservierung Kfz",
      "Ein freies Wunschkennzeichen können Sie vor der Zulassung online reservieren.",
      "Die Reservierung gilt in der Regel 90 Tage. Das Kennzeichen wird bei der Zulassung zugeteilt.",
      "Keine Unterlagen für die Reservierung", "", ((1280, "Zuteilung eines Wunschkennzeichens"),),
      "Die Reservierung verfällt nach 90 Tagen.", "Sofort", "§ 8 FZV@fzv_2023/__8.html", BMV, "RK", "kfz",
      "niedrig"),
    S("99048001001000", "Fahrerlaubnis erstmals beantragen", "Führerschein Fahrerlaubnis Klasse B Fahrschule",
      "Für Ihre erste Fahrerlaubnis stellen Sie einen Antrag bei der Fahrerlaubnisbehörde.",
      "Den Antrag stellen Sie vor Beginn der Ausbildung in der Fahrschule. Nach bestandener Prüfung erhalten "
      "Sie den Kartenführerschein.",
      "Personalausweis oder Reisepass|Biometrisches Passfoto|Sehtestbescheinigung|"
      "Nachweis über die Erste-Hilfe-Schulung",
      "Sie haben das Mindestalter der Fahrerlaubnisklasse erreicht.", ((4340, "Klasse B"),), "",
      "4 bis 6 Wochen", "§ 21 FeV@fev_2010/__21.html|§ 2 StVG@stvg/__2.html", BMV, "BLRK", "fuehrerschein",
      "substanziell"),
    S("99048003012000", "Internationalen Führerschein beantragen", "Führerschein international Ausland IFS",
      "Für Fahrten in manchen Staaten außerhalb der EU benötigen Sie einen internationalen Führerschein.",
      "Der internationale Führerschein ist drei Jahre gültig und nur zusammen mit dem nationalen Führerschein "
      "gültig.", "Kartenführerschein|Biometrisches Passfoto|Personalausweis oder Reisepass",
      "Sie besitzen einen gültigen deutschen Kartenführerschein.", ((1670, "internationaler Führerschein"),), "",
      "Sofort", "§ 25b FeV@fev_2010/__25b.html", BMV, "BRK", "fuehrerschein"),
    S("99127001012000", "Waffenbesitzkarte beantragen", "Waffen Waffenbesitz Sportschütze Jäger WBK",
      "Wer erlaubnispflichtige Schusswaffen erwerben und besitzen will, braucht eine Waffenbesitzkarte.",
      "Die Waffenbehörde prüft Zuverlässigkeit, persönliche Eignung, Sachkunde und Bedürfnis. Dazu holt sie "
      "Auskünfte beim Bundeszentralregister und beim Verfassungsschutz ein.",
      "Personalausweis|Sachkundenachweis|Bedürfnisnachweis (z. B. Bescheinigung des Schießsportverbandes)",
      "Sie sind mindestens 18 Jahre alt, zuverlässig und persönlich geeignet.", ((6000, "Waffenbesitzkarte"),),
      "", "4 bis 8 Wochen", "§ 10 WaffG@waffg_2002/__10.html|§ 4 WaffG@waffg_2002/__4.html", BMI, "BLRK",
      "waffen", "", "", True),
    S("99127002012000", "Kleinen Waffenschein beantragen", "Schreckschuss Reizgas Waffenschein PTB",
      "Für das Führen von Schreckschuss-, Reizstoff- und Signalwaffen brauchen Sie den Kleinen Waffenschein.",
      "Der Kleine Waffenschein erlaubt das Führen, nicht das Schießen. Auf Veranstaltungen und in "
      "Waffenverbotszonen gilt er nicht.", "Personalausweis|Meldebescheinigung bei fehlender Anschrift im Ausweis",
      "Sie sind mindestens 18 Jahre alt und zuverlässig.", ((6000, "Kleiner Waffenschein"),), "",
      "4 bis 6 Wochen", "§ 10 WaffG@waffg_2002/__10.html", BMI, "BRK", "waffen", "", "", True),
)
# fmt: on
