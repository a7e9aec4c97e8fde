"""Accept-Language picks German or English; German when the client names neither."""

from __future__ import annotations

import pytest
from graphql import GraphQLError, get_operation_ast, parse, validate
from graphql.execution.values import get_variable_values

from graph.domain.messages import language, localise
from graph.extensions.masking import NOT_NONE, NOT_NONE_TEXT
from graph.schema import schema


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "de"),
        ("", "de"),
        ("fr-FR, it;q=0.8", "de"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr, en;q=0.5, de;q=0.4", "en"),
        ("en;q=0.5, de;q=0.5", "en"),  # equal q: the first listed
        ("en;q=0, de;q=0.1", "de"),
        ("en;q=bogus", "de"),
    ],
)
def test_language(header: str | None, expected: str) -> None:
    assert language(header) == expected


def test_localise_keeps_english_and_unknown_messages() -> None:
    message = "Operation depth 9 exceeds the limit 8."
    assert localise(message, "en") == message
    assert localise(message, "de") == "Operation: Tiefe 9 überschreitet die Grenze 8."
    assert localise("Something new.", "de") == "Something new."


# Documents that break each validation rule a client meets, against the real schema.
INVALID_DOCUMENTS = (
    "{ nope }",
    "{ portals { nme } }",
    "{ portals }",
    "{ portals { id { x } } }",
    "{ services(ars: 5) { totalCount } }",
    '{ services(arz: "05") { totalCount } }',
    "{ portal { id } }",
    "{ portals(tier: NOPE) { id } }",
    '{ portals(tier: "STATE") { id } }',
    "query Q($x: Int) { portals { id } }",
    "query($x: Int) { portals { id } }",
    "query { portal(id: $y) { id } }",
    "query A { portals { id } } query A { portals { id } }",
    "{ portals { id } } query B { portals { id } }",
    "{ ...F }",
    "fragment F on Query { portals { id } } { portals { id } }",
    "{ portals @nope { id } }",
    "{ portals @skip(if: true) @skip(if: true) { id } }",
    "{ portals { ... on Nope { id } } }",
    "subscription { inboxMessageReceived { subject } applicationStatusChanged { status } }",
    '{ services(first: "a") { totalCount } }',
    '{ a: portals { id } a: portal(id: "x") { id } }',
    "query($x: String) { portal(id: $x) { id } }",
    "{ portals { id }",
    "{ portals { id } ) }",
    '{ services(ars: "05) { totalCount } }',
)
# Variables that do not fit their declared type.
BAD_VARIABLES: tuple[tuple[str, dict[str, object]], ...] = (
    ("query($x: String!) { services(ars: $x) { totalCount } }", {}),
    ("query($x: String!) { services(ars: $x) { totalCount } }", {"x": None}),
    ("query($x: String) { services(ars: $x) { totalCount } }", {"x": 5}),
    ("query($x: Int) { services(first: $x) { totalCount } }", {"x": "a"}),
    ("query($x: Int) { services(first: $x) { totalCount } }", {"x": 2**40}),
    ("query($t: Tier) { portals(tier: $t) { id } }", {"t": "NOPE"}),
    ("query($t: Tier) { portals(tier: $t) { id } }", {"t": 1}),
    ("query($t: ID!) { portal(id: $t) { id } }", {"t": 1.5}),
    ("query($t: Boolean) { portals { id } }", {"t": "yes"}),
    ("query($t: [String!]) { portals { id } }", {"t": [None]}),
)


def graphql_core_messages() -> list[str]:
    found = []
    for document in INVALID_DOCUMENTS:
        try:
            errors = validate(schema._schema, parse(document))
        except GraphQLError as syntax:
            errors = [syntax]
        found += [error.message for error in errors]
    for document, variables in BAD_VARIABLES:
        operation = get_operation_ast(parse(document))
        assert operation is not None
        coerced = get_variable_values(
            schema._schema, operation.variable_definitions or (), variables
        )
        assert isinstance(coerced, list), document
        found += [error.message for error in coerced]
    return [NOT_NONE.sub(NOT_NONE_TEXT, message) for message in found]


def test_every_graphql_core_message_a_client_meets_has_german() -> None:
    messages = graphql_core_messages()
    assert len(messages) >= len(INVALID_DOCUMENTS) + len(BAD_VARIABLES)
    untranslated = [m for m in messages if localise(m, "de") == m]
    assert untranslated == []
    for message in messages:
        assert localise(message, "en") == message


@pytest.mark.parametrize(
    ("english", "german"),
    [
        (
            "Argument 'ars': the region 059999999999 is unknown:"
            " the municipality directory knows no place with this ARS",
            "Argument 'ars': die Region 059999999999 ist unbekannt:"
            " das Gemeindeverzeichnis kennt keinen Ort mit diesem ARS",
        ),
        ("Argument 'first': must be at most 100", "Argument 'first': darf höchstens 100 sein"),
        (
            "Argument 'id': is not the ID of an Application",
            "Argument 'id': ist nicht die ID eines Objekts vom Typ Application",
        ),
        (
            "Cannot query field 'x' on type 'Query'. Did you mean 'a', 'b', or 'c'?",
            "Das Feld 'x' gibt es am Typ 'Query' nicht. Meinten Sie 'a', 'b' oder 'c'?",
        ),
        (
            "Portal 'nrw' (SERVICES) is unavailable; its data is missing.",
            "Portal 'nrw' (SERVICES) ist nicht erreichbar; seine Daten fehlen.",
        ),
        (
            "Argument 'attachments': each must be a file part of a multipart request",
            "Argument 'attachments': jeder Anhang muss ein Dateiteil einer Multipart-Anfrage sein",
        ),
        (
            "Argument 'representations': each must be an object",
            "Argument 'representations': jede Referenz muss ein Objekt sein",
        ),
        ("PersistedQueryNotFound", "PersistedQueryNotFound"),  # Apollo's links match it
    ],
)
def test_our_messages_in_german(english: str, german: str) -> None:
    assert localise(english, "de") == german
    assert localise(german, "de") == german  # translating twice changes nothing
