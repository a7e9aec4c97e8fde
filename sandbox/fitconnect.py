"""A portal's FIT-Connect Submission API, as far as status goes: the case event log (SETs).

Who signs a Security Event Token follows FIT-Connect (SET payload schema, docs.fitko.de
event-log/set-creation): the Zustelldienst signs the events it writes (create, submit,
notify, delete) with its key from `/.well-known/jwks.json` and `iss` = its base URL; the
destination signs the events the receiving authority writes (forward, accept, reject) with
its own signing key, served at `/v1/destinations/{id}/keys/{kid}`, and `iss` = the
destination UUID — written upper case in reject events, as the spec's own example writes
UUIDs, so clients must compare case-insensitively. All keys are RSA 4096 with `x5c`
(sandbox.pki). The log pages with `limit` (≤ 500) and `offset`. Callers need a
client-credentials token for the upstream's audience. Sandbox helpers (routed before the
stats wrapper, so uncounted): PUT/DELETE /_sandbox/tamper breaks the newest SET of chosen
cases, POST /_sandbox/cases/{caseId}/advance appends the next event and ZBP status update.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

from joserfc import jws
from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import pki
from sandbox.auth import BearerCheck, json_response, page, paging, problem
from sandbox.callbacks import CallbackSender
from sandbox.case_model import Application, Event
from sandbox.case_store import CaseConflictError, CaseStore
from sandbox.destination import Destination
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.status import status_document

SET_SCHEMA = "https://schema.fitko.de/fit-connect/set-payload/1.2.2/set-payload.schema.json"
AUTHORITY_EVENTS = ("forward", "accept", "reject")  # written by the receiving authority
ZUSTELLDIENST = "zustelldienst"  # one FIT-Connect: every portal's status upstream shares its key
ZUSTELLDIENST_KID = "6f1f4c4a-2b6e-4d55-9a3b-5e1b7d0c9a11"


def zustelldienst_key() -> pki.KeyPair:
    return pki.key_pair(ZUSTELLDIENST, kid=ZUSTELLDIENST_KID, alg="PS512")


class EventLog:
    """Signs one portal's SETs (cached: a SET once issued never changes) and tampers on request."""

    def __init__(self, destination: Destination) -> None:
        self.destination = destination
        self._cache: dict[tuple[str, str], str] = {}
        self.tampered: set[str] = set()

    def token(self, app: Application, event: Event, zustelldienst: str) -> str:
        cached = self._cache.get((event.jti, zustelldienst))
        if cached is None:
            by_authority = event.name in AUTHORITY_EVENTS
            if by_authority:
                key = self.destination.signing
                issuer = (
                    self.destination.id.upper() if event.name == "reject" else self.destination.id
                )
            else:
                key, issuer = zustelldienst_key(), zustelldienst
            claims = {
                "$schema": SET_SCHEMA,
                "jti": event.jti,
                "iss": issuer,
                "iat": event.at,
                "sub": (
                    f"reply:{event.reply_id}"
                    if event.reply_id
                    else f"submission:{app.submission_id}"
                ),
                "txn": f"case:{app.case_id}",
                "events": {event.uri: event.payload()},
            }
            header = {"typ": "secevent+jwt", "alg": "PS512", "kid": key.private.kid}
            payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
            cached = jws.serialize_compact(header, payload, key.private, algorithms=["PS512"])
            self._cache[(event.jti, zustelldienst)] = cached
        return cached

    def tokens(self, app: Application, zustelldienst: str) -> list[str]:
        log = [self.token(app, event, zustelldienst) for event in app.events]
        if app.case_id in self.tampered and log:
            log[-1] = broken(log[-1])
        return log


