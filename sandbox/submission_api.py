"""A portal's FIT-Connect Submission API, sender side (reference/portalverbund.md §3.2, §3.4).

`GET /v1/destinations/{id}` and `/keys/{kid}` publish the destination's encryption key
(RSA-OAEP-256, RSA 2048 here instead of 4096 [I]); `POST /v1/submissions` announces
attachments, `PUT …/attachments/{aid}` takes them as JWE, `PUT /v1/submissions/{id}` takes
encrypted metadata and data, decrypts, checks the sha512 hashes and files the case
(sandbox/submission_intake.py). `DELETE /v1/submissions/{id}` drops an incomplete one [I].
Form schemas are served at `/schemas/{leikaKey}.schema.json` (schema.fitko.de stands-in [I]).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import BearerCheck, json_response, problem
from sandbox.callbacks import CallbackSender
from sandbox.case_store import CaseStore
from sandbox.citizens import Citizen
from sandbox.form_schemas import REPLY_SCHEMA, form_schema
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.submission import submission_document
from sandbox.routing import destination_id
from sandbox.submission_intake import (
    Intake,
    IntakeError,
    Submission,
    check_metadata,
    decrypt,
)

LEIKA_URN = "urn:de:fim:leika:leistung:"


class Destination:
    def __init__(self, portal_id: str, services: Mapping[str, str]) -> None:
        self.id = destination_id(portal_id)
        self.kid = f"destination-{portal_id}-rsa-oaep-256"
        self.services = services  # LeiKa key -> service name
        self._key: RSAKey | None = None

    @property
    def key(self) -> RSAKey:
        if self._key is None:
            self._key = RSAKey.generate_key(
                2048, parameters={"kid": self.kid, "alg": "RSA-OAEP-256"}
            )
        return self._key

    def public_jwk(self) -> dict[str, Any]:
        public = dict(self.key.as_dict(private=False))
        return public | {
            "kid": self.kid,
            "alg": "RSA-OAEP-256",
            "use": "enc",
            "key_ops": ["wrapKey"],
        }

    def as_json(self, base: str) -> dict[str, Any]:
        return {
            "destinationId": self.id,
            "status": "active",
            "encryptionKid": self.kid,
            "metadataVersions": ["2.1.0"],
            "replyChannels": {"fink": {}},
            "services": [
                {
                    "identifier": LEIKA_URN + key,
                    "regions": [],
                    "submissionSchemas": [
                        {
                            "schemaUri": f"{base}/schemas/{key}.schema.json",
                            "mimeType": "application/json",
                        }
                    ],
                }
                for key in sorted(self.services)
            ],
        }


def create_submission_app(  # noqa: PLR0915 - one closure per endpoint over shared state
    *,
    portal_id: str,
    audience: str,
    issuer: Callable[[], str],
    jwks: Callable[[], KeySet],
    services: Mapping[str, str],
    cases: CaseStore,
    citizens: Iterable[Citizen],
    callbacks: CallbackSender | None = None,
) -> Starlette:
    """The Submission API of `portal_id`'s destination; `services` maps LeiKa key → name."""
    destination = Destination(portal_id, services)
    intake = Intake(portal_id, cases, citizens)
    submissions: dict[str, Submission] = {}
    check = BearerCheck(issuer=issuer, jwks=jwks, audience=audience)

    def own(request: Request) -> Submission | Response:
        claims = check(request)
        if isinstance(claims, JSONResponse):
            return claims
        found = submissions.get(request.path_params["submissionId"])
        return found or problem(404, "Not Found", "submission not found")

    async def get_destination(request: Request) -> Response:
        if request.path_params["destinationId"] != destination.id:
            return problem(404, "Not Found", "destination not found")
        body = destination.as_json(str(request.base_url).rstrip("/"))
        return JSONResponse(body, headers={"Cache-Control": "no-cache"})

    async def get_key(request: Request) -> Response:
        wrong = request.path_params["destinationId"] != destination.id
        if wrong or request.path_params["keyId"] != destination.kid:
            return problem(404, "Not Found", "key not found")
        return JSONResponse(destination.public_jwk())

    async def get_schema(request: Request) -> Response:
        key = request.path_params["leikaKey"]
        if key == "reply":
            return JSONResponse(REPLY_SCHEMA)
        if key not in services:
            return problem(404, "Not Found", "no schema for this service")
        return JSONResponse(form_schema(key, services[key]))

    async def create(request: Request) -> Response:
        claims = check(request)
        if isinstance(claims, JSONResponse):
            return claims
        try:
            body: Any = await request.json()
            target = str(body["destinationId"])
            announced = tuple(str(uuid.UUID(str(a))) for a in body.get("announcedAttachments", []))
            identifier = str(body["serviceType"]["identifier"])
        except (ValueError, KeyError, TypeError):
            return problem(400, "Bad Request", "destinationId, serviceType.identifier required")
        if target != destination.id:
            return problem(404, "Not Found", "destination not found")
        leika = identifier.removeprefix(LEIKA_URN)
        reply_to = None
        if body.get("caseId") is not None:
            reply_to = cases.case(str(body["caseId"]))
            if reply_to is None or reply_to.portal_id != portal_id:
                return problem(404, "Not Found", "case not found")
        elif leika not in services:
            return problem(
                422, "Unprocessable Entity", "the destination does not offer this service"
            )
        submission = Submission(
            submission_id=str(uuid.uuid4()),
            destination_id=destination.id,
            case_id=reply_to.case_id if reply_to else str(uuid.uuid4()),
            leika_key=leika,
            service_name=reply_to.service_name if reply_to else services[leika],
            announced=announced,
            reply_to=reply_to,
        )
        submissions[submission.submission_id] = submission
        return json_response(submission.reduced(), 201)

    async def upload(request: Request) -> Response:
        found = own(request)
        if isinstance(found, Response):
            return found
        attachment_id = request.path_params["attachmentId"]
        if attachment_id not in found.announced:
            return problem(404, "Not Found", "attachment was not announced")
        if found.submitted:
            return problem(409, "Conflict", "submission already submitted")
        if not request.headers.get("content-type", "").startswith("application/jose"):
            return problem(415, "Unsupported Media Type", "send the attachment as application/jose")
        try:
            plain = decrypt((await request.body()).decode("ascii"), destination.key)
        except (IntakeError, UnicodeError) as exc:
            return problem(400, "Bad Request", str(exc))
        found.uploaded[attachment_id] = hashlib.sha512(plain).hexdigest()
        return Response(status_code=204)

    async def submit(request: Request) -> Response:
        found = own(request)
        if isinstance(found, Response):
            return found
        if found.submitted:
            return problem(409, "Conflict", "submission already submitted")
        try:
            body: Any = await request.json()
            metadata = json.loads(decrypt(str(body["encryptedMetadata"]), destination.key))
            raw = body.get("encryptedData")
            data = decrypt(str(raw), destination.key) if raw is not None else None
            intake_check(found, metadata, data)
        except (ValueError, KeyError, TypeError) as exc:
            return problem(422, "Unprocessable Entity", str(exc))
        found.submitted = True
        app = intake.file(found, metadata, data)
        if callbacks is not None and app is not None:
            callbacks.new_events(portal_id, destination.id, app)
        return json_response(found.reduced(), 202)

    async def delete(request: Request) -> Response:
        found = own(request)
        if isinstance(found, Response):
            return found
        if found.submitted:
            return problem(409, "Conflict", "a submitted submission cannot be deleted")
        del submissions[found.submission_id]
        return Response(status_code=204)

    async def submission(request: Request) -> Response:
        # One route for both methods, so a 405 names both in its Allow header.
        return await (submit if request.method == "PUT" else delete)(request)

    upstream = [
        Route("/v1/destinations/{destinationId}", get_destination),
        Route("/v1/destinations/{destinationId}/keys/{keyId}", get_key),
        Route("/schemas/{leikaKey}.schema.json", get_schema),
        Route("/v1/submissions", create, methods=["POST"]),
        Route("/v1/submissions/{submissionId}", submission, methods=["PUT", "DELETE"]),
        Route("/v1/submissions/{submissionId}/attachments/{attachmentId}", upload, methods=["PUT"]),
    ]
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    app = with_openapi(submission_document, counted)
    app.state.destination = destination
    app.state.submissions = submissions
    return app


def intake_check(submission: Submission, metadata: Any, data: bytes | None) -> None:
    if not isinstance(metadata, dict):
        raise IntakeError("metadata must be an object")
    check_metadata(submission, metadata, data)
