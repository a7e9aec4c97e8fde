"""Catalogue rows: building, trade, local taxes, streets, waste, green spaces, elections.

Real LeiKa key: 99010003001006 (Bauantrag); the others are invented in the 99er scheme.
"""

from __future__ import annotations

from sandbox.data_types import Spec

S = Spec  # a one-letter row constructor keeps the table readable

BMI = "Bundesministerium des Innern (BMI)"
BMWE = "Bundesministerium für Wirtschaft und Energie (BMWE)"
BAUO = "https://recht.nrw.de/lmi/owa/br_text_anzeigen?v_id=74820170630142752068"

# Hand-aligned rows, one service per block; the formatter would explode them to ~20 lines each.
# fmt: off
LOCAL: tuple[Spec, ...] = (
    S("99010003001006", "Baugenehmigung beantragen", "Bauantrag Baugenehmigung Bauen Neubau Anbau Bauvorlage",
      "Für die Errichtung, Änderung oder Nutzungsänderung baulicher Anlagen brauchen Sie meist eine Baugenehmigung.",
      "Den Bauantrag reichen Sie über eine bauvorlageberechtigte Person bei der unteren Bauaufsichtsbehörde ein. "
      "In Nordrhein-Westfalen ist das digitale Verfahren über das Bauportal.NRW möglich.",
      "Bauvorlagen nach der BauPrüfVO|Lageplan|Bauzeichnungen|Baubeschreibung|Standsicherheitsnachweis",
      "Das Vorhaben ist baugenehmigungspflichtig und die Bauvorlagen sind von einer berechtigten Person erstellt.",
      ((125000, "Richtwert Einfamilienhaus"), (5000, "Mindestgebühr")), "", "3 Monate nach Vollständigkeit",
      f"§ 64 BauO NRW@{BAUO}|§ 29 BauGB@bbaug/__29.html", "", "LKD", "bauaufsicht", "substanziell",
      "https://www.bauportal.nrw"),
    S("99050012104000", "Gewerbe anmelden", "Gewerbeanmeldung Gewerbeschein Selbständigkeit Firma Existenzgründung",
      "Wer ein stehendes Gewerbe beginnt, muss dies gleichzeitig beim Gewerbeamt anzeigen.",
      "Die Gewerbeanzeige wird an Finanzamt, Handwerks- oder Industrie- und Handelskammer und weitere Stellen "
      "weitergeleitet. Freie Berufe sind nicht anzeigepflichtig.",
      "Personalausweis oder Reisepass|Bei Handwerksbetrieben: Handwerkskarte|Bei juristischen Personen: "
      "Handelsregisterauszug", "Sie sind geschäftsfähig.", ((2600, "Gewerbeanmeldung"),),
      "Gleichzeitig mit dem Beginn des Gewerbes.", "Sofort", "§ 14 GewO@gewo/__14.html", BMWE, "BLKD", "gewerbe",
      "substanziell", "", True),
    S("99050012106000", "Gewerbe abmelden", "Gewerbeabmeldung Betriebsaufgabe Geschäftsaufgabe",
      "Wenn Sie Ihren Gewerbebetrieb aufgeben, müssen Sie ihn abmelden.",
      "Die Abmeldung wird wie die Anmeldung an andere Behörden weitergeleitet.",
      "Personalausweis oder Reisepass", "", ((1500, "Gewerbeabmeldung"),), "Gleichzeitig mit der Aufgabe.",
      "Sofort", "§ 14 GewO@gewo/__14.html", BMWE, "BKD", "gewerbe", "substanziell", "", True),
    S("99050013001000", "Gaststättengewerbe anzeigen", "Gaststätte Kneipe Restaurant Alkoholausschank",
      "In Nordrhein-Westfalen zeigen Sie den Betrieb einer Gaststätte beim Gewerbeamt an.",
      "Seit 2016 braucht man in NRW keine Gaststättenerlaubnis mehr, wohl aber eine Anzeige und "
      "gegebenenfalls eine Baugenehmigung für die Nutzungsänderung.",
      "Gewerbeanmeldung|Unterrichtungsnachweis der IHK|Führungszeugnis", "Sie sind zuverlässig.",
      ((5000, "Anzeige"),), "Vier Wochen vor Betriebsbeginn.", "",
      "§ 2 GastG@gastg/__2.html", "", "LD", "gewerbe", "", "", True),
    S("99017001001000", "Hund zur Hundesteuer anmelden", "Hundesteuer Hund Hundemarke",
      "Wer in der Stadt einen Hund hält, muss ihn zur Hundesteuer anmelden.",
      "Sie erhalten nach der Anmeldung eine Steuermarke, die der Hund außerhalb der Wohnung tragen muss. "
      "Für Blindenführhunde gibt es eine Steuerbefreiung.", "Personalausweis|Bei Listenhunden: Erlaubnis nach LHundG",
      "", ((15600, "erster Hund pro Jahr"), (18000, "jeder weitere Hund pro Jahr")),
      "Innerhalb von zwei Wochen nach Beginn der Hundehaltung.", "", "Hundesteuersatzung der Gemeinde@"
      "https://recht.nrw.de/lmi/owa/br_text_anzeigen?v_id=10000000000000000654", "", "KD", "steueramt", "niedrig",
      "", True),
    S("99017002001000", "Zweitwohnung anmelden", "Zweitwohnungsteuer Nebenwohnung Zweitwohnsitz",
      "Wer in Köln eine Nebenwohnung hat, zahlt Zweitwohnungsteuer.",
      "Die Steuer beträgt zehn Prozent der jährlichen Nettokaltmiete. Studierende mit Hauptwohnung bei den "
      "Eltern können befreit sein.", "Mietvertrag|Meldebestätigung", "", None,
      "Innerhalb eines Monats nach Bezug.", "", "Zweitwohnungsteuersatzung der Stadt Köln@"
      "https://www.stadt-koeln.de/mediaasset/content/satzungen/zweitwohnungsteuer.pdf", "", "K", "steueramt"),
    S("99101001012000", "Bewohnerparkausweis beantragen", "Anwohnerparken Parkausweis Bewohnerparken Parken",
      "In Bewohnerparkgebieten dürfen Sie mit einem Bewohnerparkausweis ohne Parkschein parken.",
      "Der Ausweis gilt für ein Fahrzeug und ein Bewohnerparkgebiet, in dem Sie mit Hauptwohnsitz gemeldet sind.",
      "Fahrzeugschein|Personalausweis", "Sie wohnen im Bewohnerparkgebiet.", ((10000, "pro Jahr"),), "",
      "Sofort bei Online-Antrag", "§ 45 StVO@stvo_2013/__45.html", "", "KD", "verkehr", "niedrig", "", True),
    S("99106001001000", "Sperrmüll anmelden", "Sperrmüll Abfall Möbel Entsorgung Müll Sperrgut",
      "Sperrige Gegenstände aus dem Haushalt holt die Müllabfuhr nach Anmeldung kostenlos ab.",
      "Sie melden die Abholung online oder telefonisch an und stellen die Gegenstände am Abholtag an die Straße.",
      "Keine Unterlagen", "", (), "", "Abholung in 2 bis 4 Wochen", "§ 20 KrWG@krwg/__20.html", "", "KD",
      "abfall", "niedrig"),
    S("99106002001000", "Abfallbehälter anmelden oder ändern", "Mülltonne Restmüll Biotonne Abfallgebühren",
      "Die Größe und Anzahl Ihrer Abfallbehälter können Sie als Eigentümer anpassen lassen.",
      "Änderungen wirken sich auf die Abfallgebühren aus.", "Nachweis des Eigentums", "",
      ((2500, "Behälterwechsel"),), "", "1 bis 2 Wochen", "§ 20 KrWG@krwg/__20.html", "", "KD", "abfall",
      "niedrig", "", True),
    S("99060001001000", "Baumfällgenehmigung beantragen", "Baum fällen Baumschutzsatzung Baumfällung",
      "Geschützte Bäume dürfen Sie nur mit einer Genehmigung fällen.",
      "Die Baumschutzsatzung der Stadt legt fest, welche Bäume geschützt sind. Oft ist eine Ersatzpflanzung "
      "vorgeschrieben.", "Lageplan|Fotos des Baumes|Gutachten bei Krankheit", "Der Baum ist geschützt.",
      ((5000, "Genehmigung"),), "Fällungen nur vom 1. Oktober bis 28. Februar.", "2 bis 6 Wochen",
      "§ 39 BNatSchG@bnatschg_2009/__39.html", "", "KD", "gruen", "niedrig", "", True),
    S("99102001001000", "Sondernutzungserlaubnis beantragen", "Straße Gehweg Container Baustelle Außengastronomie",
      "Für Container, Gerüste oder Außengastronomie auf öffentlichen Flächen brauchen Sie eine Erlaubnis.",
      "Die Sondernutzung ist gebührenpflichtig; die Gebühr richtet sich nach Fläche und Dauer.",
      "Lageplan|Angaben zu Fläche und Dauer", "", ((5000, "Bearbeitung"),), "Zwei Wochen vor Beginn.", "",
      "§ 18 StrWG NRW@https://recht.nrw.de/lmi/owa/br_text_anzeigen?v_id=3520071121100436257", "", "KD",
      "verkehr", "niedrig", "", True),
    S("99044001012000", "Fischereischein beantragen", "Angeln Angelschein Fischereischein Fischerprüfung",
      "Zum Angeln brauchen Sie in Nordrhein-Westfalen einen Fischereischein.",
      "Voraussetzung ist die bestandene Fischerprüfung. Der Schein gilt je nach Wahl ein oder fünf Jahre.",
      "Personalausweis|Prüfungszeugnis der Fischerprüfung|Passfoto", "Sie haben die Fischerprüfung bestanden.",
      ((2400, "für fünf Jahre"), (800, "Fischereiabgabe je Jahr")), "", "Sofort",
      "§ 31 LFischG NRW@https://recht.nrw.de/lmi/owa/br_text_anzeigen?v_id=3520071121100436191", "", "LKD",
      "fischerei", "substanziell"),
    S("99066001012000", "Jagdschein beantragen", "Jagd Jäger Jagdschein Jägerprüfung",
      "Zur Ausübung der Jagd brauchen Sie einen gültigen Jagdschein.",
      "Der Jagdschein wird nach bestandener Jägerprüfung für ein bis drei Jahre erteilt.",
      "Zeugnis über die Jägerprüfung|Nachweis der Jagdhaftpflichtversicherung|Personalausweis",
      "Sie sind zuverlässig und persönlich geeignet.", ((4500, "Jahresjagdschein"),), "", "2 bis 4 Wochen",
      "§ 15 BJagdG@bjagdg/__15.html", "", "LR", "jagd", "", "", True),
    S("99089001012000", "Briefwahl beantragen", "Wahlschein Briefwahl Wahl Wahlunterlagen",
      "Wenn Sie am Wahltag nicht ins Wahllokal gehen können, wählen Sie per Brief.",
      "Den Wahlschein beantragen Sie bei Ihrer Gemeinde. Die Unterlagen müssen spätestens am Wahltag um "
      "18 Uhr beim Wahlamt eingehen.", "Wahlbenachrichtigung", "Sie sind wahlberechtigt.", (),
      "Bis zum zweiten Tag vor der Wahl, 18 Uhr.", "", "§ 27 BWO@bwo_1985/__27.html", BMI, "BKD", "wahl",
      "niedrig"),
    S("99001010001000", "Beglaubigung von Dokumenten", "Beglaubigung Kopie Abschrift Unterschrift",
      "Abschriften und Kopien von Dokumenten können Sie amtlich beglaubigen lassen.",
      "Beglaubigt wird nur, wenn die Beglaubigung für die Vorlage bei einer Behörde benötigt wird.",
      "Original des Dokuments|Kopie des Dokuments|Personalausweis", "", ((500, "je Seite"),), "", "Sofort",
      "§ 33 VwVfG@vwvfg/__33.html", "", "KD", "beglaubigung", "", "", True),
    S("99059001001000", "Fundsache abholen", "Fundbüro Verlust verloren gefunden Fundsachen",
      "Verlorene Gegenstände werden beim Fundbüro der Stadt sechs Monate aufbewahrt.",
      "Sie können im Fundbüro nachfragen oder online suchen, ob Ihr Gegenstand abgegeben wurde.",
      "Personalausweis|Eigentumsnachweis", "", None, "", "", "§ 967 BGB@bgb/__967.html", "", "KD", "fund",
      "niedrig"),
)
# fmt: on
