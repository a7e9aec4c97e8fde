"""The seam through which metrics watch the journal.

Every journal operation reports its name, its duration and how it ended (`None`, or the
`JournalError` code it raised). The composition root passes an implementation that feeds
Prometheus or OpenTelemetry; sources/ imports neither.
"""

from __future__ import annotations

from typing import Protocol


class JournalObserver(Protocol):
    def observe(self, operation: str, seconds: float, error: str | None) -> None:
        """One finished operation, e.g. `submissions.claim`, and its error code or None."""
        ...


class NoJournalObserver:
    """The default: watches nothing."""

    def observe(self, operation: str, seconds: float, error: str | None) -> None:
        return None


NO_JOURNAL_OBSERVER: JournalObserver = NoJournalObserver()
