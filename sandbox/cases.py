"""Seeded generation of one citizen's cases: applications, payments, event log, Postfach.

Each citizen has its own generator, `Random(f"{seed}/cases/{subject}")`, so a citizen's data
does not depend on who else exists or on the order of access: the store can generate lazily
(first access) and still be deterministic. No wall clock: times fall in a fixed window.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

from sandbox.case_mail import Mail, news
from sandbox.case_model import Application, Cases, Event, Message, StatusUpdate, Transaction, new_id
from sandbox.case_texts import (
    ACTION_INFO,
    ACTION_REQUIRED,
    COMPLETED,
    COMPLETED_INFO,
    DAY,
    DEMO_PLANS,
    EVENT_STATUS,
    HOUR,
    MINUTE,
    OUTCOME_WEIGHTS,
    OUTCOMES,
    PROBLEM_BASE,
    PROBLEMS,
    RESUMED,
    SENDERS,
    SERVICES,
    SPEC_BY_KEY,
    WINDOW_SECONDS,
    WINDOW_START,
    DemoApp,
)
from sandbox.citizens import Citizen
from sandbox.payment_seed import seed_payments

HEAVY_SHARE = 0.01  # the "Vielantragsteller": firms, associations, very busy households
COUNT_WEIGHTS = (30, 26, 19, 12, 8, 5)  # 0..5 applications for everyone else


def reply_events(message_id: str, at: int) -> list[Event]:
    """The authority's Rückfrage (the Postfach message `message_id`) as FIT-Connect reply
    events in the case's log: create-reply and submit-reply with `sub` reply:<id> [I: the
    names after create/submit-submission; docs.fitko.de names create-reply]. Ids derive from
    the message id, so the generator's random sequence is unchanged."""
    reply_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"reply:{message_id}"))
    return [
        Event(
            name, at, str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}:{reply_id}")), reply_id=reply_id
        )
        for name in ("create-reply", "submit-reply")
    ]


def generate_cases(citizen: Citizen, seed: int) -> Cases:
    rng = random.Random(f"{seed}/cases/{citizen.subject}")
    portals = [account.portal_id for account in citizen.accounts]
    plans = DEMO_PLANS.get(citizen.login)
    if plans is None:
        heavy = rng.random() < HEAVY_SHARE
        count = rng.randint(100, 400) if heavy else rng.choices(range(6), COUNT_WEIGHTS)[0]
        plans = tuple(_random_plan(rng, rng.choice(portals)) for _ in range(count))
    cases = Cases({pid: [] for pid in portals}, {pid: [] for pid in portals})
    for plan in plans:
        if plan.portal not in cases.applications:
            continue  # a plan for a portal without an account (cannot happen for demo users)
        app, messages = _application(rng, citizen, plan)
        cases.applications[plan.portal].append(app)
        cases.messages[plan.portal].extend(messages)
        cases.transactions.extend(_payments(rng, citizen, plan, app))
    for account in citizen.accounts:
        cases.messages[account.portal_id].extend(news(rng, citizen, account.portal_id))
    for pid in portals:
        cases.applications[pid].sort(key=lambda a: (a.created_at, a.case_id), reverse=True)
        cases.messages[pid].sort(key=lambda m: (m.received_at, m.id), reverse=True)
    return cases


def _status(
    rng: random.Random, step: tuple[str, str], at: int, info: str | None = None
) -> StatusUpdate:
    return StatusUpdate(new_id(rng), step[0], at, step[1], info)


def _random_plan(rng: random.Random, portal_id: str) -> DemoApp:
    spec = rng.choice(SERVICES[portal_id])
    outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
    payments: tuple[str, ...] = ()
    if spec.fees:
        roll = rng.random()
        final = "INITIAL" if outcome == "SUBMITTED" and roll < 0.5 else "PAYED"
        final = "FAILED" if roll > 0.96 else "INITIAL" if 0.85 < roll <= 0.96 else final
        payments = () if roll < 0.08 else ("CANCELED", final) if roll > 0.9 else (final,)
    level = 4 if rng.random() < 0.2 else 3
    return DemoApp(portal_id, spec.key, outcome, payments, level, rng.random() < 0.25)


