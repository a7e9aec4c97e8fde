"""Seeded case data: determinism, spread, heavy users and the fixed demo users."""

from __future__ import annotations

import hashlib
import time
from collections import Counter

from sandbox.case_model import Cases
from sandbox.case_store import CaseStore
from sandbox.case_texts import SERVICES
from sandbox.citizens_generated import generate_citizens

CITIZENS = generate_citizens(10_000)


def digest(cases: Cases) -> str:
    parts = [
        repr([a.as_json() for apps in cases.applications.values() for a in apps]),
        repr([m.as_json() for msgs in cases.messages.values() for m in msgs]),
        repr([(t.transaction_id, t.status, t.request) for t in cases.transactions]),
        repr(
            [
                (e.jti, e.name, e.at)
                for a in cases.applications.values()
                for x in a
                for e in x.events
            ]
        ),
    ]
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def app_count(cases: Cases) -> int:
    return sum(len(apps) for apps in cases.applications.values())


def test_ten_thousand_citizens_are_fast_deterministic_and_spread() -> None:
    store = CaseStore(CITIZENS, 2026)
    # This thread's CPU time, not wall time: a loaded machine must not fail it, nor the
    # sandbox's background key generation (sandbox/pki.py threads) started by other tests.
    started = time.thread_time()
    store.generate_all()
    # 6.6 s CPU on the 2-core CI machine kind; `make test`'s coverage tracing nearly
    # doubles it (11.9 s there since the reply events), so the bound allows for coverage.
    assert time.thread_time() - started < 20
    counts = Counter(app_count(cases) for _, cases in store.iter_cases())
    heavy = sum(n for apps, n in counts.items() if apps >= 100)
    assert 50 <= heavy <= 150  # ≈ 1 % Vielantragsteller
    assert all(apps <= 400 for apps in counts)
    assert sum(n for apps, n in counts.items() if apps <= 5) >= 0.98 * len(CITIZENS)
    assert counts[0] > 0
    # Lazy generation in another order yields the same data: each citizen has its own RNG.
    other = CaseStore(CITIZENS, 2026)
    sample = CITIZENS[::-97]
    for citizen in sample:
        mine, theirs = store.cases(citizen.subject), other.cases(citizen.subject)
        assert mine is not None
        assert theirs is not None
        assert digest(mine) == digest(theirs)
    reseeded = CaseStore(CITIZENS, 7)
    differs = 0
    for citizen in sample:
        mine, theirs = store.cases(citizen.subject), reseeded.cases(citizen.subject)
        assert mine is not None
        assert theirs is not None
        differs += digest(mine) != digest(theirs)
    assert differs > len(sample) // 2  # another seed, other cases


def test_applications_are_consistent() -> None:
    store = CaseStore(CITIZENS[:600], 2026)
    store.generate_all()
    replied = 0
    for subject, cases in store.iter_cases():
        citizen = store.citizens[subject]
        for portal, apps in cases.applications.items():
            assert citizen.account_at(portal) is not None
            keys = {spec.key for spec in SERVICES[portal]}
            created = [a.created_at for a in apps]
            assert created == sorted(created, reverse=True)  # newest first
            for app in apps:
                assert app.leika_key in keys
                names = [e.name for e in app.events if e.reply_id is None]
                assert names[:2] == ["create", "submit"]
                assert names[-1] in {"submit", "notify", "forward", "accept", "reject"}
                # The authority's Rückfrage: reply events after the accept, one reply id.
                replies = app.events[len(names) :]
                assert [e.name for e in replies] in ([], ["create-reply", "submit-reply"])
                assert not replies or (names[-1] == "accept" and replies[0].reply_id)
                assert len({e.reply_id for e in replies}) <= 1
                replied += bool(replies)
                assert [e.at for e in app.events] == sorted(e.at for e in app.events)
                assert len(app.payments) <= 2
                for link in app.payments:
                    tx = store.transactions[link.transaction_id]
                    total = sum(
                        i["totalNetAmount"] + i["totalTaxAmount"] for i in tx.request["items"]
                    )
                    assert round(total, 2) == tx.request["grosAmount"]
        for messages in cases.messages.values():
            for message in messages:
                for attachment in message.attachments:
                    assert hashlib.sha512(attachment.content).hexdigest() == attachment.sha512
    assert replied > 10, "cases waiting for the viewer carry the authority's reply"


def status_of(store: CaseStore, login: str) -> dict[str, list[tuple[str, str, str | None]]]:
    citizen = next(c for c in CITIZENS if c.login == login)
    cases = store.cases(citizen.subject)
    assert cases is not None
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for portal, apps in cases.applications.items():
        for app in apps:
            final = "REJECTED" if app.events[-1].name == "reject" else app.statuses[-1].status
            payments = ",".join(store.transactions[p.transaction_id].status for p in app.payments)
            out.setdefault(portal, []).append((app.leika_key, final, payments or None))
    return out


def test_demo_users_have_fixed_plans() -> None:
    store = CaseStore(CITIZENS[:4], 2026)
    erika = status_of(store, "erika")
    assert sorted(erika) == ["bund", "dormagen", "koeln", "nrw"]
    finals = [final for apps in erika.values() for _, final, _ in apps]
    assert len(finals) == 6
    assert {"ACTION_REQUIRED", "COMPLETED", "REJECTED"} <= set(finals)
    payments = ",".join(p for apps in erika.values() for *_, p in apps if p)
    assert "INITIAL" in payments
    assert "PAYED" in payments
    assert sum(map(len, status_of(store, "max").values())) == 2
    assert sorted(status_of(store, "lena")) == ["bund", "koeln", "nrw"]
    assert sorted(status_of(store, "firma")) == ["bund", "koeln"]

    cases = store.cases(CITIZENS[0].subject)
    assert cases is not None
    messages = [m for msgs in cases.messages.values() for m in msgs]
    assert len(messages) >= 8
    assert sum(m.read_at is None for m in messages) >= 2
    assert any(m.is_notice and m.attachments for m in messages)
    assert {3, 4} <= {m.level for m in messages}
    max_cases = store.cases(CITIZENS[1].subject)
    assert max_cases is not None
    assert any(m.level >= 3 for msgs in max_cases.messages.values() for m in msgs)


def test_demo_users_ignore_the_population_but_not_the_seed() -> None:
    small, large = CaseStore(CITIZENS[:4], 2026), CaseStore(CITIZENS[:400], 2026)
    for citizen in CITIZENS[:4]:
        a, b = small.cases(citizen.subject), large.cases(citizen.subject)
        assert a is not None
        assert b is not None
        assert digest(a) == digest(b)