def broken(token: str) -> str:
    """The same SET with flipped signature bytes: well-formed, but it no longer verifies."""
    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    for index in (0, len(raw) // 2, len(raw) - 1):
        raw[index] ^= 0xFF
    return f"{head}.{payload}.{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


def create_status_app(  # noqa: PLR0915 - one closure per endpoint over shared state
    *,
    portal_id: str,
    audience: str,
    issuer: Callable[[], str],
    jwks: Callable[[], KeySet],
    cases: CaseStore,
    callbacks: CallbackSender | None = None,
    destination: Destination | None = None,
) -> Starlette:
    """The status (FIT-Connect) upstream of `portal_id`; `issuer`/`jwks` are the IdP's.

    A `destination` given is the caller's to warm (`Destination.warm`)."""
    if destination is None:
        destination = Destination(portal_id)
        destination.warm()
    pki.prepare(ZUSTELLDIENST, kid=ZUSTELLDIENST_KID, alg="PS512")
    log = EventLog(destination)
    check = BearerCheck(issuer=issuer, jwks=jwks, audience=audience)

    def own_case(case_id: str) -> Application | None:
        app = cases.case(case_id)
        return app if app is not None and app.portal_id == portal_id else None

    async def events(request: Request) -> Response:
        claims = check(request)
        if isinstance(claims, JSONResponse):
            return claims
        paged = paging(request)
        if isinstance(paged, JSONResponse):
            return paged
        app = own_case(request.path_params["caseId"])
        if app is None:
            return problem(404, "Not Found", "case not found")
        base = str(request.base_url).rstrip("/")
        # The first SETs of a process wait for key generation: off the event loop.
        tokens = await asyncio.to_thread(log.tokens, app, base)
        return json_response(page(tokens, *paged, key="eventLog"))

    async def keys(request: Request) -> Response:
        jwk = await asyncio.to_thread(lambda: zustelldienst_key().public)
        return JSONResponse({"keys": [jwk]}, headers={"Cache-Control": "public, max-age=300"})

    async def destination_key(request: Request) -> Response:
        params = request.path_params
        if params["destinationId"].lower() != destination.id:
            return problem(404, "Not Found", "destination not found")
        jwk = await asyncio.to_thread(destination.public_key, params["keyId"])
        if jwk is None:
            return problem(404, "Not Found", "key not found")
        return JSONResponse(jwk, headers={"Cache-Control": "no-cache"})

    async def tamper(request: Request) -> Response:
        if request.method == "DELETE":
            log.tampered.clear()
            return JSONResponse({"caseIds": []})
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        ids = body.get("caseIds") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return problem(400, "Bad Request", 'body must be {"caseIds": ["<uuid>", ...]}')
        log.tampered = set(ids)
        return JSONResponse({"caseIds": sorted(log.tampered)})

    async def advance(request: Request) -> Response:
        app = own_case(request.path_params["caseId"])
        if app is None:
            return problem(404, "Not Found", "case not found")
        try:
            event, status = cases.advance(app, request.query_params.get("outcome"))
        except CaseConflictError as exc:
            return problem(409, "Conflict", str(exc))
        if callbacks is not None and event is not None:
            callbacks.new_events(portal_id, destination.id, app)
        body = {"caseId": app.case_id, "applicationId": app.application_id, "event": event}
        return JSONResponse({**body, "status": status})

    async def new_application(request: Request) -> Response:
        try:
            body: Any = await request.json()
            login = str(body["login"])
        except (ValueError, KeyError, TypeError):
            return problem(400, "Bad Request", 'body must be {"login": "..."}')
        app = cases.new_application(
            login,
            portal_id,
            str(body.get("leikaKey", "99050012104000")),
            str(body.get("serviceName", "Meldebescheinigung beantragen")),
        )
        if app is None:
            return problem(404, "Not Found", "no such demo citizen")
        return JSONResponse({"applicationId": app.application_id, "caseId": app.case_id}, 201)

    async def advance_application(request: Request) -> Response:
        found = cases.application(request.path_params["applicationId"])
        if found is None or found.portal_id != portal_id:
            return problem(404, "Not Found", "application not found")
        request.path_params["caseId"] = found.case_id
        return await advance(request)

    upstream = [
        Route("/v1/cases/{caseId}/events", events),
        Route("/v1/destinations/{destinationId}/keys/{keyId}", destination_key),
        Route("/.well-known/jwks.json", keys),
    ]
    helpers = [
        Route("/_sandbox/tamper", tamper, methods=["PUT", "DELETE"]),
        Route("/_sandbox/cases/{caseId}/advance", advance, methods=["POST"]),
        Route("/_sandbox/applications", new_application, methods=["POST"]),
        Route(
            "/_sandbox/applications/{applicationId}/advance", advance_application, methods=["POST"]
        ),
    ]
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    app = with_openapi(status_document, counted, helpers)
    app.state.event_log = log
    app.state.destination = destination
    return app
