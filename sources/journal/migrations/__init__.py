"""Alembic migrations of the journal; run them through `sources.journal.migrate`."""
