"""A portal's FIT-Connect Submission API, sender side (Submission API 1.1.3, §3.2, §3.4).

`GET /v1/destinations/{id}` and `/keys/{kid}` publish the destination and its keys (RSA 4096
with `x5c`, sandbox.pki); `POST /v1/submissions` announces attachments and may carry a
per-submission `callback {url, secret}` (https, or http on loopback [I]); `PUT
…/attachments/{aid}` takes them as JWE, `PUT /v1/submissions/{id}` takes encrypted metadata
and data, decrypts, checks the sha512 hashes and files the case (sandbox/submission_intake.py).
Every JWE must name the destination's key (`kid`) and its content type (`cty`). There is no
DELETE: it is not in 1.1.3, an incomplete submission simply stays incomplete [I: the real one
expires]. Form schemas are served at `/schemas/{leikaKey}.schema.json` (schema.fitko.de
stand-ins [I]).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import BearerCheck, json_response, mounted_base, problem
from sandbox.callbacks import CallbackSender
from sandbox.case_store import CaseStore
from sandbox.citizens import Citizen
from sandbox.destination import Destination
from sandbox.destination_document import LEIKA_URN, destination_json
from sandbox.form_schemas import REPLY_SCHEMA, form_schema
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.submission import submission_document
from sandbox.submission_intake import (
    Intake,
    IntakeError,
    Submission,
    check_metadata,
    decrypt,
)

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def callback_of(body: Any) -> tuple[str, str] | None:
    """`callback {url, secret}` of a CreateSubmission; ValueError if it breaks the spec."""
    callback = body.get("callback")
    if callback is None:
        return None
    url, secret = callback.get("url"), callback.get("secret")
    if not isinstance(url, str) or not isinstance(secret, str):
        raise ValueError("callback needs url and secret")
    parts = urlsplit(url)
    if not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)):
        raise ValueError("callback.url must be an https URL")
    if not 32 <= len(secret) <= 512:
        raise ValueError("callback.secret must have 32 to 512 characters")
    return url, secret


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
    destination: Destination | None = None,
) -> Starlette:
    """The Submission API of `portal_id`'s destination; `services` maps LeiKa key → name.

    A `destination` given is the caller's to warm (`Destination.warm`)."""
    if destination is None:
        destination = Destination(portal_id)
        destination.warm()
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
        if request.path_params["destinationId"].lower() != destination.id:
            return problem(404, "Not Found", "destination not found")
        body = destination_json(destination, services, mounted_base(request))
        return JSONResponse(body, headers={"Cache-Control": "no-cache"})

    async def get_key(request: Request) -> Response:
        jwk = None
        if request.path_params["destinationId"].lower() == destination.id:
            jwk = await asyncio.to_thread(destination.public_key, request.path_params["keyId"])
        if jwk is None:
            return problem(404, "Not Found", "key not found")
        return JSONResponse(jwk, headers={"Cache-Control": "no-cache"})

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
            callback = callback_of(body)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            detail = str(exc) if isinstance(exc, ValueError) and "callback" in str(exc) else ""
            return problem(
                400, "Bad Request", detail or "destinationId, serviceType.identifier required"
            )
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
            callback=callback,
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
        key = (await asyncio.to_thread(lambda: destination.encryption)).private
        try:
            plain = decrypt((await request.body()).decode("ascii"), key)
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
        key = (await asyncio.to_thread(lambda: destination.encryption)).private
        try:
            body: Any = await request.json()
            metadata = json.loads(decrypt(str(body["encryptedMetadata"]), key))
            raw = body.get("encryptedData")
            data = decrypt(str(raw), key) if raw is not None else None
            intake_check(found, metadata, data)
        except (ValueError, KeyError, TypeError) as exc:
            return problem(422, "Unprocessable Entity", str(exc))
        found.submitted = True
        app = intake.file(found, metadata, data)
        if callbacks is not None and app is not None:
            callbacks.new_events(portal_id, destination.id, app)
        return json_response(found.reduced(), 202)

    upstream = [
        Route("/v1/destinations/{destinationId}", get_destination),
        Route("/v1/destinations/{destinationId}/keys/{keyId}", get_key),
        Route("/schemas/{leikaKey}.schema.json", get_schema),
        Route("/v1/submissions", create, methods=["POST"]),
        Route("/v1/submissions/{submissionId}", submit, methods=["PUT"]),
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
