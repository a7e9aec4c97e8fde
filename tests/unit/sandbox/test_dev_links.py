"""The demo account links `portalgraph dev` writes: from the seed, mapped to `[[portals]]` entries."""

from __future__ import annotations

from sandbox.citizens import demo_citizens
from sandbox.dev_links import demo_links, entry_of
from sandbox.scale import sample_municipalities


def by_login() -> dict[str, str]:
    return {c.subject: c.login for c in demo_citizens()}


def test_each_demo_account_becomes_a_link_to_the_entry_that_holds_it() -> None:
    logins = by_login()
    links: dict[str, set[str]] = {}
    for subject, entry in demo_links(sample_municipalities(4)):
        links.setdefault(logins[subject], set()).add(entry)
    assert links == {
        "erika": {"bund", "nrw", "koeln", "kommunalportal-nrw"},
        "max": {"bund", "nrw", "kommunalportal-nrw"},
        "lena": {"bund", "nrw", "koeln"},
        "firma": {"bund", "koeln"},
    }


def test_an_account_at_a_municipality_the_network_lacks_links_nothing() -> None:
    assert entry_of("dormagen", served={"dormagen"}) == "kommunalportal-nrw"
    assert entry_of("dormagen", served={"hilden"}) is None
    assert entry_of("koeln", served=set()) == "koeln"  # a single portal of its own
    generated = [s for s, _ in demo_links(sample_municipalities(1))]
    assert set(generated) <= set(by_login())  # only demo citizens, never generated ones
