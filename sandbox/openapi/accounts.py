"""OpenAPI document of a portal's account area ("Mein Konto"), a sandbox invention [I]."""

from __future__ import annotations

from sandbox.openapi.common import (
    BEARER_JWT,
    DATE_TIME,
    SANDBOX,
    STRING,
    Doc,
    array,
    document,
    envelope,
    no_content,
    obj,
    ok,
    paging,
    path,
    problem,
    ref,
    unauthorized,
)

ID = {"type": "string", "minLength": 1}
PAYMENT_LINK = obj(
    ["transactionId", "originatorId", "endPointId", "requestId"],
    {"transactionId": STRING, "originatorId": STRING, "endPointId": STRING, "requestId": STRING},
)
APPLICATION = obj(
    [
        "applicationId",
        "caseId",
        "submissionId",
        "destinationId",
        "leikaKey",
        "serviceName",
        "reference",
        "createdAt",
        "submittedAt",
        "updatedAt",
        "payments",
    ],
    {
        "applicationId": {"type": "string", "format": "uuid"},
        "caseId": {"type": "string", "format": "uuid"},
        "submissionId": {"type": "string", "format": "uuid"},
        "destinationId": {"type": "string", "format": "uuid"},
        "leikaKey": {"type": "string", "pattern": "^99[0-9]{12}$"},
        "serviceName": STRING,
        "reference": STRING,
        "createdAt": DATE_TIME,
        "submittedAt": DATE_TIME,
        "updatedAt": DATE_TIME,
        "payments": array(ref("PaymentLink")),
    },
)
ACCOUNT = obj(
    ["accountId", "portalId", "createdAt", "services", "displayName"],
    {
        "accountId": STRING,
        "portalId": STRING,
        "createdAt": DATE_TIME,
        "services": array({"enum": ["applications", "payments", "inbox"]}),
        "displayName": STRING,
    },
)
LINK_BODY = {
    "type": "object",
    "required": ["originatorId", "endPointId", "requestId"],
    "properties": {"originatorId": ID, "endPointId": ID, "requestId": ID},
}
NO_ACCOUNT = problem("The token's subject has no account (or no such application) here")


def accounts_document() -> Doc:
    me = {
        "operationId": "getAccount",
        "summary": "The bearer's account at this portal",
        "responses": {"200": ok(ref("Account")), "401": unauthorized(), "404": NO_ACCOUNT},
    }
    applications = {
        "operationId": "listApplications",
        "summary": "The bearer's applications at this portal, newest createdAt first",
        "parameters": paging(),
        "responses": {
            "200": ok(envelope("applications", ref("Application"))),
            "400": problem("limit or offset out of range"),
            "401": unauthorized(),
            "404": NO_ACCOUNT,
        },
    }
    link = {
        "operationId": "linkPayment",
        "summary": "Link an XBezahldienste transaction to an application (idempotent)",
        "parameters": [path("applicationId"), path("transactionId")],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref("PaymentLinkRequest")}},
        },
        "responses": {
            "204": no_content("Linked; a repeated PUT replaces the link"),
            "400": problem("Body lacks one of the string fields"),
            "401": unauthorized(),
            "404": NO_ACCOUNT,
        },
    }
    return document(
        "Portal account area (sandbox)",
        "A portal's account area; accepts exchanged citizen tokens for the portal audience "
        "and serves only the token subject's data. Entirely a sandbox invention.",
        {
            "/v1/me": {"get": me} | SANDBOX,
            "/v1/me/applications": {"get": applications} | SANDBOX,
            "/v1/me/applications/{applicationId}/payments/{transactionId}": {"put": link} | SANDBOX,
        },
        {
            "Account": ACCOUNT,
            "Application": APPLICATION,
            "PaymentLink": PAYMENT_LINK,
            "PaymentLinkRequest": LINK_BODY,
        },
        security_schemes={"bearerAuth": BEARER_JWT},
        security=[{"bearerAuth": []}],
    )
