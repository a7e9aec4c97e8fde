"""OpenAPI document of a portal's payment provider: XBezahldienste 1.0 (§4) plus the pay page [I]."""

from __future__ import annotations

from sandbox.openapi.common import (
    BEARER_JWT,
    CACHE_CONTROL,
    PROBLEM_SCHEMA,
    SANDBOX,
    STRING,
    Doc,
    array,
    document,
    obj,
    ok,
    path,
    ref,
    unauthorized,
)

PATH_ID = {"type": "string", "maxLength": 36, "pattern": r"^[\w\d-]+$"}
AMOUNT = {"type": "number", "minimum": 0, "maximum": 999999}
ITEM = {
    "type": "object",
    "required": ["totalNetAmount"],
    "properties": {
        **dict.fromkeys(("id", "reference", "description"), STRING),
        **dict.fromkeys(("totalNetAmount", "totalTaxAmount"), AMOUNT),
        **dict.fromkeys(("singleNetAmount", "singleTaxAmount"), AMOUNT),
        "taxRate": {"type": "number"},
        "quantity": {"type": "number"},
        "bookingData": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
PAYMENT_REQUEST = {
    "type": "object",
    "required": [
        *("requestId", "requestTimestamp", "currency", "grosAmount", "purpose"),
        *("redirectUrl", "items"),
    ],
    "properties": {
        "requestId": PATH_ID | {"minLength": 1},
        "requestTimestamp": {"type": "string", "minLength": 1, "maxLength": 64},
        "currency": {"const": "EUR"},
        "grosAmount": AMOUNT | {"description": "Sum of the items' totalNetAmount + totalTaxAmount"},
        "purpose": {"type": "string", "minLength": 1, "maxLength": 27, "pattern": r"^[\w\d\s-]+$"},
        "description": {"type": "string", "minLength": 1, "maxLength": 250},
        "redirectUrl": {"type": "string", "maxLength": 2082, "pattern": "^https?://"},
        "items": array(ref("PaymentItem"), minItems=1, maxItems=99),
        "requestor": ref("Requestor"),
    },
}
REQUESTOR = {
    "type": "object",
    "properties": {
        "name": STRING,
        "firstName": STRING,
        "gender": {"enum": ["M", "F", "D"]},
        "isOrganization": {"type": "boolean"},
        "organizationName": STRING,
        "address": {
            "type": "object",
            "properties": {
                **dict.fromkeys(("street", "houseNumber", "postalCode", "city"), STRING),
                "addressLine": array(STRING),
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            },
        },
    },
}
STATUS = {"enum": ["INITIAL", "PAYED", "FAILED", "CANCELED"]}
METHOD = {"enum": ["GIROPAY", "PAYDIRECT", "CREDITCARD", "PAYPAL", "OTHER"]}
PAYMENT_INFORMATION = obj(
    ["transactionUrl", "transactionId", "status"],
    {
        "transactionUrl": STRING,
        "transactionRedirectUrl": STRING | {"description": "Pay page, only while INITIAL"},
        "transactionId": STRING,
        "transactionReference": STRING,
        "transactionTimestamp": STRING,
        "paymentMethod": METHOD,
        "paymentMethodDetail": STRING,
        "status": STATUS,
        "statusDetail": STRING,
    },
    description="Members without a value are left out.",
)
TRANSACTION = obj(
    ["paymentRequest", "paymentInformation"],
    {"paymentRequest": {"type": "object"}, "paymentInformation": PAYMENT_INFORMATION},
)
CODES = ["NO_VALID_ORIGINATOR_OR_ENDPOINT", "PAYMENT_EXISTS", "CALCULATION_ERROR"]
CODES += ["BOOKING_DATA_MISSING", "VALIDATION_ERROR", "UNSPECIFIED", "FORBIDDEN"]
XB_PROBLEM = PROBLEM_SCHEMA | {
    "required": [*PROBLEM_SCHEMA["required"], "functionalCode"],
    "properties": PROBLEM_SCHEMA["properties"] | {"functionalCode": {"enum": CODES}},
}
HTML = {"text/html": {"schema": STRING}}
IDS = [path("originatorId", PATH_ID), path("endPointId", PATH_ID)]


def failure(description: str) -> Doc:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": ref("XBezahldiensteProblem")}},
    }


def html(description: str, **extra: Doc) -> Doc:
    return {"description": description, "content": HTML, "headers": CACHE_CONTROL} | extra


def _paypage() -> Doc:
    act = {
        "summary": "Settle an INITIAL transaction and go back to the redirectUrl",
        "security": [],
        "parameters": [path("transactionId")],
        "responses": {
            "303": {
                "description": "Back to redirectUrl with ?transactionId=",
                "headers": {"Location": {"schema": STRING, "required": True}},
            },
            "404": html("Unknown transaction"),
            "409": html("Already settled"),
        },
    }
    show = {
        "summary": "The pay page for a person in a browser",
        "security": [],
        "parameters": [path("transactionId")],
        "responses": {
            "200": html("Amount, purpose, items and three buttons"),
            "404": html("Unknown transaction"),
            "409": html("Already settled"),
        },
    }
    pages: Doc = {"/paypage/{transactionId}": {"get": show} | SANDBOX}
    for action, status in (("pay", "PAYED"), ("cancel", "CANCELED"), ("fail", "FAILED")):
        operation = act | {"operationId": f"paypage_{action}", "description": f"Sets {status}."}
        pages[f"/paypage/{{transactionId}}/{action}"] = {"post": operation} | SANDBOX
    return pages


def payments_document() -> Doc:
    common = {"401": unauthorized(), "400": failure("Invalid path ids or request")}
    create = {
        "operationId": "createPaymentTransaction",
        "parameters": IDS,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref("PaymentRequest")}},
        },
        "responses": {
            "200": ok(ref("PaymentTransaction"), headers=CACHE_CONTROL),
            **common,
            "409": failure("requestId already used (PAYMENT_EXISTS)"),
        },
    }
    status = {
        "operationId": "getStatusByIds",
        "summary": "Status of the provider's configuration for this tenant (a health check)",
        "parameters": IDS,
        "responses": {
            "200": {
                "description": "The tenant can take payments",
                "content": {"application/problem+json": {"schema": ref("SystemResponse")}},
            },
            **common,
            "403": failure("Not allowed for this tenant (FORBIDDEN)"),
            "503": failure("Not available"),
        },
    }
    read = {
        "operationId": "getPaymentTransaction",
        "parameters": [*IDS, path("transactionId")],
        "responses": {
            "200": ok(ref("PaymentTransaction"), headers=CACHE_CONTROL),
            **common,
            "404": failure("Unknown transaction (UNSPECIFIED)"),
        },
    }
    return document(
        "XBezahldienste (sandbox)",
        "XBezahldienste 1.0.0 payment transactions and the tenant status; needs a "
        "client-credentials token for urn:portalgraph:xbezahldienste:<portal>. There is no "
        "look-up by requestId. The pay page is a sandbox invention.",
        {
            "/paymenttransaction/{originatorId}/{endPointId}": {"post": create},
            "/status/{originatorId}/{endPointId}": {"get": status},
            "/paymenttransaction/{originatorId}/{endPointId}/{transactionId}": {"get": read},
            **_paypage(),
        },
        {
            "PaymentRequest": PAYMENT_REQUEST,
            "PaymentItem": ITEM,
            "Requestor": REQUESTOR,
            "PaymentTransaction": TRANSACTION,
            "XBezahldiensteProblem": XB_PROBLEM,
            "SystemResponse": PROBLEM_SCHEMA,
        },
        security_schemes={"bearerAuth": BEARER_JWT},
        security=[{"bearerAuth": []}],
    )
