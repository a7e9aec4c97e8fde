"""The German catalogue of every message a client can get: ours and graphql-core's.

`graph/domain/messages.py` reads it; nothing else does. `EXACT` maps whole messages.
`RULES` are regular expressions matched against a whole message, in order, with a German
template; a named group is inserted as it is, except that a group named `inner…` is
translated again (a message inside a message: the problem of an argument, the reason of
an invalid variable, a syntax error's description), `word…` is looked up in `WORDS`, and
`list…` is a list of suggestions; `'<f>'` in a pattern is short for a quoted name captured
as group `f`. A message no entry matches stays English.
"""

from __future__ import annotations

import re

from graph.domain.messages_de_graphql import GRAPHQL_EXACT, GRAPHQL_RULES

EXACT = {
    **GRAPHQL_EXACT,
    "The access token is invalid; sign in again.": (
        "Das Zugangstoken ist ungültig; bitte erneut anmelden."
    ),
    "The access token expired; refresh it and send the request again.": (
        "Das Zugangstoken ist abgelaufen; bitte erneuern und die Anfrage wiederholen."
    ),
    "Send the access token as 'Authorization: Bearer <token>'.": (
        "Das Zugangstoken bitte als 'Authorization: Bearer <Token>' senden."
    ),
    "Sign-in cannot be verified right now; please try again later.": (
        "Die Anmeldung kann gerade nicht geprüft werden; bitte später erneut versuchen."
    ),
    "Sign in to make changes: send 'Authorization: Bearer <token>'.": (
        "Für Änderungen bitte anmelden: 'Authorization: Bearer <Token>' senden."
    ),
    "Sign in to see your own data.": "Bitte anmelden, um die eigenen Daten zu sehen.",
    "Sign in to subscribe to your own updates.": (
        "Bitte anmelden, um eigene Aktualisierungen zu abonnieren."
    ),
    "No such application in your account.": "Dieser Antrag ist nicht in Ihrem Konto.",
    "No such message in your mailbox.": "Diese Nachricht ist nicht in Ihrem Postfach.",
    "Subscriptions need a stream: use a WebSocket (graphql-ws, protocol graphql-transport-ws)"
    " or Server-Sent Events (graphql-sse, 'Accept: text/event-stream') on this URL.": (
        "Abonnements brauchen einen Datenstrom: bitte WebSocket (graphql-ws, Protokoll"
        " graphql-transport-ws) oder Server-Sent Events (graphql-sse, 'Accept:"
        " text/event-stream') an dieser URL verwenden."
    ),
    "Batching is not enabled — send one operation per request, or set PORTALGRAPH_MAX_BATCH": (
        "Batching ist nicht eingeschaltet — eine Operation je Anfrage senden oder"
        " PORTALGRAPH_MAX_BATCH setzen"
    ),
    "Too many operations — the limit is PORTALGRAPH_MAX_BATCH": (
        "Zu viele Operationen — die Grenze ist PORTALGRAPH_MAX_BATCH"
    ),
    "Unexpected error.": "Unerwarteter Fehler.",
    # Strawberry's refusals of a malformed HTTP request (graph/http/errors.py).
    "No GraphQL query found in the request": "Die Anfrage enthält kein GraphQL-Dokument",
    "Unable to parse request body as JSON": "Der Anfrageinhalt ist kein gültiges JSON",
    "Unsupported content type": "Nicht unterstützter Content-Type",
    "Unable to parse the multipart body": "Der Multipart-Inhalt ist nicht lesbar",
    "File(s) missing in form data": "Datei(en) fehlen in den Formulardaten",
    "GraphQL only supports GET and POST requests.": "GraphQL kennt nur GET- und POST-Anfragen.",
    "The GraphQL operation's `variables` must be an object or null, if provided.": (
        "`variables` muss ein Objekt oder null sein, wenn angegeben."
    ),
    "The GraphQL operation's `query` must be a string or null, if provided.": (
        "`query` muss eine Zeichenkette oder null sein, wenn angegeben."
    ),
    "The GraphQL operation's `extensions` must be an object or null, if provided.": (
        "`extensions` muss ein Objekt oder null sein, wenn angegeben."
    ),
    # The problems of BadUserInputError ("Argument 'x': <problem>").
    "must be an Amtlicher Regionalschlüssel of 2, 3, 5, 9 or 12 digits": (
        "muss ein Amtlicher Regionalschlüssel mit 2, 3, 5, 9 oder 12 Ziffern sein"
    ),
    "must be a 12-digit Amtlicher Regionalschlüssel": (
        "muss ein zwölfstelliger Amtlicher Regionalschlüssel sein"
    ),
    "must be a LeiKa key: 14 digits starting with 99": (
        "muss ein LeiKa-Schlüssel sein: 14 Ziffern, beginnend mit 99"
    ),
    "must match ^99\\d{12}$": "muss ^99\\d{12}$ entsprechen",
    "must not be negative": "darf nicht negativ sein",
    "is not a valid cursor": "ist kein gültiger Cursor",
    "is a cursor of another list": "ist ein Cursor einer anderen Liste",
    "cannot be combined with first: page forwards (first/after) or backwards": (
        "lässt sich nicht mit first verbinden: vorwärts (first/after) oder rückwärts blättern"
    ),
    "is not a valid ID": "ist keine gültige ID",
    "is not a portal of this network": "ist kein Portal dieses Netzes",
    "must be a string": "muss eine Zeichenkette sein",
    "is not an entity of this graph": "ist keine Entität dieses Graphen",
    "each must be an object": "jede Referenz muss ein Objekt sein",
    "each must be a file part of a multipart request": (
        "jeder Anhang muss ein Dateiteil einer Multipart-Anfrage sein"
    ),
    "must hold 1 to 99 positions": "muss 1 bis 99 Positionen enthalten",
    "each needs a description, amountCents > 0, quantity ≥ 1": (
        "jede Position braucht eine Beschreibung, amountCents > 0 und quantity ≥ 1"
    ),
    "must be an http(s) URL": "muss eine http(s)-URL sein",
    "must lead back to the portal's own site": "muss zur Seite des Portals zurückführen",
    "an ARS starts with a Land code 01 to 16": (
        "ein ARS beginnt mit einem Landesschlüssel 01 bis 16"
    ),
    "the municipality directory knows no place with this ARS": (
        "das Gemeindeverzeichnis kennt keinen Ort mit diesem ARS"
    ),
}

