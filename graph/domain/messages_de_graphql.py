"""graphql-core's messages in German: validation, value coercion and syntax errors.

Part of the one catalogue (`graph/domain/messages_de.py` explains the rule format; it puts
these after its own entries). The English texts are graphql-core 3.3's; a test in
tests/unit/graph/domain/test_messages.py produces each from the schema, so a wording that
changes with an upgrade fails there instead of silently staying English.
"""

from __future__ import annotations

GRAPHQL_EXACT = {
    "This anonymous operation must be the only defined operation.": (
        "Diese anonyme Operation muss die einzige Operation des Dokuments sein."
    ),
    "Anonymous Subscription must select only one top level field.": (
        "Ein anonymes Abonnement darf nur ein Feld der obersten Ebene auswählen."
    ),
    "Must provide operation name if query contains multiple operations.": (
        "Das Dokument enthält mehrere Operationen: bitte operationName angeben."
    ),
    "Unterminated string.": "Nicht abgeschlossene Zeichenkette.",
    "they have differing arguments": "sie haben verschiedene Argumente",
}

GRAPHQL_RULES = (
    (
        r"Cannot query field '<f>' on type '<t>'\.",
        "Das Feld '{f}' gibt es am Typ '{t}' nicht.",
    ),
    (
        r"Field '<f>' of type '<t>' must have a selection of subfields\.",
        "Das Feld '{f}' vom Typ '{t}' braucht eine Auswahl von Unterfeldern.",
    ),
    (
        r"Field '<f>' must not have a selection since type '<t>' has no subfields\.",
        "Das Feld '{f}' darf keine Auswahl haben: der Typ '{t}' hat keine Unterfelder.",
    ),
    (
        r"Unknown argument '<a>' on (?P<word>field|directive) '<f>'\.",
        "Unbekanntes Argument '{a}' an '{f}'.",
    ),
    (
        r"Argument '<a>' of type '<t>' is required, but it was not provided\.",
        "Das Argument '{a}' vom Typ '{t}' fehlt, ist aber erforderlich.",
    ),
    (
        r"Field '<f>' of required type '<t>' was not provided\.",
        "Das Feld '{f}' vom Typ '{t}' fehlt, ist aber erforderlich.",
    ),
    (
        r"Field '<f>' is not defined by type '<t>'\.",
        "Das Feld '{f}' gibt es im Typ '{t}' nicht.",
    ),
    (
        r"Value '<v>' does not exist in '<e>' enum\.",
        "Den Wert '{v}' gibt es im Enum '{e}' nicht.",
    ),
    (
        r"Enum '<e>' cannot represent non-(?:enum|string) value: (?P<v>.+)\.",
        "Das Enum '{e}' kann den Wert {v} nicht darstellen.",
    ),
    (
        r"(?P<t>\w+) cannot represent (?P<word>a non string |non-integer |non 32-bit signed"
        r" integer |non numeric |a non boolean )?value: (?P<v>.+)",
        "{t} kann den Wert {v} nicht darstellen{word}",
    ),
    (
        r"Expected a value of non-null type '<t>' to be provided\.",
        "Ein Wert vom Typ '{t}' muss angegeben werden.",
    ),
    (
        r"null is not allowed for type '<t>'; omit the field or send a value\.",
        "null ist für den Typ '{t}' nicht erlaubt; das Feld weglassen oder einen Wert senden.",
    ),
    (
        r"Expected type '<t>' to be an object\.",
        "Für den Typ '{t}' wird ein Objekt erwartet.",
    ),
    (
        r"Variable '<v>' is never used in operation '<o>'\.",
        "Die Variable '{v}' wird in der Operation '{o}' nicht verwendet.",
    ),
    (r"Variable '<v>' is never used\.", "Die Variable '{v}' wird nicht verwendet."),
    (
        r"Variable '<v>' is not defined by operation '<o>'\.",
        "Die Variable '{v}' ist in der Operation '{o}' nicht definiert.",
    ),
    (r"Variable '<v>' is not defined\.", "Die Variable '{v}' ist nicht definiert."),
    (
        r"Variable '<v>' of type '<t>' used in position expecting type"
        r" '<e>'\.",
        "Die Variable '{v}' vom Typ '{t}' steht, wo der Typ '{e}' erwartet wird.",
    ),
    (
        r"Variable '<v>' of required type '<t>' was not provided\.",
        "Die Variable '{v}' vom Typ '{t}' fehlt, ist aber erforderlich.",
    ),
    (
        r"There can be only one (?P<word>operation|fragment|variable|argument) named"
        r" '<n>'\.",
        "Der Name '{n}' darf nur einmal vorkommen.",
    ),
    (r"Unknown fragment '<f>'\.", "Unbekanntes Fragment '{f}'."),
    (r"Fragment '<f>' is never used\.", "Das Fragment '{f}' wird nicht verwendet."),
    (r"Unknown directive '<d>'\.", "Unbekannte Direktive '{d}'."),
    (
        r"The directive '<d>' can only be used once at this location\.",
        "Die Direktive '{d}' darf an dieser Stelle nur einmal stehen.",
    ),
    (
        r"Directive '<d>' may not be used on (?P<l>\w+)\.",
        "Die Direktive '{d}' darf nicht an {l} stehen.",
    ),
    (r"Unknown type '<t>'\.", "Unbekannter Typ '{t}'."),
    (r"Unknown operation named '<o>'\.", "Unbekannte Operation '{o}'."),
    (
        r"Subscription '<s>' must select only one top level field\.",
        "Das Abonnement '{s}' darf nur ein Feld der obersten Ebene auswählen.",
    ),
    (
        r"Fields '<a>' conflict because (?P<inner>.+)\. Use different aliases on the"
        r" fields to fetch both if this was intentional\.",
        "Die Felder '{a}' widersprechen sich ({inner}); für beide verschiedene Aliase verwenden.",
    ),
    (
        r"'<a>' and '<b>' are different fields",
        "'{a}' und '{b}' sind verschiedene Felder",
    ),
    (
        r"they return conflicting types '<a>' and '<b>'",
        "sie liefern unvereinbare Typen '{a}' und '{b}'",
    ),
    # graphql-core: syntax (after "Syntax Error: ").
    (r"Expected (?P<a>.+), found (?P<b>.+)\.", "{a} erwartet, {b} gefunden."),
    (r"Unexpected character: (?P<c>.+)\.", "Unerwartetes Zeichen: {c}."),
    (r"Unexpected (?P<a>.+)\.", "Unerwartet: {a}."),
    (
        r"Document contains more than (?P<n>\d+) tokens\. Parsing aborted\.",
        "Das Dokument hat mehr als {n} Token; Einlesen abgebrochen.",
    ),
    (
        r"Source contains more than (?P<n>\d+) code points\. Parsing aborted\.",
        "Das Dokument hat mehr als {n} Zeichen; Einlesen abgebrochen.",
    ),
)
