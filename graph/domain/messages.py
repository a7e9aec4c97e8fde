"""Error messages in German and English, chosen by Accept-Language; codes never change.

A citizen portal's UI is German, so German is the default when a client names neither
language. Messages are written in English where they are raised (ours, and graphql-core's
validation, coercion and syntax errors); the one catalogue, `graph/domain/messages_de.py`,
maps each (or a pattern of it) to its German text at the boundary that sends it: the
GraphQL errors of HTTP, SSE and WebSocket results (graph/extensions/masking.py) and the
HTTP refusals before GraphQL. A message without an entry stays English;
`extensions.code` is what programs read.
"""

from __future__ import annotations

import re
from typing import Literal

from graph.domain.messages_de import EXACT, RULES, WORDS

Language = Literal["de", "en"]
DEFAULT_LANGUAGE: Language = "de"
HEADER = "accept-language"


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
    return message if lang == "en" else german(message)


def german(message: str) -> str:
    """The German text of an English message, by the catalogue; unknown text unchanged."""
    if message in EXACT:
        return EXACT[message]
    for pattern, template in RULES:
        found = pattern.fullmatch(message)
        if found:
            parts = {name: _part(name, value) for name, value in found.groupdict().items()}
            return template.format(**parts)
    return message


def _part(name: str, value: str | None) -> str:
    if value is None:
        return ""
    if name.startswith("inner"):
        return german(value)
    if name.startswith("word"):
        return WORDS.get(value, value)
    if name.startswith("list"):  # graphql-core's suggestions: 'a', 'b', or 'c'
        return SUGGESTION_WORDS.sub(lambda m: SUGGESTION_GERMAN[m.group(0)], value)
    return value


SUGGESTION_GERMAN = {", or ": " oder ", " or ": " oder ", "the enum value ": "den Enum-Wert "}
SUGGESTION_WORDS = re.compile("|".join(map(re.escape, SUGGESTION_GERMAN)))
