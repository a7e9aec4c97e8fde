"""Contracts: every sandbox upstream against the OpenAPI document it serves at /openapi.json.

Schemathesis loads each document over HTTP from a throwaway SandboxNetwork (so generated
payments, submissions and read marks never reach the session sandbox other tests use) and
sends a few deterministic requests per operation: response schemas, documented status codes,
content types, response headers, no 5xx, and auth enforced where the document demands it.
Known ids of the demo user erika are mixed into the path parameters, so the success
responses are checked as well as the 404s that random ids produce.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis import APIOperation, Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sandbox.idp import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE
from sandbox.runner import GATEWAY_CLIENT_ID, IDP_SECRET, SandboxNetwork, service_audiences
from tests.servers import LoopThread

PORTAL = "koeln"
MAX_EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]
# The pay page is HTML for a person in a browser; its routes are documented, not fuzzed.
EXCLUDED_PATHS = "^/paypage/"
TEMPLATE = re.compile(r"{(\w+)}")
# FIT-Connect attachments are JWE compact strings: send generated ones as they are.
schemathesis.serializer.alias("application/jose", "text/plain")


@dataclass
class Upstreams:
    network: SandboxNetwork
    tokens: dict[str, str]  # capability -> bearer token
    known: dict[str, dict[str, str]]  # capability -> path parameter -> an existing id

    def url(self, capability: str) -> str:
        key = {"idp": ("identity", "idp"), "routing": ("routing", "routing")}
        return self.network.urls[key.get(capability, (PORTAL, capability))]


def _token(http: httpx.Client, idp: str, form: dict[str, str]) -> str:
    response = http.post(f"{idp}/token", data=form, auth=(GATEWAY_CLIENT_ID, IDP_SECRET))
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _known_ids(http: httpx.Client, up: Upstreams) -> dict[str, dict[str, str]]:
    """Ids of erika's data at koeln (and of the koeln catalogue) that the operations accept."""

    def get(capability: str, path: str) -> Any:
        token = up.tokens.get(capability)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = http.get(up.url(capability) + path, headers=headers)
        response.raise_for_status()
        return response.json()

    apps = get("accounts", "/v1/me/applications")["applications"]
    app = next(a for a in apps if a["payments"])
    message = next(m for m in get("inbox", "/v1/messages")["messages"] if m["attachments"])
    search = get("services", "/v8beta1/servicedescriptions?ars=053150000000&size=1")
    link = app["payments"][0]
    destination = up.network.apps()[(PORTAL, "submissions")].state.destination  # type: ignore[attr-defined]
    return {
        "services": {"id": search["serviceDescriptions"]["content"][0]["id"]},
        "accounts": {"applicationId": app["applicationId"], "transactionId": link["transactionId"]},
        "inbox": {"id": message["id"], "attachmentId": message["attachments"][0]["id"]},
        "status": {"caseId": app["caseId"]},
        "payments": {k: link[k] for k in ("originatorId", "endPointId", "transactionId")},
        "submissions": {
            "destinationId": destination.id,
            "keyId": destination.kid,
            "leikaKey": "99085001012000",
        },
    }


@pytest.fixture(scope="module")
def upstreams(loop_thread: LoopThread) -> Iterator[Upstreams]:
    network = SandboxNetwork(seed=2026, citizens=40)
    loop_thread.call(network.start())
    try:
        yield _prepare(network)
    finally:
        loop_thread.call(network.stop())


def _prepare(network: SandboxNetwork) -> Upstreams:
    up = Upstreams(network, {}, {})
    with httpx.Client(timeout=10, trust_env=False) as http:
        idp = up.url("idp")
        demo = http.get(f"{idp}/_sandbox/demo-tokens").json()
        citizen = _token(
            http,
            idp,
            {
                "grant_type": TOKEN_EXCHANGE,
                "subject_token": next(t["accessToken"] for t in demo if t["login"] == "erika"),
                "subject_token_type": ACCESS_TOKEN_TYPE,
                "audience": service_audiences(PORTAL)["accounts"],
            },
        )
        up.tokens = {"accounts": citizen, "inbox": citizen}
        for capability in ("status", "submissions", "payments"):
            audience = service_audiences(PORTAL)[capability]
            form = {"grant_type": "client_credentials", "audience": audience}
            up.tokens[capability] = _token(http, idp, form)
        up.known = _known_ids(http, up)
    return up


def _fuzz(
    operation: APIOperation[Any, Any, Any, Any],
    session: requests.Session,
    headers: dict[str, str] | None,
    ids: dict[str, str],
) -> set[int]:
    """A few deterministic cases of one operation; the status codes seen, or the failure."""
    strategy = operation.as_strategy()
    if ids:
        strategy = st.one_of(strategy, operation.as_strategy(path_parameters=ids))
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
    token = up.tokens.get(capability)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    if capability == "idp":
        headers = {"Authorization": httpx.BasicAuth(GATEWAY_CLIENT_ID, IDP_SECRET)._auth_header}
    known = up.known.get(capability, {})
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    with requests.Session() as session:
        session.trust_env = False
        for result in schema.exclude(path_regex=EXCLUDED_PATHS).get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]  # Err raises on an invalid document
            ids = {n: known[n] for n in TEMPLATE.findall(operation.path) if n in known}
            try:
                seen[operation.label] = _fuzz(operation, session, headers, ids)
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
    print(capability, seen)
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
