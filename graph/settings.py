"""Gateway settings in frozen groups, read once from `PORTALGRAPH_*` environment variables.

The groups and their variables are in graph/settings_groups.py; booleans accept on/off,
true/false, 1/0. This is the only module that reads the environment: secrets named by the
network file come from `Settings.secrets`, captured with the rest.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.settings_checks import PREFIX, SettingsError, convert
from graph.settings_groups import (
    GROUPS,
    CacheSettings,
    JournalSettings,
    LimitSettings,
    LiveSettings,
    OpsSettings,
    ServerSettings,
    UploadSettings,
    UpstreamSettings,
)

__all__ = ["PREFIX", "JournalSettings", "LimitSettings", "Secrets", "Settings", "SettingsError"]


class Secrets(Mapping[str, str]):
    """Named secrets (from the environment), captured once; never printed."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Secrets({len(self._values)} names)"

    def with_defaults(self, defaults: Mapping[str, str]) -> Secrets:
        """These secrets, plus `defaults` for the names not set (the sandbox's demo secrets)."""
        return Secrets({**defaults, **self._values})


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting with its default; the documented configuration table mirrors `variables()`."""

    server: ServerSettings = field(default_factory=ServerSettings)
    upstream: UpstreamSettings = field(default_factory=UpstreamSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    live: LiveSettings = field(default_factory=LiveSettings)
    uploads: UploadSettings = field(default_factory=UploadSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    journal: JournalSettings = field(default_factory=JournalSettings)
    secrets: Secrets = field(default_factory=Secrets, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.ops.replicas > 1 and not self.server.redis_url:
            # Each replica alone would keep its own subscriptions, rate limits and cache:
            # a callback reaching replica A would never find a subscriber on replica B.
            raise SettingsError(
                f"{PREFIX}REPLICAS is {self.ops.replicas}: more than one replica needs"
                f" {PREFIX}REDIS_URL (shared events, rate limits and cache)"
            )

    @property
    def is_production(self) -> bool:
        return self.server.is_production

    @staticmethod
    def variables() -> dict[str, tuple[str, dataclasses.Field[Any]]]:
        """Every variable name (with prefix) → (group, field)."""
        return {
            PREFIX + spec.metadata["env"]: (group, spec)
            for group, kind in GROUPS.items()
            for spec in dataclasses.fields(kind)
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` (default: this process's environment), secrets included."""
        environ = dict(os.environ if environ is None else environ)
        raw = {name: environ[name] for name in cls.variables() if name in environ}
        return cls.build(raw, secrets=Secrets(environ))

    @classmethod
    def build(cls, raw: Mapping[str, Any], *, secrets: Secrets | None = None) -> Settings:
        """Settings from variable names (with prefix) to raw strings or typed values."""
        values: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
        variables = cls.variables()
        for name, value in raw.items():
            if name not in variables:
                raise SettingsError(f"{name} is not a setting")
            group, spec = variables[name]
            values[group][spec.name] = convert(name, value, spec.type)
        groups = {group: GROUPS[group](**fields) for group, fields in values.items()}
        return cls(**groups, secrets=secrets or Secrets())

    def override(self, **values: Any) -> Settings:
        """A copy with some settings changed, named as their variables without prefix."""
        changed: dict[str, Any] = {}
        for name, value in values.items():
            group, spec = self.variables()[PREFIX + name.upper()]
            current = changed.get(group, getattr(self, group))
            changed[group] = dataclasses.replace(current, **{spec.name: value})
        return dataclasses.replace(self, **changed)
