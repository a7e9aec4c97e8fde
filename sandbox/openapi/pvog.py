"""OpenAPI document of the PVOG Suchdienst upstream (reference/portalverbund.md §1.2)."""

from __future__ import annotations

from sandbox.openapi.common import (
    DATE_TIME,
    SANDBOX,
    STRING,
    Doc,
    array,
    document,
    obj,
    ok,
    path,
    problem,
    query,
    ref,
)

ARS = {"type": "string", "pattern": "^[0-9]{12}$"}
LINK = obj(["uri"], {"title": STRING, "uri": STRING})
DETAIL = obj(
    ["code"],
    {
        "code": {"type": "string", "pattern": "^[0-9]{2}$"},
        "text": STRING,
        "placeholder": {"type": "boolean"},
        "date": {"type": "string", "format": "date"},
        "links": array(LINK),
        "details": array(obj(["title"], {"title": STRING, "text": STRING})),
    },
)
ONLINE_LINK = obj(["title", "uri"], {"title": STRING, "uri": STRING})
SERVICE_DESCRIPTION = obj(
    ["id", "name", "ars", "lastUpdate", "organisationIds", "organisations", "details"],
    {
        "id": {"type": "string", "pattern": r"^[BL]\d+\.LB\.\d+$"},
        "name": STRING,
        "ars": array(ARS),
        "leikakeys": array({"type": "string", "pattern": "^99[0-9]{12}$"}),
        "lastUpdate": DATE_TIME,
        "externalLastUpdate": DATE_TIME,
        "onlineServiceLinks": array(ONLINE_LINK),
        "sourcePortals": array(LINK),
        "organisationIds": array(STRING),
        "organisations": array(
            obj(["title", "role"], {"title": STRING, "role": obj(["name"], {"name": STRING})})
        ),
        "details": array(DETAIL),
    },
    description="Search hits may lack `leikakeys`; the detail view always has them.",
)
ORGANISATION_UNIT = obj(
    ["id", "title", "lastUpdate", "role"],
    {
        "id": {"type": "string", "pattern": r"^[BL]\d+\.OE\.\d+$"},
        "title": STRING,
        "lastUpdate": DATE_TIME,
        "role": obj(["code", "name"], {"code": STRING, "name": STRING}),
        "location": obj(
            ["addresses", "communications"],
            {
                "addresses": array(
                    obj(
                        ["type", "street", "zip", "city"],
                        {"type": STRING, "street": STRING, "zip": STRING, "city": STRING},
                    )
                ),
                "communications": array(
                    obj(["name", "value"], {"code": STRING, "name": STRING, "value": STRING})
                ),
            },
        ),
        "internetAddresses": array(obj(["uri"], {"uri": STRING})),
        "additionalInformation": array(
            obj(["type", "text"], {"type": STRING, "text": STRING}),
            description="Opening hours have type INFO_TIMES.",
        ),
    },
)
LOCATION = obj(
    ["ars", "ags", "name", "type", "zip"],
    {
        "ars": ARS,
        "ags": STRING,
        "name": STRING,
        "type": {"enum": ["Bund", "Land", "Kreis", "Kreisfreie Stadt", "Stadt"]} | SANDBOX,
        "zip": array(STRING),
    },
)
PAGE = obj(
    ["content", "totalElements", "totalPages", "number", "size"],
    {
        "content": array(ref("ServiceDescription")),
        "totalElements": {"type": "integer", "minimum": 0},
        "totalPages": {"type": "integer", "minimum": 0},
        "number": {"type": "integer", "minimum": 0},
        "size": {"type": "integer", "minimum": 1},
    },
)
BAD = problem("Missing or malformed parameter")


def pvog_document() -> Doc:
    search = {
        "operationId": "searchServiceDescriptions",
        "summary": "Free-text search for service descriptions at a place",
        "parameters": [
            query("ars", ARS, "Amtlicher Regionalschlüssel (12 digits)", required=True),
            query("q", STRING, "Free text (substring of name, teaser or keyword)"),
            query(
                "leikaIds",
                array({"type": "string", "pattern": "^99[0-9]{12}(,99[0-9]{12})*$"}),
                "LeiKa keys; repeating or comma-separating them is a sandbox extension",
                explode=True,
            ),
            query(
                "page", {"type": "integer", "minimum": 0, "maximum": 1000000, "default": 0}, "Page"
            ),
            query("size", {"type": "integer", "minimum": 1, "maximum": 500, "default": 20}, "Size"),
            query(
                "useArsHierarchy", {"type": "boolean", "default": True}, "Include ancestors' texts"
            ),
        ],
        "responses": {
            "200": ok(obj(["serviceDescriptions"], {"serviceDescriptions": PAGE})),
            "400": BAD,
        },
    }
    detail = {
        "operationId": "getServiceDescriptionDetail",
        "summary": "One service description with all text modules",
        "parameters": [path("id", STRING, "ID-LB"), query("ars", ARS, "Validated if present")],
        "responses": {
            "200": ok(ref("ServiceDescription")),
            "400": BAD,
            "404": problem("Unknown on this server"),
        },
    }
    organisations = {
        "operationId": "getOrganisationUnitDetail",
        "summary": "One Organisationseinheit; its role comes from lbId (without: Ansprechpunkt)",
        "parameters": [
            query("q", STRING, "OE id (exactly one)", required=True),
            query("ars", ARS, "Validated if present"),
            query("lbId", STRING, "Service the role is asked for"),
        ],
        "responses": {
            "200": ok(ref("OrganisationUnit")),
            "400": BAD,
            "404": problem("Unknown on this server"),
        },
    }
    locations = {
        "operationId": "searchLocations",
        "summary": "Places by name substring or postal-code prefix",
        "parameters": [
            query("q", STRING, "Name substring or postal-code prefix"),
            query(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
                "Max hits",
            ),
        ],
        "responses": {"200": ok(array(ref("Location"))), "400": BAD},
    }
    return document(
        "PVOG Suchdienst (sandbox)",
        "Subset of the Portalverbund Suchdienst REST API served by one portal's Redaktion.",
        {
            "/v8beta1/servicedescriptions": {"get": search},
            "/v6/servicedescriptions/{id}/detail": {"get": detail},
            "/v5/organisationunits/detail": {"get": organisations},
            "/v3/locations": {"get": locations},
        },
        {
            "ServiceDescription": SERVICE_DESCRIPTION,
            "OrganisationUnit": ORGANISATION_UNIT,
            "Location": LOCATION,
        },
    )
