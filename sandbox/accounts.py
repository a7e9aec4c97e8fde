"""A portal's account area ("Mein Konto"): the bearer's account and applications.

Like a real upstream it accepts only IdP tokens minted for its own audience, so a
token meant for another portal (or the gateway's sign-in token) is refused with 401,
and it serves only the token subject's data. Nothing here logs tokens or personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import BearerCheck, json_response, page, paging, problem
from sandbox.case_model import Cases, PaymentLink
from sandbox.case_store import CaseStore
from sandbox.citizens import Citizen
from sandbox.instrument import Instrumented
from sandbox.openapi.accounts import accounts_document
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi

SERVICES = ("applications", "payments", "inbox")
LINK_FIELDS = ("originatorId", "endPointId", "requestId")


def create_accounts_app(
    *,
    portal_id: str,
    audience: str,
    issuer: Callable[[], str],
    jwks: Callable[[], KeySet],
    citizens: Mapping[str, Citizen],
    cases: CaseStore | None = None,
    seed: int = 2026,
) -> Starlette:
    """The account area of `portal_id`; `citizens` is `citizen_index(...)` (keyed by subject).

    `cases` is the network's shared store; without one the area gets a private store.
    """
    store = cases or CaseStore({c.subject: c for c in citizens.values()}.values(), seed)
    check = BearerCheck(issuer=issuer, jwks=jwks, audience=audience)

    def account(request: Request) -> tuple[Citizen, Cases] | JSONResponse:
        claims = check(request)
        if isinstance(claims, JSONResponse):
            return claims
        citizen = citizens.get(str(claims["sub"]))
        if citizen is None or citizen.subject != claims["sub"] or not citizen.account_at(portal_id):
            return problem(404, "Not Found", f"no account at portal {portal_id}")
        mine = store.cases(citizen.subject)
        assert mine is not None  # every indexed citizen has cases
        return citizen, mine

    async def me(request: Request) -> Response:
        found = account(request)
        if isinstance(found, JSONResponse):
            return found
        citizen, _ = found
        own = citizen.account_at(portal_id)
        assert own is not None
        return json_response(
            {
                "accountId": own.account_id,
                "portalId": portal_id,
                "createdAt": own.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "services": list(SERVICES),
                "displayName": citizen.display_name,
            }
        )

    async def applications(request: Request) -> Response:
        found = account(request)
        if isinstance(found, JSONResponse):
            return found
        paged = paging(request)
        if isinstance(paged, JSONResponse):
            return paged
        apps = [app.as_json() for app in found[1].applications.get(portal_id, [])]
        return json_response(page(apps, *paged, key="applications"))

    async def link_payment(request: Request) -> Response:
        found = account(request)
        if isinstance(found, JSONResponse):
            return found
        app_id = request.path_params["applicationId"]
        app = next(
            (a for a in found[1].applications[portal_id] if a.application_id == app_id), None
        )
        if app is None:
            return problem(404, "Not Found", "no such application in this account")
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not all(
            isinstance(body.get(f), str) and body[f] for f in LINK_FIELDS
        ):
            return problem(400, "Bad Request", f"body needs string fields {', '.join(LINK_FIELDS)}")
        link = PaymentLink(
            request.path_params["transactionId"],
            body["originatorId"],
            body["endPointId"],
            body["requestId"],
        )
        # Idempotent: a repeated PUT replaces the link to the same transaction.
        app.payments[:] = [p for p in app.payments if p.transaction_id != link.transaction_id]
        app.payments.append(link)
        return Response(status_code=204)

    upstream = [
        Route("/v1/me", me),
        Route("/v1/me/applications", applications),
        Route(
            "/v1/me/applications/{applicationId}/payments/{transactionId}",
            link_payment,
            methods=["PUT"],
        ),
    ]
    # The outer Starlette keeps the declared return type (and `.state`) for the runner.
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    return with_openapi(accounts_document, counted)
