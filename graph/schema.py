"""The Strawberry schema and the extensions every operation runs through."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graph.extensions.at_hand import AtHandExecutionContext
from graph.extensions.field_hooks import bind_field_hooks
from graph.extensions.hardening import Hardening
from graph.extensions.masking import Masking, cleaned, should_mask_error
from graph.extensions.outages import OutageReport
from graph.extensions.unwinding import UnwindingRunner
from graph.federation import FEDERATION_VERSION, FederatedSchema, federation_fields_last
from graph.resolvers.mutation import Mutation
from graph.resolvers.query import Query
from graph.resolvers.subscriptions import Subscription
from graph.settings import Settings
from graph.types.application import Application
from graph.types.message import Message
from graph.types.payment import Payment
from graph.types.service import Service
from graph.version import SCHEMA_DESCRIPTION

logger = logging.getLogger("portalgraph.errors")
CACHE_SIZE = 1024


class PortalgraphSchema(FederatedSchema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return UnwindingRunner(execution_context=execution_context, extensions=extensions)

    def as_str(self) -> str:
        # Strawberry's printer leaves the schema description out (its TODO); the SDL file
        # carries it, as introspection's `__schema { description }` does.
        return f'"""\n{SCHEMA_DESCRIPTION}\n"""\n' + super().as_str()

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # A refusal raised while the operation's hooks are entered (rate limit, character
        # limit, persisted documents) never passes ErrorHygiene's exit: before any document
        # was parsed, its code and the client's language are given here, in place (the list
        # is the result's and fresh; after parsing it may be ValidationCache's own).
        if execution_context is not None and execution_context.graphql_document is None:
            context = execution_context.context
            settings = getattr(context, "settings", None)
            production = settings is not None and settings.is_production
            errors[:] = cleaned(errors, context, production=production)
        # Client errors (validation, bad input, upstream outages) are expected; only
        # unexpected exceptions deserve a traceback, and never the request's variables.
        for error in errors:
            if should_mask_error(error):
                logger.error(
                    "unexpected error in %s",
                    ".".join(map(str, error.path or [])) or "operation",
                    exc_info=error.original_error,
                )


def build_schema(
    *,
    production: bool = False,
    hardening: Hardening | None = None,
    observers: Sequence[Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    """The schema; `hardening` carries the limits and stores (defaults for the profile).

    `observers` (metrics, tracing) run outermost, so they also see refused operations.
    """
    hardening = hardening or Hardening.from_settings(
        Settings().override(profile="production" if production else "development")
    )
    production = production or hardening.settings.is_production
    built = PortalgraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Service, Application, Payment, Message],
        federation_version=FEDERATION_VERSION,
        # No cycle per operation; plain leaf fields without graphql-core's per-field work.
        execution_context_class=AtHandExecutionContext,
        config=StrawberryConfig(
            disable_field_suggestions=production, batching_config=hardening.batching
        ),
        extensions=[
            *observers,
            *hardening.extensions(),
            lambda: ParserCache(maxsize=CACHE_SIZE),
            lambda: ValidationCache(maxsize=CACHE_SIZE),
            OutageReport,
            lambda: Masking(should_mask_error=should_mask_error),
        ],
    )
    federation_fields_last(built)
    bind_field_hooks(built._schema)  # audit and outage count: only on the fields that need them
    built._schema.description = SCHEMA_DESCRIPTION
    return built


schema = build_schema()