WORDS = {
    # Limits (graph/extensions/limits.py).
    "depth": "Tiefe",
    "aliases": "Aliase",
    "directives": "Direktiven",
    "estimated cost": "geschätzte Kosten",
    "repeated field": "wiederholtes Feld",
    # What a scalar could not represent (graphql-core's coercion).
    "a non string ": ": keine Zeichenkette",
    "non-integer ": ": keine ganze Zahl",
    "non 32-bit signed integer ": ": keine 32-Bit-Ganzzahl",
    "non numeric ": ": keine Zahl",
    "a non boolean ": ": kein Wahrheitswert",
    # Outages (graph/domain/outages.py).
    "is unavailable": "ist nicht erreichbar",
    "did not answer in time": "hat nicht rechtzeitig geantwortet",
    "is rate limiting requests": "begrenzt die Zahl der Anfragen",
    "sent a response that could not be read": "hat eine unlesbare Antwort gesendet",
    "failed": "ist ausgefallen",
}

_RAW = (
    # Wrappers first: what they wrap is translated by the rules below.
    (r"(?P<inner>.+?) Did you mean (?P<list>.+)\?", "{inner} Meinten Sie {list}?"),
    (r"Argument '(?P<a>[\w.]+)': (?P<inner>.+)", "Argument '{a}': {inner}"),
    (
        r"Variable '<v>' has invalid value at (?P<at>\S+): (?P<inner>.+)",
        "Die Variable '{v}' hat einen ungültigen Wert bei {at}: {inner}",
    ),
    (
        r"Variable '<v>' has invalid value: (?P<inner>.+)",
        "Die Variable '{v}' hat einen ungültigen Wert: {inner}",
    ),
    (r"Syntax Error: (?P<inner>.+)", "Syntaxfehler: {inner}"),
    # Argument problems with numbers.
    (r"the region (?P<r>\d+) is unknown: (?P<inner>.+)", "die Region {r} ist unbekannt: {inner}"),
    (r"must be at most (?P<n>\d+) characters", "darf höchstens {n} Zeichen lang sein"),
    (r"must be at least (?P<n>\d+) characters", "muss mindestens {n} Zeichen lang sein"),
    (r"must be 1 to (?P<n>\d+) characters", "muss 1 bis {n} Zeichen lang sein"),
    (r"must be at most (?P<n>\d+)", "darf höchstens {n} sein"),
    (
        r"must be 1 to (?P<n>\d+) letters, digits, (?P<rest>.+)",
        "muss aus 1 bis {n} Zeichen bestehen: Buchstaben, Ziffern, {rest}",
    ),
    (r"is not the ID of an? (?P<t>\w+)", "ist nicht die ID eines Objekts vom Typ {t}"),
    # Malformed requests (graph/http/request_body.py).
    (
        r"The body is not valid JSON: (?P<detail>.+)",
        "Der Anfrageinhalt ist kein gültiges JSON: {detail}",
    ),
    (
        r"'operations' must be a JSON object or array\.",
        "'operations' muss ein JSON-Objekt oder -Array sein.",
    ),
    (
        r"'map' must be a JSON object of file field names to paths\.",
        "'map' muss ein JSON-Objekt von Dateifeldnamen auf Pfade sein.",
    ),
    (
        r"'map' names the file field (?P<f>.+), which was not sent\.",
        "'map' nennt das Dateifeld {f}, das nicht gesendet wurde.",
    ),
    # Limits and refusals of our own.
    (
        r"Operation (?P<word>depth|aliases|directives|estimated cost|repeated field) (?P<n>\d+)"
        r" exceeds the limit (?P<m>\d+)\.",
        "Operation: {word} {n} überschreitet die Grenze {m}.",
    ),
    (
        r"The document has (?P<n>\d+) characters; the limit is (?P<m>\d+)\.",
        "Das Dokument hat {n} Zeichen; die Grenze ist {m}.",
    ),
    (
        r"(?P<n>\d+) representations exceed the limit (?P<m>\d+)\.",
        "{n} Repräsentationen überschreiten die Grenze {m}.",
    ),
    (
        r"Too many operations; try again in (?P<n>\d+) s\.",
        "Zu viele Operationen; bitte in {n} s erneut versuchen.",
    ),
    (
        r"Refused (?P<what>.+): send the header 'GraphQL-Preflight: 1'"
        r" \(or Apollo-Require-Preflight\)\.",
        "Abgelehnt ({what}): bitte den Header 'GraphQL-Preflight: 1'"
        " (oder Apollo-Require-Preflight) senden.",
    ),
    (
        r"Disallowed CORS (?P<what>.+?) — add the origin to (?P<s>\w+)",
        "Nicht erlaubte CORS-Anfrage ({what}) — den Origin in {s} eintragen",
    ),
    (r"Disallowed CORS (?P<what>.+)", "Nicht erlaubte CORS-Anfrage ({what})"),
    (
        r"Portal '<p>' \((?P<c>[^)]+)\) (?P<word>.+); its data is missing\.",
        "Portal '{p}' ({c}) {word}; seine Daten fehlen.",
    ),
    *GRAPHQL_RULES,
)
QUOTED_NAME = re.compile(r"'<(\w+)>'")  # shorthand: '<f>' is a quoted name, group f
RULES = tuple(
    (re.compile(QUOTED_NAME.sub(r"'(?P<\1>[^']+)'", pattern)), german) for pattern, german in _RAW
)
