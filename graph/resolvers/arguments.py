"""Checks of client-supplied arguments; each failure names the argument."""

from __future__ import annotations

from graph.domain.errors import BadUserInputError
from graph.settings import Settings
from sources.base import ARS_PATTERN, LEIKA_PATTERN, pad_ars

MAX_SEARCH_LENGTH = 200


def check_ars(ars: str, *, argument: str = "ars") -> str:
    if not ARS_PATTERN.match(ars):
        raise BadUserInputError(
            argument, "must be an Amtlicher Regionalschlüssel of 2, 3, 5, 9 or 12 digits"
        )
    return pad_ars(ars)


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


def check_first_page(first: int | None, settings: Settings) -> int:
    limits = settings.limits
    if first is None:
        return limits.default_page_size
    if first < 0:
        raise BadUserInputError("first", "must not be negative")
    if first > limits.max_page_size:
        raise BadUserInputError("first", f"must be at most {limits.max_page_size}")
    return first
