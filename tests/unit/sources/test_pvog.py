from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from sources._http import Upstream
from sources.base import (
    Capability,
    EndpointRecord,
    PortalRecord,
    ServiceQuery,
    Tier,
    TrustLevel,
    UpstreamRef,
)
from sources.errors import SourceBadResponseError
from sources.pvog import (
    PvogDirectory,
    parse_locations,
    parse_organisation,
    parse_search,
    parse_service,
)

SAMPLE = json.loads(
    (Path(__file__).parents[2] / "samples/pvog/servicedescription.json").read_text()
)
PORTAL = PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {})


def test_a_pvog_description_becomes_a_service_record() -> None:
    record = parse_service(SAMPLE, "koeln")
    assert record.portal_id == "koeln"
    assert record.leika_keys == ("99085001012000",)
    assert record.teaser == "<p>Kurzinfo</p>"
    assert record.required_documents == "<ul><li>Personalausweis</li></ul>"
    assert record.deadlines is None  # placeholder modules mean "nicht angegeben"
    assert record.description is None
    assert [f.amount_cents for f in record.fees] == [7000, 103750, 0, None]
    assert record.fees[0].description == "Gebühr: 70,00 Euro (ab 24 Jahren)"
    assert record.legal_basis[0].title == "§ 6 PassG"
    assert record.online_services[0].trust_level is TrustLevel.SUBSTANTIAL
    assert record.organisation_ids == ("L100002.OE.4711",)
    assert record.approved_on == date(2026, 5, 13)
    assert record.last_update is not None
    assert record.last_update.year == 2026


@pytest.mark.parametrize(
    "body",
    [
        {"serviceDescriptions": {"content": [{"id": 42}]}},
        {"serviceDescriptions": {"content": "nope"}},
        {"serviceDescriptions": None},
        [],
    ],
)
def test_malformed_search_bodies_raise(body: Any) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        parse_search(body, "koeln")


def test_organisation_and_location_parsing() -> None:
    organisation = parse_organisation(
        {
            "id": "L100002.OE.1",
            "title": "Bürgeramt",
            "role": "Zuständige Stelle",
            "location": {
                "addresses": [
                    {
                        "street": "Laurenzplatz",
                        "houseNumber": "4",
                        "zipCode": "50667",
                        "city": "Köln",
                    }
                ]
            },
            "communicationSystems": [
                {"channel": "telefon", "value": "0221 221-0"},
                {"channel": "EMAIL", "value": "a@b.de"},
            ],
            "openingHours": "Mo–Fr",
        },
        "koeln",
    )
    assert organisation.phone == "0221 221-0"
    assert organisation.email == "a@b.de"
    assert organisation.addresses[0].postal_code == "50667"
    regions = parse_locations(
        [{"ars": "051620008008", "name": "Dormagen", "type": "Stadt", "zip": ["41539"]}]
    )
    assert regions[0].postal_codes == ("41539",)


async def test_the_adapter_sends_pvog_parameters_and_maps_bad_payloads() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v8beta1/servicedescriptions":
            return httpx.Response(200, json={"serviceDescriptions": {"content": [SAMPLE]}})
        return httpx.Response(200, json={"unexpected": True})

    upstream = Upstream(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        "http://pvog.test",
        ref=UpstreamRef("koeln", Capability.SERVICES),
    )
    directory = PvogDirectory(PORTAL, upstream)
    found = await directory.search(ServiceQuery("053150000000", "Pass", ("99085001012000",)))
    assert [r.id for r in found] == ["L100002.LB.121370768"]
    params = seen[0].url.params
    assert (params["ars"], params["q"], params["leikaIds"], params["useArsHierarchy"]) == (
        "053150000000",
        "Pass",
        "99085001012000",
        "true",
    )
    with pytest.raises(SourceBadResponseError):
        await directory.organisations(["L100002.OE.1", "L100002.OE.2"])
    assert seen[-1].url.params.get_list("q") == ["L100002.OE.1", "L100002.OE.2"]
    assert PORTAL.endpoints == {}
    assert EndpointRecord("http://x").audience is None
