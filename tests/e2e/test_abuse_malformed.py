"""Issue 18 finding 8: malformed input answers a 4xx with a clear message, never a 500.

Before: each case below was a 500 with a traceback, a masked INTERNAL_SERVER_ERROR, or a
dropped connection.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from tests.conftest import Gateway, Sandbox
from tests.helpers.callbacks import signed as signed_with

PREFLIGHT = {"GraphQL-Preflight": "1"}
UPLOAD = "mutation($f: Upload) { __typename }"


def assert_clear_refusal(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    assert "Internal Server Error" not in response.text
    assert "INTERNAL_SERVER_ERROR" not in response.text


def upload(gateway: Gateway, operations: str, mapping: str, token: str) -> httpx.Response:
    return gateway.http.post(
        "/graphql",
        data={"operations": operations, "map": mapping},
        files={"0": ("a.txt", b"hello", "text/plain")},
        headers=PREFLIGHT | {"Authorization": f"Bearer {token}"},
    )


OPERATIONS = json.dumps({"query": UPLOAD, "variables": {"f": None}})


@pytest.mark.parametrize(
    ("operations", "mapping"),
    [
        (OPERATIONS, json.dumps([["variables.f"]])),  # map as a list
        (OPERATIONS, json.dumps({"x": ["variables.f"]})),  # non-numeric file key
        (OPERATIONS, json.dumps({"0": ["variables.f.99"]})),  # out-of-range path
        (OPERATIONS, json.dumps({"0": [1, 2]})),  # paths that are not strings
        (OPERATIONS, json.dumps({"0": "variables.f"})),  # paths not a list
        (OPERATIONS, json.dumps({"0": ["variables.nothing.deep"]})),
        (json.dumps(OPERATIONS), json.dumps({"0": ["variables.f"]})),  # operations a JSON string
        ("[1, 2", json.dumps({"0": ["variables.f"]})),  # operations not JSON
        (OPERATIONS, "{"),  # map not JSON
        ("{}", json.dumps({"0": ["variables.f"]})),  # no query: the body was read twice (fuzz)
    ],
)
def test_malformed_multipart_is_a_clear_4xx(
    gateway: Gateway, sandbox: Sandbox, operations: str, mapping: str
) -> None:
    assert_clear_refusal(upload(gateway, operations, mapping, sandbox.demo_token("erika")))


def signed(timestamp: str, body: bytes, signature: str | None = None) -> dict[str, str]:
    """Callback headers; the secret does not matter here: each request is refused before
    a submission's secret is looked up (malformed headers 401, a malformed body 400)."""
    headers = signed_with("any-secret-of-thirty-two-characters", body)
    headers["callback-timestamp"] = timestamp
    headers["callback-authentication"] = signature or headers["callback-authentication"]
    return headers


