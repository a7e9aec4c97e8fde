"""OpenAPI document of a portal's FIT-Connect Submission API v1, sender side (§3.2, §3.4)."""

from __future__ import annotations

from sandbox.openapi.common import (
    BEARER_JWT,
    CACHE_CONTROL,
    FIT_CONNECT_JWK,
    JSON,
    SANDBOX,
    STRING,
    Doc,
    array,
    document,
    no_content,
    obj,
    ok,
    path,
    problem,
    ref,
    unauthorized,
)

UUID = {"type": "string", "format": "uuid"}
DESTINATION = obj(
    ["destinationId", "status", "encryptionKid", "metadataVersions", "replyChannels", "services"],
    {
        "destinationId": UUID,
        "status": {"enum": ["created", "active", "inactive", "decommissioned"]},
        "encryptionKid": STRING,
        "metadataVersions": array(STRING),
        "replyChannels": {"type": "object", "properties": {"fink": {"type": "object"}}},
        "services": array(
            obj(
                ["identifier", "regions", "submissionSchemas"],
                {
                    "identifier": {
                        "type": "string",
                        "pattern": "^urn:de:fim:leika:leistung:99[0-9]{12}$",
                    },
                    "regions": array({"type": "string", "pattern": "^DE[0-9]{0,12}$"}),
                    "submissionSchemas": array(
                        obj(
                            ["schemaUri", "mimeType"],
                            {"schemaUri": STRING, "mimeType": {"const": JSON}},
                        )
                    ),
                },
            )
        ),
    },
)
CREATE = {
    "type": "object",
    "required": ["destinationId", "serviceType"],
    "properties": {
        "destinationId": UUID,
        "announcedAttachments": array(UUID),
        "serviceType": {
            "type": "object",
            "required": ["identifier"],
            "properties": {"name": STRING, "identifier": STRING},
        },
        "caseId": UUID | {"description": "An existing case of this destination: a reply"},
        "callback": {
            "type": "object",
            "required": ["url", "secret"],
            "description": "Where new events of this submission are announced (HMAC-SHA512 "
            "with `secret`); https, or http on loopback in the sandbox",
            "properties": {
                "url": {"type": "string", "minLength": 9},
                "secret": {"type": "string", "minLength": 32, "maxLength": 512},
            },
        },
    },
}
REDUCED = obj(
    ["destinationId", "submissionId", "caseId"],
    {"destinationId": UUID, "submissionId": UUID, "caseId": UUID},
)
SUBMIT = {
    "type": "object",
    "required": ["encryptedMetadata"],
    "properties": {"encryptedMetadata": STRING, "encryptedData": STRING},
}
SUBMISSION_ID = path("submissionId", UUID)
AUTH = {"401": unauthorized()}
UNKNOWN = problem("Unknown submission")


def _operations() -> Doc:
    return {
        "create": {
            "operationId": "createSubmission",
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": ref("CreateSubmission")}},
            },
            "responses": {
                "201": ok(ref("SubmissionReduced"), "Announced", headers=CACHE_CONTROL),
                "400": problem("destinationId or serviceType.identifier missing, bad callback"),
                **AUTH,
                "404": problem("Unknown destination, or a caseId of another destination"),
                "422": problem("The destination does not offer this service"),
            },
        },
        "submit": {
            "operationId": "submitSubmission",
            "parameters": [SUBMISSION_ID],
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": ref("SubmitSubmission")}},
            },
            "responses": {
                "202": ok(ref("SubmissionReduced"), "Submitted", headers=CACHE_CONTROL),
                **AUTH,
                "404": UNKNOWN,
                "409": problem("Already submitted"),
                "422": problem("Undecryptable, announced attachment missing or hash mismatch"),
            },
        },
        "upload": {
            "operationId": "addAttachment",
            "parameters": [SUBMISSION_ID, path("attachmentId", UUID)],
            "requestBody": {
                "required": True,
                "content": {
                    "application/jose": {"schema": STRING | {"description": "JWE compact"}}
                },
            },
            "responses": {
                "204": no_content("Stored"),
                "400": problem("Not a JWE for the destination's key"),
                **AUTH,
                "404": problem("Unknown submission or attachment not announced"),
                "409": problem("Already submitted"),
                "415": problem("Not sent as application/jose"),
            },
        },
    }


def submission_document() -> Doc:
    public: Doc = {"security": []}
    destination = public | {
        "operationId": "getDestination",
        "parameters": [path("destinationId", STRING)],
        "responses": {
            "200": ok(ref("PublicDestination"), headers=CACHE_CONTROL),
            "404": problem("Unknown destination"),
        },
    }
    key = public | {
        "operationId": "getDestinationKey",
        "parameters": [path("destinationId", STRING), path("keyId", STRING)],
        "responses": {
            "200": ok(FIT_CONNECT_JWK, headers=CACHE_CONTROL),
            "404": problem("Unknown destination or key"),
        },
    }
    form = (
        public
        | {
            "operationId": "getSubmissionSchema",
            "summary": "The form's JSON schema (stands in for schema.fitko.de) [I]",
            "parameters": [path("leikaKey", STRING, "LeiKa key, or `reply`")],
            "responses": {
                "200": ok({"type": "object", "required": ["$schema", "$id", "type"]}),
                "404": problem("No schema for this service"),
            },
        }
        | SANDBOX
    )
    ops = _operations()
    return document(
        "FIT-Connect Submission API – sender (sandbox)",
        "Sender side of the FIT-Connect Submission API v1 for one portal's destination; the "
        "submission calls need a client-credentials token for urn:portalgraph:fitconnect:<portal>.",
        {
            "/v1/destinations/{destinationId}": {"get": destination},
            "/v1/destinations/{destinationId}/keys/{keyId}": {"get": key},
            "/schemas/{leikaKey}.schema.json": {"get": form},
            "/v1/submissions": {"post": ops["create"]},
            "/v1/submissions/{submissionId}": {"put": ops["submit"]},
            "/v1/submissions/{submissionId}/attachments/{attachmentId}": {"put": ops["upload"]},
        },
        {
            "PublicDestination": DESTINATION,
            "CreateSubmission": CREATE,
            "SubmissionReduced": REDUCED,
            "SubmitSubmission": SUBMIT,
        },
        security_schemes={"bearerAuth": BEARER_JWT},
        security=[{"bearerAuth": []}],
    )
