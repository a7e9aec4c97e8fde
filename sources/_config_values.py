"""Validators for network-file values; each failure names the key path it is about."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from sources._toml_lines import Path

ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
ADAPTER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")
ARS12 = re.compile(r"^\d{12}$")


class InvalidValueError(ValueError):
    """One problem with one key; the parser adds file and line."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def table(value: Any, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValueError(path, "must be a table")
    return value


def known_keys(value: dict[str, Any], allowed: Collection[str], path: Path) -> None:
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise InvalidValueError((*path, unknown[0]), f"unknown key(s) {', '.join(unknown)}")


def required_str(value: dict[str, Any], key: str, path: Path) -> str:
    found = value.get(key)
    if not isinstance(found, str) or not found.strip():
        raise InvalidValueError((*path, key), f"{key} is required and must be a non-empty string")
    return found


def optional_str(value: dict[str, Any], key: str, path: Path) -> str | None:
    found = value.get(key)
    if found is not None and (not isinstance(found, str) or not found.strip()):
        raise InvalidValueError((*path, key), f"{key} must be a non-empty string")
    return found


def http_url(value: dict[str, Any], key: str, path: Path, *, required: bool = True) -> str | None:
    found = value.get(key)
    if found is None and not required:
        return None
    parts = urlsplit(found) if isinstance(found, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValueError((*path, key), f"{key} must be an http(s) URL (got {found!r})")
    return str(found).rstrip("/")


def env_name(value: dict[str, Any], key: str, path: Path, *, required: bool = True) -> str | None:
    found = value.get(key)
    if found is None and not required:
        return None
    if not isinstance(found, str) or not ENV_NAME.match(found):
        raise InvalidValueError(
            (*path, key),
            f"{key} must name an environment variable in capitals (got {found!r});"
            " secrets never go into the network file",
        )
    return found


def pattern(value: dict[str, Any], key: str, regex: re.Pattern[str], what: str, path: Path) -> str:
    found = value.get(key)
    if not isinstance(found, str) or not regex.match(found):
        raise InvalidValueError((*path, key), f"{key} must be {what} (got {found!r})")
    return found
