"""A portal's payment provider speaking XBezahldienste 1.0.0 (portalverbund.md §4).

Service-to-service: a client-credentials token for this upstream's audience is required.
POST a PaymentRequest (items may carry `bookingData`, string to string; a `requestor` is
checked for its published shape; amounts are euros with at most two decimals), GET a
transaction by id, GET `/status/{originatorId}/{endPointId}` for the tenant's health. There
is no look-up by requestId, as in the spec. The pay page lives in `sandbox.paypage`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import BearerCheck, json_response, problem
from sandbox.case_model import Transaction
from sandbox.case_store import CaseStore
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.payments import payments_document
from sandbox.paypage import paypage_routes

ID_PATTERN = re.compile(r"^[\w\d-]{1,36}$", re.ASCII)
PURPOSE_PATTERN = re.compile(r"^[\w\d\s-]{1,27}$")
MAX_AMOUNT = Decimal(999_999)


class InvalidRequestError(ValueError):
    def __init__(self, detail: str, code: str = "VALIDATION_ERROR") -> None:
        super().__init__(detail)
        self.code = code


def _amount(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidRequestError(f"{name} must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidRequestError(f"{name} must be a number") from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise InvalidRequestError(f"{name} must be between 0 and 999999")
    return amount


def _text(body: dict[str, Any], name: str, limit: int, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidRequestError(f"{name} must be a string of 1..{limit} characters")
    return value


def _cents_only(amount: Decimal, name: str) -> Decimal:
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidRequestError(f"{name} must be a euro amount with at most two decimals")
    return amount


def _strings(value: Any, name: str) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidRequestError(f"{name} must map strings to strings")


def validate_requestor(requestor: Any) -> None:
    """The payer: name, firstName, gender M|F|D, isOrganization, organizationName, address."""
    if not isinstance(requestor, dict):
        raise InvalidRequestError("requestor must be an object")
    for key in ("name", "firstName", "organizationName"):
        if requestor.get(key) is not None:
            _text(requestor, key, 250)
    if requestor.get("gender") not in (None, "M", "F", "D"):
        raise InvalidRequestError("requestor.gender must be M, F or D")
    if not isinstance(requestor.get("isOrganization", False), bool):
        raise InvalidRequestError("requestor.isOrganization must be a boolean")
    address = requestor.get("address")
    if address is not None:
        if not isinstance(address, dict):
            raise InvalidRequestError("requestor.address must be an object")
        if not re.fullmatch(r"[A-Z]{2}", str(address.get("country", "DE"))):
            raise InvalidRequestError("requestor.address.country must be ISO 3166-1 alpha-2")


def _validate_items(items: Any) -> Decimal:
    """The items' checks; their total (net + tax), which grosAmount must equal."""
    if not isinstance(items, list) or not 1 <= len(items) <= 99:
        raise InvalidRequestError("items must hold 1..99 entries")
    total = Decimal(0)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidRequestError(f"items[{index}] must be an object")
        for key in ("totalNetAmount", "totalTaxAmount", "singleNetAmount", "singleTaxAmount"):
            if key in item or key == "totalNetAmount":
                amount = _amount(item.get(key), f"items[{index}].{key}")
                if key.startswith("total"):
                    total += _cents_only(amount, f"items[{index}].{key}")
        if item.get("bookingData") is not None:
            _strings(item["bookingData"], f"items[{index}].bookingData")
    return total


def validate(body: Any) -> None:
    """Raise InvalidRequestError for a PaymentRequest that breaks the §4.2 constraints."""
    if not isinstance(body, dict):
        raise InvalidRequestError("the body must be a PaymentRequest object")
    request_id = _text(body, "requestId", 36)
    if not ID_PATTERN.match(request_id or ""):
        raise InvalidRequestError("requestId must match ^[\\w\\d-]+$")
    _text(body, "requestTimestamp", 64)
    if body.get("currency") != "EUR":
        raise InvalidRequestError("currency must be EUR")
    if not PURPOSE_PATTERN.match(_text(body, "purpose", 27) or ""):
        raise InvalidRequestError("purpose must match ^[\\w\\d\\s-]+$ (at most 27 characters)")
    _text(body, "description", 250, required=False)
    redirect = _text(body, "redirectUrl", 2082) or ""
    if not redirect.startswith(("http://", "https://")):
        raise InvalidRequestError("redirectUrl must be an http(s) URL")
    total = _validate_items(body.get("items"))
    gross = _cents_only(_amount(body.get("grosAmount"), "grosAmount"), "grosAmount")
    if body.get("requestor") is not None:
        validate_requestor(body["requestor"])
    if gross.quantize(Decimal("0.01")) != total.quantize(Decimal("0.01")):
        raise InvalidRequestError(
            f"grosAmount {gross} is not the sum of the items ({total})", "CALCULATION_ERROR"
        )


