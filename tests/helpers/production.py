"""Settings for a production-profile gateway in tests: the journal's secrets it requires."""

from __future__ import annotations

import dataclasses

from graph.settings import Secrets, Settings

# Test values only; production refuses to start without both (docs/journal.md).
JOURNAL_SECRETS = {
    "PORTALGRAPH_JOURNAL_KEYS": "k1:" + "A" * 43 + "=",
    "PORTALGRAPH_JOURNAL_SUBJECT_KEY": "test-subject-key-" + "s" * 26,
}


def production(settings: Settings, **overrides: object) -> Settings:
    """`settings` in the production profile, with test journal secrets added."""
    changed = settings.override(profile="production", **overrides)
    return dataclasses.replace(changed, secrets=Secrets({**settings.secrets, **JOURNAL_SECRETS}))
