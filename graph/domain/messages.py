"""Error messages in German and English, chosen by Accept-Language; codes never change.

A citizen portal's UI is German, so German is the default when a client names neither
language. Messages are written in English where they are raised; this catalogue maps
each one (or a pattern of it) to its German text at the boundary that sends it. A
message without an entry stays English; `extensions.code` is what programs read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

Language = Literal["de", "en"]
DEFAULT_LANGUAGE: Language = "de"
HEADER = "accept-language"

_EXACT = {
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
}
_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(
            r"Operation (depth|aliases|directives|estimated cost|repeated field) (\d+)"
            r" exceeds the limit (\d+)\."
        ),
        lambda m: "Operation: {} {} überschreitet die Grenze {}.".format(
            {
                "depth": "Tiefe",
                "aliases": "Aliase",
                "directives": "Direktiven",
                "estimated cost": "geschätzte Kosten",
                "repeated field": "wiederholtes Feld",
            }[m.group(1)],
            m.group(2),
            m.group(3),
        ),
    ),
    (
        re.compile(
            r"Refused (.+): send the header 'GraphQL-Preflight: 1'"
            r" \(or Apollo-Require-Preflight\)\."
        ),
        lambda m: (
            f"Abgelehnt ({m.group(1)}): bitte den Header 'GraphQL-Preflight: 1'"
            " (oder Apollo-Require-Preflight) senden."
        ),
    ),
    (
        re.compile(r"Disallowed CORS (.+?)( — add the origin to (\w+))?$"),
        lambda m: "Nicht erlaubte CORS-Anfrage ({}){}".format(
            m.group(1), f" — den Origin in {m.group(3)} eintragen" if m.group(2) else ""
        ),
    ),
    (
        re.compile(r"Argument '(\w+)': the region (\d+) is unknown: (.+)"),
        lambda m: "Argument '{}': die Region {} ist unbekannt: {}".format(
            m.group(1),
            m.group(2),
            {
                "an ARS starts with a Land code 01 to 16": (
                    "ein ARS beginnt mit einem Landesschlüssel 01 bis 16"
                ),
                "the municipality directory knows no place with this ARS": (
                    "das Gemeindeverzeichnis kennt keinen Ort mit diesem ARS"
                ),
            }.get(m.group(3), m.group(3)),
        ),
    ),
]


def language(accept_language: str | None) -> Language:
    """German or English by the client's Accept-Language (q-values, then order)."""
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate((accept_language or "").split(",")):
        tag, *params = (part.strip().lower() for part in item.split(";"))
        primary = tag.split("-", 1)[0]
        if primary not in ("de", "en"):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (quality, -position) > (best[0], -best[1])):
            best = (quality, position, "de" if primary == "de" else "en")
    return best[2] if best else DEFAULT_LANGUAGE


def localise(message: str, lang: Language) -> str:
    if lang == "en":
        return message
    if message in _EXACT:
        return _EXACT[message]
    for pattern, german in _PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return german(found)
    return message