def _history(rng: random.Random, outcome: str, start: int) -> Iterator[tuple[str, int]]:
    """(event name, time) of the FIT-Connect log, oldest first."""
    at = start
    yield "create", at
    at += rng.randint(5 * MINUTE, 90 * MINUTE)
    yield "submit", at
    if outcome == "SUBMITTED":
        return
    at += rng.randint(5, 120)
    yield "notify", at
    if rng.random() < 0.3:  # delivered via an intermediary (e.g. a Kommunalportal hub)
        at += rng.randint(MINUTE, 20 * MINUTE)
        yield "forward", at
    if outcome == "RECEIVED":
        return
    at += rng.randint(HOUR, 3 * DAY)
    yield ("reject" if outcome == "REJECTED" else "accept"), at


def _application(
    rng: random.Random, citizen: Citizen, plan: DemoApp
) -> tuple[Application, list[Message]]:
    spec = SPEC_BY_KEY[plan.key]
    sender, sender_url, email = SENDERS[(plan.portal, plan.key)]
    start = WINDOW_START + rng.randrange(WINDOW_SECONDS)
    year = 2025 if start < 1_767_225_600 else 2026
    reference = f"Az. {rng.randint(10, 69)}-{rng.randint(1, 9)}/{year}-{rng.randint(1, 9999):04d}"
    app = Application(
        new_id(rng),
        new_id(rng),
        new_id(rng),
        plan.portal,
        citizen.subject,
        spec.key,
        spec.name,
        sender,
        reference,
        start,
        start,
    )
    for name, at in _history(rng, plan.outcome, start):
        problems: tuple[dict[str, str], ...] = ()
        if name == "reject":
            kind, title, detail, instance = rng.choice(PROBLEMS)
            problems = (
                {
                    "type": PROBLEM_BASE + kind,
                    "title": title,
                    "detail": detail,
                    "instance": instance,
                },
            )
        app.events.append(Event(name, at, new_id(rng), problems))
        status = EVENT_STATUS[name]
        if status:
            app.statuses.append(StatusUpdate(new_id(rng), status[0], at, status[1]))
        if name == "submit":
            app.submitted_at = at
    at = app.events[-1].at
    if plan.outcome in ("ACTION_REQUIRED", "COMPLETED") and app.events[-1].name == "accept":
        if plan.outcome == "ACTION_REQUIRED" or rng.random() < 0.3:
            at += rng.randint(DAY, 10 * DAY)
            app.statuses.append(_status(rng, ACTION_REQUIRED, at, ACTION_INFO))
        if plan.outcome == "COMPLETED":
            if app.statuses[-1].status == "ACTION_REQUIRED":
                at += rng.randint(DAY, 7 * DAY)
                app.statuses.append(_status(rng, RESUMED, at))
            at += rng.randint(DAY, 20 * DAY)
            app.statuses.append(_status(rng, COMPLETED, at, COMPLETED_INFO))
    mail = Mail(rng, citizen, app, sender_url, email)
    messages = [mail.receipt()]
    if app.statuses[-1].status == "ACTION_REQUIRED":
        messages.append(mail.request(app.statuses[-1].at))
        app.events += reply_events(messages[-1].id, app.statuses[-1].at + 1)
    if plan.outcome in ("COMPLETED", "REJECTED"):
        messages.append(mail.notice(app.updated_at, plan.notice_level, plan.outcome))
    for message in messages[:-1]:
        message.read_at = message.received_at + rng.randint(HOUR, 5 * DAY)
    last = messages[-1]
    last.read_at = None if plan.unread else last.received_at + rng.randint(HOUR, 5 * DAY)
    return app, messages


def _payments(
    rng: random.Random, citizen: Citizen, plan: DemoApp, app: Application
) -> list[Transaction]:
    transactions = seed_payments(rng, citizen, plan.payments, app)
    app.payments.extend(tx.link() for tx in transactions)
    return transactions
