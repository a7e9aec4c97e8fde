"""Service descriptions end to end: gateway and sandbox as real servers on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Gateway, Sandbox

KOELN = "053150000000"
DORMAGEN = "051620008008"
REISEPASS = "99085001012000"

SEARCH = """
query Search($query: String, $ars: String, $leikaKey: String, $first: Int, $after: String) {
  services(query: $query, ars: $ars, leikaKey: $leikaKey, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    outages { portalId capability code }
    edges { cursor node {
      id pvogId leikaKey name teaser tier originPortal { id tier }
      fees { amountCents currency } legalBasis { url } onlineServices { url requiredTrustLevel }
      responsibleAuthority { id name addresses { city postalCode } phone email }
    } }
  }
}
"""


def nodes(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in body["data"]["services"]["edges"]]


def search(gateway: Gateway, **variables: Any) -> dict[str, Any]:
    return gateway.query(SEARCH, variables)


def test_koeln_sees_its_own_state_and_federal_services(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    body = search(gateway, ars=KOELN, first=100)
    assert "errors" not in body
    found = nodes(body)
    assert {n["originPortal"]["id"] for n in found} == {"bund", "nrw", "koeln"}
    assert len({n["leikaKey"] for n in found}) == len(found), "one description per LeiKa key"
    assert (
        body["data"]["services"]["totalCount"] >= 40
        or body["data"]["services"]["pageInfo"]["hasNextPage"]
    )


def test_the_most_local_reisepass_description_wins(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    koeln = nodes(search(gateway, query="Reisepass", ars=KOELN))
    passes = [n for n in koeln if n["leikaKey"] == REISEPASS]
    assert len(passes) == 1
    assert passes[0]["originPortal"]["id"] == "koeln"
    assert passes[0]["tier"] == "MUNICIPAL"
    federal = nodes(search(gateway, leikaKey=REISEPASS))
    assert [n["originPortal"]["id"] for n in federal] == ["bund"]
    assert passes[0]["id"] != federal[0]["id"]


def test_dormagen_does_not_see_koeln_descriptions(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    origins = {n["originPortal"]["id"] for n in nodes(search(gateway, ars=DORMAGEN, first=100))}
    assert "koeln" not in origins
    assert "dormagen" in origins


def test_twenty_services_with_authorities_cost_one_call_per_needed_object(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    """`first: 20` gives 20 services (most local wins over the PVOG's whole answer, which
    holds a Bund, an NRW and a Köln text of many services) from at most two PVOG searches
    (a page of texts, and a look-up of its keys or the rest of the answer); one
    organisation-unit call per authority shown (the endpoint takes one `q`); a detail call
    only for hits that came without their LeiKa keys."""
    body = search(gateway, ars=KOELN, first=20)
    found = nodes(body)
    assert len(found) == 20
    assert len({n["leikaKey"] for n in found}) == len(found), "most local wins"
    assert body["data"]["services"]["pageInfo"]["hasNextPage"] is True
    assert all(n["responsibleAuthority"] is not None for n in found)
    calls = clean_sandbox.calls("pvog")
    searches = calls.get("GET /v8beta1/servicedescriptions", 0)
    assert 1 <= searches <= 2, calls
    shown = {n["responsibleAuthority"]["id"] for n in found}
    assert calls.get("GET /v5/organisationunits/detail", 0) == len(shown), calls
    with clean_sandbox.handle.client("pvog") as client:  # closed: no socket left to the GC
        hits = client.get(
            "/v8beta1/servicedescriptions",
            params={"ars": KOELN, "page": 0, "size": 500, "useArsHierarchy": "true"},
            headers={"pvog-sud-api-client-id": clean_sandbox.env["PVOG_CLIENT_ID"]},
        ).json()["serviceDescriptions"]["content"]
    keyless = sum("leikakeys" not in hit for hit in hits)
    # At most one detail call per keyless hit, though a look-up may return it again (the
    # adapter keeps the keys it learnt; an earlier test may have taught it them already).
    assert calls.get("GET /v6/servicedescriptions/{id}/detail", 0) <= keyless, calls


def test_pages_continue_after_the_cursor(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    first = search(gateway, ars=KOELN, first=5)["data"]["services"]
    second = search(gateway, ars=KOELN, first=5, after=first["pageInfo"]["endCursor"])["data"][
        "services"
    ]
    ids_first = [e["node"]["id"] for e in first["edges"]]
    ids_second = [e["node"]["id"] for e in second["edges"]]
    # Each page holds 5 services (the PVOG's answer holds many more), none twice.
    assert len(ids_first) == len(ids_second) == 5
    assert not set(ids_first) & set(ids_second)
    # Two pages of 5 are the page of 10: the same services, in the same order, same cursors.
    ten = search(gateway, ars=KOELN, first=10)["data"]["services"]["edges"]
    assert [e["node"]["id"] for e in ten] == ids_first + ids_second
    assert [e["cursor"] for e in ten] == [e["cursor"] for e in first["edges"] + second["edges"]]


def test_service_and_node_resolve_a_global_id(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    wanted = nodes(search(gateway, query="Reisepass", ars=KOELN))[0]
    body = gateway.query(
        "query($id: ID!) { service(id: $id) { id name originPortal { id } }"
        " node(id: $id) { __typename id ... on Service { pvogId } } }",
        {"id": wanted["id"]},
    )
    assert body["data"]["service"] == {
        "id": wanted["id"],
        "name": wanted["name"],
        "originPortal": {"id": "koeln"},
    }
    assert body["data"]["node"] == {
        "__typename": "Service",
        "id": wanted["id"],
        "pvogId": wanted["pvogId"],
    }


def test_portals_and_regions(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    body = gateway.query(
        '{ portals { id tier ars capabilities } regions(search: "Dorm") { ars name postalCodes } }'
    )
    portals = {p["id"]: p for p in body["data"]["portals"]}
    assert {"bund", "nrw", "koeln", "dormagen"} <= set(portals)
    assert portals["koeln"]["tier"] == "MUNICIPAL"
    assert "SERVICES" in portals["koeln"]["capabilities"]
    assert [r["ars"] for r in body["data"]["regions"]].count(DORMAGEN) == 1
    states = gateway.query("{ portals(tier: STATE) { id } }")["data"]["portals"]
    assert [p["id"] for p in states] == ["nrw"]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"ars": "5315"}, "ars"),
        ({"ars": "05315000000x"}, "ars"),
        ({"leikaKey": "12345"}, "leikaKey"),
        ({"leikaKey": "990850010120001"}, "leikaKey"),
        ({"first": 101}, "first"),
        ({"first": -1}, "first"),
        ({"after": "not-a-cursor"}, "after"),
    ],
)
def test_bad_input_is_a_typed_error_naming_the_argument(
    gateway: Gateway, clean_sandbox: Sandbox, variables: dict[str, Any], argument: str
) -> None:
    body = search(gateway, **variables)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument
    assert f"'{argument}'" in error["message"]
    assert clean_sandbox.calls("pvog") == {}, "bad input must not reach an upstream"


def test_a_cursor_from_another_search_is_refused(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    cursor = search(gateway, ars=KOELN, first=2)["data"]["services"]["pageInfo"]["endCursor"]
    body = search(gateway, ars=DORMAGEN, first=2, after=cursor)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_failing_pvog_gives_an_empty_list_and_a_coded_error(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    clean_sandbox.fault("pvog", status=503)
    response = gateway.post(SEARCH, {"ars": KOELN, "first": 100})
    assert response.status_code == 200
    body = response.json()
    assert nodes(body) == []
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "UPSTREAM_UNAVAILABLE",
        "portalId": "pvog",
        "capability": "SERVICES",
    }
    assert body["data"]["services"]["outages"] == [
        {"portalId": "pvog", "capability": "SERVICES", "code": "UPSTREAM_UNAVAILABLE"}
    ]
    assert "127.0.0.1" not in response.text


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"malformed": True}, "UPSTREAM_BAD_RESPONSE"),
        ({"status": 429, "retry_after": 3}, "UPSTREAM_RATE_LIMITED"),
        ({"timeout": True}, "UPSTREAM_TIMEOUT"),
    ],
)
def test_upstream_faults_map_to_codes(
    gateway: Gateway, clean_sandbox: Sandbox, fault: dict[str, Any], code: str
) -> None:
    clean_sandbox.fault("pvog", **fault)
    body = search(gateway, ars=KOELN, first=100)
    assert nodes(body) == []
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]


def test_an_unreachable_authority_lookup_nulls_only_that_field(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    clean_sandbox.fault("pvog", status=500, path_prefix="/v5/organisationunits")
    found = nodes(search(gateway, query="Reisepass", ars=KOELN))
    koeln = [n for n in found if n["originPortal"]["id"] == "koeln"]
    assert koeln
    assert all(n["responsibleAuthority"] is None for n in koeln)
    assert all(n["name"] for n in koeln)


def test_health_endpoints_and_offline_graphiql(gateway: Gateway) -> None:
    assert gateway.http.get("/healthz").json() == {"status": "ok"}
    assert gateway.http.get("/readyz").status_code == 200
    page = gateway.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Portalgraph" in page.text
    assert "unpkg.com" not in page.text
    assert "cdn" not in page.text.lower()
