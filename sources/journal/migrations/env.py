"""Alembic's entry point, run only through `sources.journal.migrate`.

That module opens the connection (and, on PostgreSQL, takes an advisory lock so that two
pods migrating at once take turns) and hands it over in `config.attributes`.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run the journal migrations with `portalgraph migrate` (sources.journal.migrate)."
    )
context.configure(
    connection=connection,
    target_metadata=context.config.attributes.get("metadata"),
    version_table=context.config.attributes["version_table"],
    # SQLite alters a table by copying it; later revisions may need that.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
