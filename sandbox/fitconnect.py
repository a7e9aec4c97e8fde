"""A portal's FIT-Connect Submission API, as far as status goes: the case event log (SETs).

Every Security Event Token is signed by this Zustelldienst with its own PS512 key
(RSA 2048 here, not the 4096 bits the spec demands: key generation stays fast) and
published under /.well-known/jwks.json. Callers need a client-credentials token for the
upstream's audience. Sandbox helpers (routed before the stats wrapper, so uncounted):
PUT/DELETE /_sandbox/tamper breaks the newest SET of chosen cases, and
POST /_sandbox/cases/{caseId}/advance appends the next event and ZBP status update.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from joserfc import jws
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import BearerCheck, json_response, page, paging, problem
from sandbox.callbacks import CallbackSender
from sandbox.case_model import Application, Event
from sandbox.case_store import CaseConflictError, CaseStore
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.status import status_document

SET_SCHEMA = "https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json"
KEY_BITS = 2048


class Zustelldienst:
    """Signing key and SET cache of one portal's submission service."""

    def __init__(self, portal_id: str) -> None:
        self.kid = f"zustelldienst-{portal_id}-ps512"
        self._key: RSAKey | None = None
        self._cache: dict[tuple[str, str], str] = {}
        self.tampered: set[str] = set()

    @property
    def key(self) -> RSAKey:
        # Generated on first use: a sandbox start that never reads a SET pays nothing.
        if self._key is None:
            self._key = RSAKey.generate_key(KEY_BITS, parameters={"kid": self.kid, "alg": "PS512"})
        return self._key

    def jwks(self) -> dict[str, Any]:
        public = dict(self.key.as_dict(private=False))
        public |= {"kid": self.kid, "alg": "PS512", "use": "sig", "key_ops": ["verify"]}
        return {"keys": [public]}

    def token(self, app: Application, event: Event, issuer: str) -> str:
        cached = self._cache.get((event.jti, issuer))
        if cached is None:
            claims = {
                "$schema": SET_SCHEMA,
                "jti": event.jti,
                "iss": issuer,
                "iat": event.at,
                "sub": f"submission:{app.submission_id}",
                "txn": f"case:{app.case_id}",
                "events": {event.uri: event.payload()},
            }
            header = {"typ": "secevent+jwt", "alg": "PS512", "kid": self.kid}
            payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
            cached = jws.serialize_compact(header, payload, self.key, algorithms=["PS512"])
            self._cache[(event.jti, issuer)] = cached
        return cached


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
) -> Starlette:
    """The status (FIT-Connect) upstream of `portal_id`; `issuer`/`jwks` are the IdP's."""
    service = Zustelldienst(portal_id)
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
        log = [service.token(app, event, base) for event in app.events]
        if app.case_id in service.tampered and log:
            log[-1] = broken(log[-1])
        return json_response(page(log, *paged, key="eventLog"))

    async def keys(request: Request) -> Response:
        return JSONResponse(service.jwks(), headers={"Cache-Control": "public, max-age=300"})

    async def tamper(request: Request) -> Response:
        if request.method == "DELETE":
            service.tampered.clear()
            return JSONResponse({"caseIds": []})
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        ids = body.get("caseIds") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return problem(400, "Bad Request", 'body must be {"caseIds": ["<uuid>", ...]}')
        service.tampered = set(ids)
        return JSONResponse({"caseIds": sorted(service.tampered)})

    async def advance(request: Request) -> Response:
        app = own_case(request.path_params["caseId"])
        if app is None:
            return problem(404, "Not Found", "case not found")
        try:
            event, status = cases.advance(app)
        except CaseConflictError as exc:
            return problem(409, "Conflict", str(exc))
        if callbacks is not None and event is not None:
            callbacks.new_events(portal_id, f"destination-{portal_id}", app)
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
    return with_openapi(status_document, counted, helpers)
