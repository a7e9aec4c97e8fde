"""Checks of client-supplied arguments; each failure names the argument."""

from __future__ import annotations

from graph.domain.errors import BadUserInputError, UnknownRegionError
from graph.settings import Settings
from sources.base import ARS_PATTERN, FEDERAL_ARS, LEIKA_PATTERN, pad_ars

MAX_SEARCH_LENGTH = 200


# The 16 Länder (Schlüsselnummer des Landes, first two digits of every ARS); 00 is the Bund.
LAND_CODES = frozenset(f"{n:02d}" for n in range(1, 17))


def check_ars(ars: str, *, argument: str = "ars") -> str:
    if not ARS_PATTERN.match(ars):
        raise BadUserInputError(
            argument, "must be an Amtlicher Regionalschlüssel of 2, 3, 5, 9 or 12 digits"
        )
    padded = pad_ars(ars)
    if padded[:2] not in LAND_CODES and padded != FEDERAL_ARS:
        # Well-formed but no region: answering with federal services alone would hide it.
        raise UnknownRegionError(argument, ars, "an ARS starts with a Land code 01 to 16")
    return padded


def check_leika_key(key: str, *, argument: str = "leikaKey") -> str:
    if not LEIKA_PATTERN.match(key):
        raise BadUserInputError(argument, "must be a LeiKa key: 14 digits starting with 99")
    return key


def check_text(text: str | None, *, argument: str, minimum: int = 0) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text) > MAX_SEARCH_LENGTH:
        raise BadUserInputError(argument, f"must be at most {MAX_SEARCH_LENGTH} characters")
    if len(text) < minimum:
        raise BadUserInputError(argument, f"must be at least {minimum} characters")
    return text or None


def check_page_size(size: int | None, settings: Settings, argument: str) -> int | None:
    if size is None:
        return None
    if size < 0:
        raise BadUserInputError(argument, "must not be negative")
    if size > settings.limits.max_page_size:
        raise BadUserInputError(argument, f"must be at most {settings.limits.max_page_size}")
    return size
