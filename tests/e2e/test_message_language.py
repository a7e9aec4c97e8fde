"""Argument, validation, coercion, syntax and limit messages in German or English by
Accept-Language, over HTTP, SSE and WebSocket; `extensions.code` never changes.

Before: only the gateway's own refusals were translated; a German UI showed graphql-core's
"Cannot query field …" and "Variable '$x' has invalid value …" in English.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway

EN = {"Accept-Language": "en-GB,en;q=0.9"}
DE = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
TRANSPORT = Subprotocol("graphql-transport-ws")

CASES = [
    pytest.param(
        "{ portals { nme } }",
        None,
        "GRAPHQL_VALIDATION_FAILED",
        "Cannot query field 'nme' on type 'Portal'. Did you mean 'name'?",
        "Das Feld 'nme' gibt es am Typ 'Portal' nicht. Meinten Sie 'name'?",
        id="unknown field",
    ),
    pytest.param(
        "{ portals(tier: NOPE) { id } }",
        None,
        "GRAPHQL_VALIDATION_FAILED",
        "Value 'NOPE' does not exist in 'Tier' enum.",
        "Den Wert 'NOPE' gibt es im Enum 'Tier' nicht.",
        id="bad enum",
    ),
    pytest.param(
        "query($n: Int) { services(first: $n) { totalCount } }",
        {"n": "ten"},
        "GRAPHQL_VALIDATION_FAILED",
        "Variable '$n' has invalid value: Int cannot represent non-integer value: 'ten'",
        "Die Variable '$n' hat einen ungültigen Wert: Int kann den Wert 'ten' nicht"
        " darstellen: keine ganze Zahl",
        id="variable coercion",
    ),
    pytest.param(
        '{ node(id: "garbage") { id } }',
        None,
        "BAD_USER_INPUT",
        "Argument 'id': is not a valid ID",
        "Argument 'id': ist keine gültige ID",
        id="bad ID",
    ),
    pytest.param(
        '{ services(ars: "1234") { totalCount } }',
        None,
        "BAD_USER_INPUT",
        "Argument 'ars': must be an Amtlicher Regionalschlüssel of 2, 3, 5, 9 or 12 digits",
        "Argument 'ars': muss ein Amtlicher Regionalschlüssel mit 2, 3, 5, 9 oder 12 Ziffern sein",
        id="bad ARS",
    ),
    pytest.param(
        "{ services(first: 100000) { totalCount } }",
        None,
        "BAD_USER_INPUT",
        None,
        None,
        id="page size",
    ),
    pytest.param(
        "{ portals { id }",
        None,
        "GRAPHQL_PARSE_FAILED",
        "Syntax Error: Expected Name, found <EOF>.",
        "Syntaxfehler: Name erwartet, <EOF> gefunden.",
        id="syntax",
    ),
    pytest.param(
        "{ " + " ".join(f"a{i}: portals {{ id }}" for i in range(40)) + " }",
        None,
        "MAX_ALIASES_EXCEEDED",
        None,
        None,
        id="limit",
    ),
    pytest.param(
        "{ portals { id } }" + " " * 15_000,
        None,
        "MAX_CHARACTERS_EXCEEDED",
        "The document has 15018 characters; the limit is 15000.",
        "Das Dokument hat 15018 Zeichen; die Grenze ist 15000.",
        id="characters",
    ),
    pytest.param(
        "{ " + "portals { id } " * 300 + "}",
        None,
        "MAX_TOKENS_EXCEEDED",
        "Syntax Error: Document contains more than 1000 tokens. Parsing aborted.",
        "Syntaxfehler: Das Dokument hat mehr als 1000 Token; Einlesen abgebrochen.",
        id="tokens",
    ),
]


def first_error(answer: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = answer["errors"][0]
    return error


@pytest.mark.parametrize(("query", "variables", "code", "english", "german"), CASES)
def test_http_messages_follow_accept_language(
    gateway: Gateway,
    query: str,
    variables: dict[str, Any] | None,
    code: str,
    english: str | None,
    german: str | None,
) -> None:
    body = {"query": query, "variables": variables}
    answers = {
        lang: first_error(gateway.http.post("/graphql", json=body, headers=headers).json())
        for lang, headers in (("en", EN), ("de", DE), ("default", {}))
    }
    assert {a["extensions"]["code"] for a in answers.values()} == {code}
    if english is not None:
        assert answers["en"]["message"] == english
        assert answers["de"]["message"] == german
    assert answers["de"]["message"] != answers["en"]["message"]  # every one is translated
    assert answers["default"]["message"] == answers["de"]["message"]  # German by default


def websocket_error(gateway: Gateway, headers: dict[str, str], query: str) -> dict[str, Any]:
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=[TRANSPORT], additional_headers=headers) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        message = json.loads(ws.recv(timeout=5))
    assert message["type"] in ("error", "next"), message
    payload = message["payload"]
    errors: list[dict[str, Any]] = payload if message["type"] == "error" else payload["errors"]
    return errors[0]


def sse_error(gateway: Gateway, headers: dict[str, str], query: str) -> dict[str, Any]:
    with gateway.http.stream(
        "POST",
        "/graphql",
        json={"query": query},
        headers={"Accept": "text/event-stream", **headers},
    ) as response:
        text = "".join(response.iter_text())
    if not response.headers["content-type"].startswith("text/event-stream"):
        return first_error(json.loads(text))
    data = next(
        line[5:] for line in text.splitlines() if line.startswith("data:") and "errors" in line
    )
    return first_error(json.loads(data))


SUBSCRIPTION = "subscription { inboxMessageReceived { subjekt } }"


@pytest.mark.parametrize("transport", [websocket_error, sse_error], ids=["websocket", "sse"])
def test_streams_translate_validation_errors_too(gateway: Gateway, transport: Any) -> None:
    german = transport(gateway, DE, SUBSCRIPTION)
    english = transport(gateway, EN, SUBSCRIPTION)
    assert german["extensions"]["code"] == english["extensions"]["code"]
    assert german["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert english["message"] == (
        "Cannot query field 'subjekt' on type 'InboxMessageEvent'. Did you mean 'subject'?"
    )
    assert german["message"] == (
        "Das Feld 'subjekt' gibt es am Typ 'InboxMessageEvent' nicht. Meinten Sie 'subject'?"
    )


def test_a_refused_batch_and_a_masked_error_speak_german_by_default(gateway: Gateway) -> None:
    batch = gateway.http.post("/graphql", json=[{"query": "{ portals { id } }"}])
    assert first_error(batch.json())["message"].startswith("Batching ist nicht eingeschaltet")
    with httpx.Client(base_url=gateway.url, trust_env=False) as http:
        english = http.post("/graphql", json=[{"query": "{ portals { id } }"}], headers=EN)
    assert first_error(english.json())["message"].startswith("Batching is not enabled")


def test_a_rate_limit_refusal_is_translated_on_every_transport(
    loop_thread: LoopThread, gateway_settings: Settings
) -> None:
    # One operation a minute: the second of each client is refused, in its language.
    server = UvicornServer(create_app(gateway_settings.override(rate_limit_anonymous=1)))
    loop_thread.call(server.start())
    refused: dict[str, dict[str, Any]] = {}
    try:
        gateway = Gateway(server.url)
        body = {"query": "{ portals { id } }"}
        assert gateway.http.post("/graphql", json=body, headers=EN).status_code == 200
        for lang, headers in (("de", DE), ("en", EN)):
            http = gateway.http.post("/graphql", json=body, headers=headers)
            assert http.status_code == 429
            refused[f"http-{lang}"] = first_error(http.json())
            refused[f"websocket-{lang}"] = websocket_error(gateway, headers, body["query"])
            refused[f"sse-{lang}"] = sse_error(gateway, headers, body["query"])
        gateway.http.close()
    finally:
        loop_thread.call(server.stop())
    assert {e["extensions"]["code"] for e in refused.values()} == {"RATE_LIMITED"}
    for transport in ("http", "websocket", "sse"):
        assert refused[f"{transport}-en"]["message"].startswith("Too many operations; try again")
        assert refused[f"{transport}-de"]["message"].startswith("Zu viele Operationen; bitte in")


@pytest.mark.parametrize(
    ("request_options", "english", "german"),
    [
        (
            {"content": "{", "headers": {"Content-Type": "application/json"}},
            "The body is not valid JSON: ",
            "Der Anfrageinhalt ist kein gültiges JSON: ",
        ),
        (
            {"json": {}},
            "No GraphQL query found in the request",
            "Die Anfrage enthält kein GraphQL-Dokument",
        ),
        (
            {"json": {"query": "{ portals { id } }", "variables": 5}},
            "The GraphQL operation's `variables` must be an object or null, if provided.",
            "`variables` muss ein Objekt oder null sein, wenn angegeben.",
        ),
    ],
    ids=["not JSON", "no query", "variables not an object"],
)
def test_malformed_requests_are_refused_in_german_or_english(
    gateway: Gateway, request_options: dict[str, Any], english: str, german: str
) -> None:
    answers = {}
    for lang, language_header in (("en", EN), ("de", DE)):
        options = {**request_options}
        options["headers"] = {**options.get("headers", {}), **language_header}
        response = gateway.http.post("/graphql", **options)
        assert response.status_code == 400
        answers[lang] = first_error(response.json())
    assert answers["en"]["extensions"] == answers["de"]["extensions"] == {"code": "BAD_REQUEST"}
    assert answers["en"]["message"].startswith(english)
    assert answers["de"]["message"].startswith(german)
