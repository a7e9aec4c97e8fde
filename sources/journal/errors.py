"""Failures of the journal, translated from the database driver at one boundary.

    JournalError                  any journal failure; `code` is for metrics and logs
    ├── JournalConfigError        an unusable URL or encryption key setting
    ├── JournalUnavailableError   the database cannot be reached, timed out or failed
    ├── JournalNotMigratedError   the schema is missing or not at this release's revision
    ├── JournalConflictError      a transition whose precondition no longer holds
    │                             (another owner took the lease over, or the state moved on)
    └── JournalSecretError        a stored secret cannot be decrypted (unknown key id, tampered)

Messages never carry a statement's parameters or a database password.
"""

from __future__ import annotations


class JournalError(Exception):
    code = "JOURNAL_ERROR"


class JournalConfigError(JournalError):
    code = "JOURNAL_CONFIG"


class JournalUnavailableError(JournalError):
    code = "JOURNAL_UNAVAILABLE"


class JournalNotMigratedError(JournalError):
    code = "JOURNAL_NOT_MIGRATED"

    def __init__(self, current: str | None, expected: str) -> None:
        found = f"revision {current}" if current else "no journal schema"
        super().__init__(
            f"The journal database has {found}; this release needs revision {expected}. "
            "Run `portalgraph migrate` (in a rollout: the migration Job or init container) "
            "before starting the gateway."
        )
        self.current = current
        self.expected = expected


class JournalConflictError(JournalError):
    code = "JOURNAL_CONFLICT"


class JournalSecretError(JournalError):
    code = "JOURNAL_SECRET"
