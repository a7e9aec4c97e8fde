"""The shared, mutable case store behind the account areas, FIT-Connect, Postfach and payments.

A citizen's cases are generated on first access (by subject) and cached, so starting the
sandbox costs nothing and 100,000 citizens stay affordable. Look-ups by a case, message or
transaction ID cannot know the owner; with at most EAGER_LIMIT citizens a miss generates
everyone once (about 0.1 s per 200 citizens), beyond that an ID becomes known once its
owner's account area or Postfach has been read [I].
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator

from sandbox.case_model import Application, Cases, Event, Message, StatusUpdate, Transaction
from sandbox.case_texts import (
    ACTION_REQUIRED,
    COMPLETED,
    COMPLETED_INFO,
    EVENT_STATUS,
    PROBLEM_BASE,
    PROBLEMS,
    RESUMED,
)
from sandbox.cases import generate_cases
from sandbox.citizens import Citizen

EAGER_LIMIT = 20_000
# What the next step of a case is, keyed by (last event, last ZBP status) [I].
NEXT_EVENT = {"create": "submit", "submit": "notify", "notify": "accept", "forward": "accept"}


class CaseConflictError(Exception):
    """The case cannot advance any further."""


def live_id() -> str:
    """An id for something that happens now: unique per run, like a real UUID.

    Seeded ids would repeat in the next run, and a shared Redis would take the repeated
    event ids for duplicates.
    """
    return str(uuid.uuid4())


class CaseStore:
    def __init__(self, citizens: Iterable[Citizen], seed: int) -> None:
        self.seed = seed
        self.citizens = {c.subject: c for c in citizens}
        self._cases: dict[str, Cases] = {}
        self._complete = False
        self.applications: dict[str, Application] = {}  # by applicationId
        self.by_case: dict[str, Application] = {}
        self.messages: dict[str, Message] = {}
        self.transactions: dict[str, Transaction] = {}
        self.by_request: dict[tuple[str, str, str, str], Transaction] = {}

    def cases(self, subject: str) -> Cases | None:
        """The citizen's cases, generated on first access; None for an unknown subject."""
        cached = self._cases.get(subject)
        if cached is not None:
            return cached
        citizen = self.citizens.get(subject)
        if citizen is None:
            return None
        cases = self._cases[subject] = generate_cases(citizen, self.seed)
        for apps in cases.applications.values():
            for app in apps:
                self.applications[app.application_id] = app
                self.by_case[app.case_id] = app
        for messages in cases.messages.values():
            self.messages.update((m.id, m) for m in messages)
        for tx in cases.transactions:
            self.add_transaction(tx)
        return cases

    def generate_all(self) -> None:
        for subject in self.citizens:
            self.cases(subject)
        self._complete = True

    def _on_miss(self) -> bool:
        """Generate everyone once (small networks only); True if that may find new IDs."""
        if self._complete or len(self.citizens) > EAGER_LIMIT:
            return False
        self.generate_all()
        return True

    def case(self, case_id: str) -> Application | None:
        found = self.by_case.get(case_id)
        if found is None and self._on_miss():
            found = self.by_case.get(case_id)
        return found

    def application(self, application_id: str) -> Application | None:
        return self.applications.get(application_id)

    def new_application(
        self, login: str, portal_id: str, leika_key: str, service_name: str
    ) -> Application | None:
        """A freshly submitted application (create + submit), as a live demo's starting point."""
        citizen = next((c for c in self.citizens.values() if c.login == login), None)
        mine = self.cases(citizen.subject) if citizen else None
        if citizen is None or mine is None:
            return None
        now = int(time.time())
        app = Application(
            application_id=live_id(),
            case_id=live_id(),
            submission_id=live_id(),
            portal_id=portal_id,
            subject=citizen.subject,
            leika_key=leika_key,
            service_name=service_name,
            sender="Bürgeramt",
            reference=f"Az. DEMO-{now % 100000:05d}",
            created_at=now - 1,
            submitted_at=now,
            events=[
                Event("create", now - 1, live_id()),
                Event("submit", now, live_id()),
            ],
            statuses=[StatusUpdate(live_id(), "SUBMITTED", now, "Antrag eingegangen")],
        )
        mine.applications.setdefault(portal_id, []).insert(0, app)
        self.applications[app.application_id] = app
        self.by_case[app.case_id] = app
        return app

    def transaction(self, transaction_id: str) -> Transaction | None:
        found = self.transactions.get(transaction_id)
        if found is None and self._on_miss():
            found = self.transactions.get(transaction_id)
        return found

    def by_request_id(self, key: tuple[str, str, str, str]) -> Transaction | None:
        found = self.by_request.get(key)
        if found is None and self._on_miss():
            found = self.by_request.get(key)
        return found

    def add_transaction(self, tx: Transaction) -> None:
        self.transactions[tx.transaction_id] = tx
        key = (tx.portal_id, tx.originator_id, tx.end_point_id, tx.request["requestId"])
        self.by_request[key] = tx

    def new_transaction_id(self) -> str:
        """A provider transaction ID for a payment started at runtime (unique per run)."""
        while (tx_id := f"TX{uuid.uuid4().hex[:24].upper()}") in self.transactions:
            pass
        return tx_id

    def iter_cases(self) -> Iterator[tuple[str, Cases]]:
        """Every generated citizen's cases (generates nobody)."""
        return iter(self._cases.items())

    def advance(self, app: Application, outcome: str | None = None) -> tuple[str | None, str]:
        """Append the next plausible FIT-Connect event and/or ZBP status update.

        submit → notify (RECEIVED) → accept (PROCESSING) → COMPLETED; ACTION_REQUIRED →
        PROCESSING; after accept the transport log is final, so only the status moves.
        `outcome="reject"` makes the authority reject the submission instead of accepting it
        (reject-submission with a problem; no status update, status_v6 has no such state).
        """
        last_event = app.events[-1].name if app.events else "create"
        last_status = app.statuses[-1].status if app.statuses else "INITIATED"
        # Live: the next step happens now (never before the case's last change).
        at = max(app.updated_at + 1, int(time.time()))
        if outcome == "reject" and NEXT_EVENT.get(last_event) == "accept":
            kind, title, detail, instance = PROBLEMS[0]
            problem = {"type": PROBLEM_BASE + kind, "title": title, "detail": detail}
            app.events.append(Event("reject", at, live_id(), (problem | {"instance": instance},)))
            return app.events[-1].uri, last_status
        if last_event in NEXT_EVENT:
            name = NEXT_EVENT[last_event]
            app.events.append(Event(name, at, live_id()))
            status = EVENT_STATUS[name]
            assert status is not None
            app.statuses.append(StatusUpdate(live_id(), status[0], at, status[1]))
            if name == "submit":
                app.submitted_at = at
            return app.events[-1].uri, status[0]
        if last_event == "reject" or last_status == "COMPLETED":
            raise CaseConflictError(f"case {app.case_id} is already closed")
        step = RESUMED if last_status == ACTION_REQUIRED[0] else COMPLETED
        info = COMPLETED_INFO if step is COMPLETED else None
        app.statuses.append(StatusUpdate(live_id(), step[0], at, step[1], info))
        return None, step[0]
