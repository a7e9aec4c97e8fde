"""The sandbox network's ASGI apps, one per (portal, capability), in the order their ports
are given (sandbox/runner.py binds them), and the gateway as they know it: its client id
and secret at the IdP, the token audience of each capability, the callback secrets."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp

from sandbox.accounts import create_accounts_app
from sandbox.callbacks import CallbackSender, callback_secret, callback_secret_env
from sandbox.case_store import CaseStore
from sandbox.citizens import citizen_index
from sandbox.citizens_generated import generate_citizens
from sandbox.data import build_network
from sandbox.data_places import PORTALS
from sandbox.fitconnect import create_status_app
from sandbox.idp import create_idp_app
from sandbox.idp_keys import Issuer, KeyRing
from sandbox.inbox import create_inbox_app
from sandbox.payments import create_payments_app
from sandbox.pvog import PvogUpstream
from sandbox.routing import create_routing_app
from sandbox.submission_api import create_submission_app

IDENTITY = ("identity", "idp")
ROUTING = ("routing", "routing")
GATEWAY_AUDIENCE = "portalgraph"
GATEWAY_CLIENT_ID = "portalgraph-gateway"
# A demo secret for a simulated IdP on loopback; the gateway reads it from this variable.
IDP_SECRET_ENV = "PORTALGRAPH_IDP_CLIENT_SECRET"
IDP_SECRET = "sandbox-only-gateway-secret-not-for-production"


def callback_secrets() -> dict[str, str]:
    """Environment variable → FIT-Connect callback secret, per sandbox portal."""
    return {callback_secret_env(p.id): callback_secret(p.id) for p in PORTALS}


def portal_audience(portal_id: str) -> str:
    return f"urn:portalgraph:portal:{portal_id}"


def service_audiences(portal_id: str) -> dict[str, str]:
    """Token audience per capability: citizen-facing ones share the portal's audience."""
    return {
        "accounts": portal_audience(portal_id),
        "inbox": portal_audience(portal_id),
        "status": f"urn:portalgraph:fitconnect:{portal_id}",
        "submissions": f"urn:portalgraph:fitconnect:{portal_id}",
        "payments": f"urn:portalgraph:xbezahldienste:{portal_id}",
    }


def build_apps(
    *,
    seed: int,
    citizen_count: int,
    issuer: Issuer,
    callbacks: CallbackSender,
    submission_hosts: Callable[[str], str | None],
) -> tuple[dict[tuple[str, str], ASGIApp], CaseStore]:
    """The apps and the case store they share; `submission_hosts`: portal id -> the URL
    its Submission API runs at (known once the servers are bound)."""
    apps: dict[tuple[str, str], ASGIApp] = {}
    citizens = generate_citizens(citizen_count, seed)
    index = citizen_index(citizens)
    keys = KeyRing()
    # The IdP comes first: the account areas need its URL as their issuer.
    apps[IDENTITY] = create_idp_app(
        issuer_holder=issuer,
        citizens=citizens,
        clients={GATEWAY_CLIENT_ID: IDP_SECRET},
        portal_audiences={portal_audience(p.id) for p in PORTALS},
        gateway_audience=GATEWAY_AUDIENCE,
        keys=keys,
    )
    # One store for every portal: FIT-Connect's advance must reach the Postfach, and
    # payments started at the provider are linked in the account area.
    cases = CaseStore(citizens, seed)
    catalogue = build_network(seed)
    for portal_id, data in catalogue.items():
        apps[(portal_id, "services")] = PvogUpstream(data, seed=seed).app
        apps[(portal_id, "accounts")] = create_accounts_app(
            portal_id=portal_id,
            audience=portal_audience(portal_id),
            issuer=issuer,
            jwks=keys.public_keyset,
            citizens=index,
            cases=cases,
        )
    # Appended after the older upstreams, so their ports under base_port stay put.
    for portal in PORTALS:
        audiences = service_audiences(portal.id)
        apps[(portal.id, "inbox")] = create_inbox_app(
            portal_id=portal.id,
            audience=audiences["inbox"],
            issuer=issuer,
            jwks=keys.public_keyset,
            citizens=index,
            cases=cases,
        )
        apps[(portal.id, "status")] = create_status_app(
            portal_id=portal.id,
            audience=audiences["status"],
            issuer=issuer,
            jwks=keys.public_keyset,
            cases=cases,
            callbacks=callbacks,
        )
        apps[(portal.id, "payments")] = create_payments_app(
            portal_id=portal.id,
            audience=audiences["payments"],
            issuer=issuer,
            jwks=keys.public_keyset,
            cases=cases,
        )
    for portal in PORTALS:
        apps[(portal.id, "submissions")] = create_submission_app(
            portal_id=portal.id,
            audience=service_audiences(portal.id)["submissions"],
            issuer=issuer,
            jwks=keys.public_keyset,
            services={
                key: str(sd["name"])
                for sd in catalogue[portal.id].descriptions
                for key in sd["leikakeys"]
            },
            cases=cases,
            citizens=citizens,
            callbacks=callbacks,
        )
    apps[ROUTING] = create_routing_app(
        network=catalogue,
        submission_hosts=submission_hosts,
    )
    return apps, cases
