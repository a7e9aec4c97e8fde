"""Errors a frontend developer meets first: each says what to do, in German or English,
with a stable `extensions.code`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Gateway, Sandbox

EN = {"Accept-Language": "en-GB,en;q=0.9"}
DE = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}


def first_error(response: Any) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["errors"][0]
    return error


def test_a_subscription_over_plain_post_names_websocket_and_sse(gateway: Gateway) -> None:
    body = {"query": "subscription { inboxMessageReceived { subject } }"}
    error = first_error(gateway.http.post("/graphql", json=body, headers=EN))
    assert error["extensions"]["code"] == "SUBSCRIPTION_TRANSPORT_REQUIRED"
    assert "WebSocket" in error["message"]
    assert "text/event-stream" in error["message"]
    german = first_error(gateway.http.post("/graphql", json=body, headers=DE))
    assert german["extensions"]["code"] == "SUBSCRIPTION_TRANSPORT_REQUIRED"
    assert german["message"].startswith("Abonnements brauchen einen Datenstrom")


def test_an_anonymous_mutation_is_unauthenticated_not_not_found(gateway: Gateway) -> None:
    response = gateway.http.post(
        "/graphql",
        json={"query": 'mutation { markMessageRead(id: "eyJ4IjoxfQ") { id } }'},
        headers=EN,
    )
    error = first_error(response)
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "NO_TOKEN"}
    assert "Authorization: Bearer" in error["message"]


def test_refusals_name_the_setting_that_changes_them(gateway: Gateway) -> None:
    batch = gateway.http.post("/graphql", json=[{"query": "{ portals { id } }"}], headers=EN)
    assert batch.status_code == 400
    error = first_error(batch)
    assert error["extensions"]["code"] == "BATCHING_DISABLED"
    assert "PORTALGRAPH_MAX_BATCH" in error["message"]


def test_null_for_a_list_that_must_not_be_null_reads_as_graphql(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    query = "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { __typename } }"
    variables: dict[str, Any] = {
        "i": {
            "leikaKey": "99010001001000",
            "ars": "053150000000",
            "form": {},
            "attachments": None,
            "clientMutationId": "null-attachments",
        }
    }
    response = gateway.http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={**EN, "Authorization": f"Bearer {clean_sandbox.demo_token('erika')}"},
    )
    error = first_error(response)
    assert "None" not in error["message"]
    assert "null is not allowed for type '[Upload!]!'" in error["message"]


def test_a_string_in_place_of_an_attachment_is_bad_user_input(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    # `Upload` accepts any value; a string reached the file reader and answered
    # INTERNAL_SERVER_ERROR.
    query = (
        'mutation { submitApplication(input: {leikaKey: "99010001001000", ars: "053150000000",'
        ' form: {}, attachments: ["not a file"], clientMutationId: "string-upload"})'
        " { __typename } }"
    )
    response = gateway.http.post(
        "/graphql",
        json={"query": query},
        headers={**EN, "Authorization": f"Bearer {clean_sandbox.demo_token('erika')}"},
    )
    error = first_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "multipart" in error["message"]
    assert response.json()["data"] is None


@pytest.mark.parametrize("ars", ["990000000000", "17", "00100"])
def test_a_well_formed_but_unknown_region_is_named(gateway: Gateway, ars: str) -> None:
    response = gateway.http.post(
        "/graphql",
        json={
            "query": "query($a: String) { services(ars: $a) { totalCount } }",
            "variables": {"a": ars},
        },
        headers=EN,
    )
    error = first_error(response)
    assert error["extensions"] == {"code": "UNKNOWN_REGION", "argument": "ars"}
    assert f"the region {ars} is unknown" in error["message"]
    assert response.json()["data"] is None


def test_german_by_default_english_on_request_codes_unchanged(gateway: Gateway) -> None:
    refused = gateway.http.post(
        "/graphql",
        json={"query": "{ a1: portals { id } }"},
        headers={"Authorization": "Bearer x.y.z"},
    )
    assert refused.status_code == 401
    assert (
        first_error(refused)["message"] == "Das Zugangstoken ist ungültig; bitte erneut anmelden."
    )
    assert first_error(refused)["extensions"] == {
        "code": "UNAUTHENTICATED",
        "reason": "INVALID_TOKEN",
    }
    english = gateway.http.post(
        "/graphql",
        json={"query": "{ portals { id } }"},
        headers={**EN, "Authorization": "Bearer x.y.z"},
    )
    assert first_error(english)["message"] == "The access token is invalid; sign in again."
    csrf = gateway.http.post("/graphql", content="{}", headers={"Content-Type": "text/plain"})
    assert first_error(csrf)["message"].startswith("Abgelehnt")
    assert first_error(csrf)["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    region = gateway.http.post("/graphql", json={"query": '{ services(ars: "99") { totalCount } }'})
    assert "die Region 99 ist unbekannt" in first_error(region)["message"]
    assert first_error(region)["extensions"]["code"] == "UNKNOWN_REGION"
