"""Contracts: every sandbox upstream against the OpenAPI document it serves at /openapi.json.

Schemathesis loads each document over HTTP from a throwaway SandboxNetwork (so generated
payments, submissions and read marks never reach the session sandbox other tests use) and
sends a few deterministic requests per operation, valid and schema-violating ones: response
schemas, documented status codes, content types, response headers, no 5xx, invalid input
rejected with 4xx, and auth enforced where the document demands it. Existing ids and valid
bodies (tests/helpers/contract_upstreams.py) are mixed in, so every operation's success response is
checked as well as the 404s that random ids produce.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graph.testing import LoopThread
from sandbox.runner import GATEWAY_CLIENT_ID, IDP_SECRET, SandboxNetwork
from tests.helpers.contract_upstreams import Upstreams, prepare

MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
    negative_data_rejection,
]
# The pay page is HTML for a person in a browser; its routes are documented, not fuzzed.
EXCLUDED_PATHS = "^/paypage/"
TEMPLATE = re.compile(r"{(\w+)}")
# FIT-Connect attachments are JWE compact strings: send generated ones as they are.
schemathesis.serializer.alias("application/jose", "text/plain")


@pytest.fixture(scope="module")
def upstreams(loop_thread: LoopThread) -> Iterator[Upstreams]:
    network = SandboxNetwork(seed=2026, citizens=40)
    loop_thread.call(network.start())
    try:
        yield prepare(network)
    finally:
        loop_thread.call(network.stop())


def _fuzz(
    operation: APIOperation[Any, Any, Any, Any],
    session: requests.Session,
    headers: dict[str, str] | None,
    fixed: dict[str, Any],
) -> set[int]:
    """A few deterministic cases of one operation; the status codes seen, or the failure.

    Generated cases mostly name unknown ids; `fixed` strategy arguments (existing path ids,
    a valid body) are mixed in so that the success responses are exercised too.
    """
    strategy = st.one_of(
        operation.as_strategy(), operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )
    if fixed:
        strategy = st.one_of(strategy, operation.as_strategy(**fixed))
    seen: set[int] = set()

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Case[Any]) -> None:
        response = case.call_and_validate(
            session=session, headers=headers, checks=CHECKS, timeout=10
        )
        seen.add(response.status_code)

    check()
    return seen


def _run(up: Upstreams, capability: str) -> dict[str, set[int]]:
    """Fuzz every operation of one upstream; the status codes seen per operation."""
    schema = schemathesis.openapi.from_url(up.url(capability) + "/openapi.json", timeout=10)
    schema.validate()  # against the OpenAPI 3.1 meta-schema
    token = up.tokens.get(capability)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    if capability == "idp":
        basic = base64.b64encode(f"{GATEWAY_CLIENT_ID}:{IDP_SECRET}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}"}
    known = up.ids.get(capability, {})
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    with requests.Session() as session:
        session.trust_env = False
        for result in schema.exclude(path_regex=EXCLUDED_PATHS).get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]  # Err raises on an invalid document
            ids = {n: known[n] for n in TEMPLATE.findall(operation.path) if n in known}
            fixed = ({"path_parameters": ids} if ids else {}) | up.fixed.get(operation.label, {})
            try:
                seen[operation.label] = _fuzz(operation, session, headers, fixed)
            except Exception as exc:  # reported together, one entry per operation
                failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
    return seen


@pytest.mark.parametrize(
    "capability",
    ["idp", "services", "accounts", "inbox", "status", "submissions", "payments", "routing"],
)
def test_upstream_matches_its_openapi_document(upstreams: Upstreams, capability: str) -> None:
    seen = _run(upstreams, capability)
    assert len(seen) >= 2
    # Every operation answered with success at least once, so its success schema was checked.
    assert all(any(200 <= code < 400 for code in codes) for codes in seen.values()), seen


def test_documents_are_openapi_31_and_uncounted(upstreams: Upstreams) -> None:
    with httpx.Client(timeout=10, trust_env=False) as http:
        for key, url in upstreams.network.urls.items():
            http.delete(url + "/_sandbox/stats").raise_for_status()
            document = http.get(url + "/openapi.json").json()
            assert document["openapi"] == "3.1.0", key
            assert document["servers"] == [{"url": url}], key
            assert not any(p.startswith("/_sandbox") for p in document["paths"]), key
            assert http.get(url + "/_sandbox/stats").json()["total"] == 0, key


def test_unknown_paths_and_methods_are_problems(upstreams: Upstreams) -> None:
    # Starlette's own 404/405 are text/plain, and a newline in the path even misses Mount("").
    with httpx.Client(timeout=10, trust_env=False) as http:
        for key, url in upstreams.network.urls.items():
            paths = http.get(url + "/openapi.json").json()["paths"]
            path, item = next(iter(paths.items()))
            wrong = http.patch(url + TEMPLATE.sub("x", path))
            assert wrong.status_code == 405, key
            assert {m.upper() for m in item if m.isalpha()} <= set(
                wrong.headers["allow"].split(", ")
            )
            for response in (wrong, http.get(url + "/nowhere"), http.get(url + "/x%0Ay")):
                assert response.headers["content-type"] == "application/problem+json", key
                assert response.json()["status"] in (404, 405), key
