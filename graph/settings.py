"""Gateway settings, read once from `PORTALGRAPH_*` environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar

PREFIX = "PORTALGRAPH_"
Profile = Literal["development", "production"]
T = TypeVar("T")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting with its default; the README's configuration table mirrors this."""

    profile: Profile = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    network: str = "network.toml"
    redis_url: str | None = None
    log_level: str = "info"
    max_page_size: int = 100
    default_page_size: int = 20
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 10.0
    max_body_bytes: int = 1_000_000

    @property
    def is_production(self) -> bool:
        return self.profile == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = PREFIX + spec.name.upper()
            if name in environ:
                values[spec.name] = _convert(name, environ[name], spec.type)
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.profile not in ("development", "production"):
            raise SettingsError(
                f"{PREFIX}PROFILE must be 'development' or 'production' (got {self.profile!r})"
            )
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise SettingsError(
                f"{PREFIX}DEFAULT_PAGE_SIZE must be between 1 and {PREFIX}MAX_PAGE_SIZE"
            )
        for name in ("port", "workers", "max_body_bytes"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be positive")


def _convert(name: str, raw: str, annotation: Any) -> Any:
    kind = str(annotation)
    converters: dict[str, Callable[[str], Any]] = {"int": int, "float": float}
    try:
        if kind.startswith("str | None"):
            return raw or None
        if kind in converters:
            return converters[kind](raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number (got {raw!r})") from None
    return raw
