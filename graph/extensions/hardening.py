"""The hardening extensions of one gateway, built once from its settings.

Process-wide state (the APQ store, the rate limiter, the pseudonym key) lives here, so
every request's fresh extension instances share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.schema.config import BatchingConfig

from graph.extensions.audit import AuditLog
from graph.extensions.documents import DocumentStore, PersistedDocuments, load_manifest
from graph.extensions.federation_guard import RouterOnlySdl
from graph.extensions.limits import CharacterLimit, operation_limits_rule
from graph.extensions.list_variables import ListVariableLimits
from graph.extensions.masking import ErrorHygiene
from graph.extensions.measure import Limits
from graph.extensions.ratelimit import Limiter, MemoryLimiter, RateLimit
from graph.ops.logging import Pseudonyms
from graph.settings import Settings


@dataclass(slots=True)
class Hardening:
    settings: Settings
    documents: DocumentStore
    limiter: Limiter = field(default_factory=MemoryLimiter)
    pseudonyms: Pseudonyms = field(default_factory=Pseudonyms)
    rules: list[type[ASTValidationRule]] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        # Built once: a rule class per request would defeat the ValidationCache
        # (strawberry#4635).
        configured = self.settings.limits
        limits = Limits(
            depth=configured.max_depth,
            aliases=configured.max_aliases,
            directives=configured.max_directives,
            cost=configured.max_cost,
            repeats=configured.max_field_repeats,
            default_list_size=configured.default_page_size,
            max_list_size=configured.max_page_size,
            list_size=configured.cost_list_size,
        )
        self.rules = [operation_limits_rule(limits)]
        self.limits = limits

    @classmethod
    def from_settings(cls, settings: Settings, limiter: Limiter | None = None) -> Hardening:
        manifest = settings.limits.trusted_documents
        documents = DocumentStore(
            trusted=load_manifest(manifest) if manifest else None,
            size=settings.limits.apq_cache_size,
        )
        return cls(
            settings,
            documents,
            limiter or MemoryLimiter(),
            Pseudonyms(settings.ops.audit_key),
        )

    async def download_wait(self, subject: str) -> float:
        """Seconds until this viewer may download another attachment (issue 18 #5)."""
        per_minute = self.settings.limits.rate_limit_downloads
        if not per_minute:
            return 0.0
        return await self.limiter.wait_time("dl:" + self.pseudonyms(subject), per_minute)

    @property
    def batching(self) -> BatchingConfig | None:
        # Off by default: a JSON array of operations multiplies one request's work.
        size = self.settings.limits.max_batch
        return BatchingConfig(max_operations=size) if size else None

    def extensions(self) -> list[Callable[[], SchemaExtension]]:
        """In order: the cheapest refusals first; ErrorHygiene must precede MaskErrors."""
        settings, limits = self.settings, self.settings.limits
        found: list[Callable[[], SchemaExtension]] = [
            lambda: RateLimit(
                self.limiter,
                viewer_per_minute=limits.rate_limit_viewer,
                anonymous_per_minute=limits.rate_limit_anonymous,
                pseudonym=self.pseudonyms,
            ),
            lambda: PersistedDocuments(self.documents),
            lambda: CharacterLimit(limits.max_characters),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: AddValidationRules(self.rules),
            lambda: ListVariableLimits(self.limits, limits.max_representations),
            lambda: AuditLog(self.pseudonyms),
            lambda: ErrorHygiene(production=settings.is_production),
        ]
        if settings.is_production:
            found.insert(4, DisableIntrospection)
            found.insert(5, lambda: RouterOnlySdl(limits.federation_token))
        return found
