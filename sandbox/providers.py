"""The payment providers of the topology sandbox: XBezahldienste 1.0.0 with tenants, three auth methods.

Like the real landscape, the providers differ in how a client authenticates, not in the
API (invented names and tenants, see docs/sandbox.md):
- `epaybl` (ePayBL-style Konnektor): mutual TLS — the server requires a client certificate
  signed by the sandbox's test CA (`sandbox.tls`); no token;
- `epay21`: HTTP Basic;
- `giro` (GiroCheckout-style): OAuth2 client credentials at the provider's own token
  endpoint `POST /oauth/token`, `client_secret_post`, scope `post`.
Each holds the transactions of all its tenants (`/paymenttransaction/{originatorId}/{endPointId}`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.routing import Mount

from sandbox.case_model import Transaction
from sandbox.case_store import CaseStore
from sandbox.gates import Check, basic_check, tls_checked
from sandbox.idp_keys import KeyRing
from sandbox.oauth_server import TokenEndpoint
from sandbox.payments import create_payments_app


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    kind: str  # sources.base.topology.PaymentKind value
    auth: str  # "mtls" | "basic" | "oauth2"


PROVIDERS = (
    Provider("epaybl", "ePayBL NRW (Sandbox-Konnektor)", "epaybl", "mtls"),
    Provider("epay21", "epay21 (Sandbox)", "epay21", "basic"),
    Provider("giro", "GiroCheckout (Sandbox)", "girocheckout", "oauth2"),
)
BASIC_USER = "portalgraph"
GIRO_CLIENT_ID = "portalgraph-giro"
GIRO_SCOPES = frozenset({"post"})


def provider_audience(provider_id: str) -> str:
    return f"urn:portalgraph:xbezahldienste:{provider_id}"


def _any_tenant(tx: Transaction) -> bool:
    """A provider reads any of its tenants' transactions; the path ids must still match."""
    return True


def _no_keys() -> KeySet:  # pragma: no cover - a provider with its own check never asks
    return KeySet([])


def create_provider_app(
    provider: Provider,
    *,
    cases: CaseStore,
    secret: str,
    url: Callable[[], str],
    keys: KeyRing | None = None,
) -> Starlette:
    """The provider's server app; `secret` is its Basic password or OAuth client secret."""
    token: TokenEndpoint | None = None
    check: Check
    if provider.auth == "oauth2":
        token = TokenEndpoint(
            issuer=url,
            audience=provider_audience(provider.id),
            clients={GIRO_CLIENT_ID: (secret, GIRO_SCOPES)},
            path="/oauth/token",
            keys=keys,
        )
        check = token.check
    elif provider.auth == "basic":
        check = basic_check(BASIC_USER, secret)
    else:
        check = tls_checked
    payments = create_payments_app(
        portal_id=provider.id,
        audience=provider_audience(provider.id),
        issuer=url,
        jwks=_no_keys,
        cases=cases,
        check=check,
        owns=_any_tenant,
    )
    routes = [*(token.routes() if token else ()), Mount("", app=payments)]
    return Starlette(routes=routes)