def latin1_or_utf8(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


CALLBACK = b'{"submissions": [{"caseId": "0b7f37c4-3ad1-4f7e-9d2e-5a1cf1e5c2a1"}]}'


@pytest.mark.parametrize(
    "headers",
    [
        signed("\u00b2" * 10, CALLBACK),  # non-ASCII digits: int("²") is accepted
        signed("\u0661\u0667\u0660\u0660", CALLBACK),  # Arabic-Indic digits
        signed("9" * 5000, CALLBACK),  # beyond Python's int-parsing limit
        signed(str(int(time.time())), CALLBACK, signature="ä" * 128),  # non-ASCII
    ],
    ids=["superscript", "arabic-indic", "5000-digits", "non-ascii-signature"],
)
def test_malformed_callback_headers_are_a_clear_401(
    gateway: Gateway, headers: dict[str, str]
) -> None:
    # Servers decode header bytes as latin-1: b"\xb2" arrives as "²", which str.isdigit() takes.
    encoded = [(k.encode(), latin1_or_utf8(v)) for k, v in headers.items()]
    response = gateway.http.post("/hooks/fitconnect/koeln", content=CALLBACK, headers=encoded)
    assert response.status_code == 401, response.text


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("depth", [30_000, 50_000])
def test_deeply_nested_json_on_graphql_is_a_clear_400(gateway: Gateway, depth: int) -> None:
    body = b'{"query": "{ __typename }", "variables": {"x": ' + nested(depth) + b"}}"
    response = gateway.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert_clear_refusal(response)


def test_deeply_nested_json_in_a_signed_callback_is_a_clear_400(gateway: Gateway) -> None:
    body = b'{"submissions": ' + nested(30_000) + b"}"
    timestamp = str(int(time.time()))
    response = gateway.http.post(
        "/hooks/fitconnect/koeln", content=body, headers=signed(timestamp, body)
    )
    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ __typename }", "operationName": "\xff\xfe"}',  # invalid UTF-8
        b'{"query": "{ __typename }\xc3"}',
        b'{"query": "query($s: String) { __typename }", "variables": {"s": "\\ud800"}}',
        b'{"query": "{ services(query: \\"\\ud800\\") { totalCount } }"}',
    ],
    ids=["utf8-operation-name", "utf8-query", "surrogate-variable", "surrogate-literal"],
)
def test_undecodable_text_is_a_clear_400(gateway: Gateway, body: bytes) -> None:
    response = gateway.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert_clear_refusal(response)
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_REQUEST", errors


@pytest.mark.parametrize("body", [b"1", b'"query"', b"[1, 2]", b"null", b"[{}, 3]"])
def test_json_that_is_no_object_is_a_clear_400(gateway: Gateway, body: bytes) -> None:
    # Found by the fuzz suite: Strawberry called .get() on whatever JSON it got.
    response = gateway.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert_clear_refusal(response)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_subscription_over_plain_http_is_a_clear_400(gateway: Gateway, method: str) -> None:
    # Found by the fuzz suite: it ran as a query and failed as a masked internal error.
    query = "subscription { inboxMessageReceived { subject } }"
    response = gateway.http.request(
        method,
        "/graphql",
        params={"query": query} if method == "GET" else None,
        json={"query": query} if method == "POST" else None,
        headers=PREFLIGHT,
    )
    assert_clear_refusal(response)
    assert "text/event-stream" in response.json()["errors"][0]["message"]


def test_a_stream_request_without_a_document_is_a_clear_400(gateway: Gateway) -> None:
    # Found by the fuzz suite: SSE without `query` failed as a masked MissingQueryError.
    response = gateway.http.post(
        "/graphql", json={"variables": {}}, headers=PREFLIGHT | {"Accept": "text/event-stream"}
    )
    assert_clear_refusal(response)


DIGITS = "9" * 5000  # beyond Python's int-parsing limit (4,300 digits): int() raises


@pytest.mark.parametrize(
    "body",
    [
        '{"query": "query($n: Int) { __typename }", "variables": {"n": ' + DIGITS + "}}",
        '{"query": "query($n: Float) { __typename }", "variables": {"n": ' + DIGITS + "}}",
        '{"query": "{ services(query: \\"x\\", first: ' + DIGITS + ') { totalCount } }"}',
        '{"query": "{ services(query: \\"x\\", first: 1.' + DIGITS + ') { totalCount } }"}',
    ],
    ids=["int-variable", "float-variable", "int-literal", "float-literal"],
)
def test_a_5000_digit_number_is_a_clear_refusal(gateway: Gateway, body: str) -> None:
    response = gateway.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert response.json().get("data") is None, response.text[:300]
    # Before: the int literal answered Python's ValueError text ("use
    # sys.set_int_max_str_digits()"), untyped, or masked as INTERNAL_SERVER_ERROR.
    assert "int_max_str_digits" not in response.text
    assert errors[0]["extensions"]["code"] in ("BAD_REQUEST", "GRAPHQL_VALIDATION_FAILED"), errors