def transaction_json(tx: Transaction, base: str) -> dict[str, Any]:
    """PaymentTransaction; members without a value are left out (the redirect URL, e.g., "should
    not be contained" once the transaction is settled: Gover's XBezahldienstePaymentInformation)."""
    path = f"paymenttransaction/{tx.originator_id}/{tx.end_point_id}/{tx.transaction_id}"
    information = {
        "transactionUrl": f"{base}/{path}",
        "transactionRedirectUrl": (
            f"{base}/paypage/{tx.transaction_id}" if tx.status == "INITIAL" else None
        ),
        "transactionId": tx.transaction_id,
        "transactionReference": tx.reference,
        "transactionTimestamp": tx.timestamp,
        "paymentMethod": tx.method,
        "paymentMethodDetail": tx.method_detail,
        "status": tx.status,
        "statusDetail": tx.status_detail,
    }
    return {
        "paymentRequest": tx.request,
        "paymentInformation": {k: v for k, v in information.items() if v is not None},
    }


def failure(status: int, detail: str, code: str) -> JSONResponse:
    titles = {400: "Bad Request", 404: "Not Found", 409: "Conflict"}
    return problem(status, titles.get(status, "Error"), detail, functionalCode=code)


def create_payments_app(
    *,
    portal_id: str,
    audience: str,
    issuer: Callable[[], str],
    jwks: Callable[[], KeySet],
    cases: CaseStore,
    check: Callable[[Request], dict[str, Any] | JSONResponse] | None = None,
    owns: Callable[[Transaction], bool] | None = None,
) -> Starlette:
    """The XBezahldienste upstream of `portal_id`, sharing transactions with the case store.

    `check` replaces the bearer check (a provider on HTTP Basic or mutual TLS); `owns`
    says which transactions it may read (default: those created at `portal_id`).
    """
    authorize = check or BearerCheck(issuer=issuer, jwks=jwks, audience=audience)
    readable = owns or (lambda tx: tx.portal_id == portal_id)

    def path_ids(request: Request) -> tuple[str, str] | JSONResponse:
        claims = authorize(request)
        if isinstance(claims, JSONResponse):
            return claims
        ids = (request.path_params["originatorId"], request.path_params["endPointId"])
        if not all(ID_PATTERN.match(i) for i in ids):
            return failure(400, "path ids must match ^[\\w\\d-]+$ (<= 36)", "VALIDATION_ERROR")
        return ids

    async def create(request: Request) -> Response:
        ids = path_ids(request)
        if isinstance(ids, JSONResponse):
            return ids
        try:
            body: Any = await request.json()
            validate(body)
        except InvalidRequestError as exc:
            return failure(400, str(exc), exc.code)
        except ValueError:
            return failure(400, "the body is not valid JSON", "VALIDATION_ERROR")
        key = (portal_id, *ids, body["requestId"])
        if cases.by_request_id(key) is not None:
            return failure(409, "a payment with this requestId exists", "PAYMENT_EXISTS")
        tx = Transaction(portal_id, *ids, cases.new_transaction_id(), body)
        cases.add_transaction(tx)
        return json_response(transaction_json(tx, str(request.base_url).rstrip("/")))

    async def status(request: Request) -> Response:
        ids = path_ids(request)
        if isinstance(ids, JSONResponse):
            return ids
        detail = "Der Bezahldienst ist für diesen Mandanten verfügbar."
        body = {"type": "about:blank", "status": 200, "title": "OK", "detail": detail}
        return JSONResponse(body, media_type="application/problem+json")

    async def read(request: Request) -> Response:
        ids = path_ids(request)
        if isinstance(ids, JSONResponse):
            return ids
        tx = cases.transaction(request.path_params["transactionId"])
        if tx is None or not readable(tx) or (tx.originator_id, tx.end_point_id) != ids:
            return failure(404, "unknown transaction", "UNSPECIFIED")
        return json_response(transaction_json(tx, str(request.base_url).rstrip("/")))

    upstream = [
        Route("/paymenttransaction/{originatorId}/{endPointId}", create, methods=["POST"]),
        Route("/paymenttransaction/{originatorId}/{endPointId}/{transactionId}", read),
        Route("/status/{originatorId}/{endPointId}", status),
        *paypage_routes(portal_id, cases),
    ]
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    return with_openapi(payments_document, counted)
