"""The linked dashboard's floor decides as the gateway does: which ARS a record is about,
which Submission API host to ask, whose links a token carries, how the gateway learns them."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from graphql import parse

from bench.dashboard import learn_query
from bench.floor_citizen import RecordArs, probe_order, subject
from bench.floor_topology import Issued, Tokens, renewed
from sources.topology import load_topology

EXAMPLE = Path(__file__).parents[3] / "docs" / "network-v2.example.toml"
BASES = ["https://zd/default", "https://zd/bund", "https://zd/nrw"]


def test_a_platform_record_is_about_the_municipality_it_names_else_the_platform() -> None:
    ars_of = RecordArs(load_topology(EXAMPLE).portals)
    assert ars_of("bund", {}) == "000000000000"
    assert ars_of("bund", {"ars": "051620008008"}) == "000000000000"  # a single portal's own
    platform = "kommunalportal-nrw"
    assert ars_of(platform, {"portalId": "neuss"}) == "051620024024"
    assert ars_of(platform, {"ars": "053620024024"}) == "053620024024"
    # Unnamed or not served: the platform's own record, its first served municipality's ARS.
    assert ars_of(platform, {}) == "051620008008"
    assert ars_of(platform, {"portalId": "koeln"}) == "051620008008"


def test_hosts_are_asked_by_what_is_known_of_the_case_then_of_its_destination() -> None:
    assert probe_order({}, BASES, "c1", "d1") == BASES
    known = {"d:d1": "https://zd/nrw"}
    assert probe_order(known, BASES, "c1", "d1") == ["https://zd/nrw", *BASES[:2]]
    assert probe_order(known, BASES, "c1", None) == BASES
    known["c1"] = "https://zd/bund"
    assert probe_order(known, BASES, "c1", "d1") == ["https://zd/bund"]


def test_the_links_are_the_subjects_not_the_tokens() -> None:
    def token(claims: dict[str, str]) -> str:
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"eyJhbGciOiJSUzI1NiJ9.{body}.c2ln"

    assert subject(token({"sub": "erika", "aud": "gw"})) == "erika"
    assert subject(token({"sub": "erika", "aud": "other"})) == subject(token({"sub": "erika"}))
    assert subject(token({"sub": "max"})) != "erika"


def test_the_gateway_learns_every_account_area_in_one_operation() -> None:
    entries = load_topology(EXAMPLE).portals
    with_accounts = [e for e in entries if e.accounts is not None]
    document = parse(json.loads(learn_query(EXAMPLE))["query"])
    fields = document.definitions[0].selection_set.selections[0].selection_set.selections  # type: ignore[attr-defined]
    assert len(fields) == len(with_accounts) > 0
    named = [f.arguments[0].value.value for f in fields]
    # One portal per entry: a platform by one of its municipalities, never its entry id.
    assert "kommunalportal-nrw" not in named
    assert ("dormagen" in named) == any(e.id == "kommunalportal-nrw" for e in with_accounts)


async def test_a_token_is_kept_until_its_renewal_time_and_a_failure_not_at_all() -> None:
    asked: list[str] = []
    answers = iter([("t1", time.monotonic() + 60), ("t2", time.monotonic() - 1), None, ("t4", 0.0)])

    async def fetch() -> Issued:
        asked.append("call")
        answer = next(answers)
        if answer is None:
            raise RuntimeError("token endpoint down")
        return answer

    memo: Tokens = {}
    assert (await renewed(memo, ("k",), fetch))[0] == "t1"
    assert (await renewed(memo, ("k",), fetch))[0] == "t1"  # kept: renewal time ahead
    assert len(asked) == 1
    assert (await renewed(memo, ("other",), fetch))[0] == "t2"  # its own key
    with pytest.raises(RuntimeError):
        await renewed(memo, ("other",), fetch)  # t2 is due: asked again, and that fails
    assert (await renewed(memo, ("other",), fetch))[0] == "t4"  # the failure was not kept
    assert len(asked) == 4
