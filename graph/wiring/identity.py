"""The identity provider for the composition root: token verification and token exchange.

One OIDC provider (`[identity]` of the network file); its discovery and JWKS fetch go
through `Upstream` like every other call, its token calls on the same wire
(sources/idp.py), under the upstream name `identity`.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping

import httpx

from graph.domain.identity import TokenVerifier
from graph.settings import Secrets, Settings
from sources._auth import CachedTokenIssuer
from sources._http import Upstream
from sources._jwks import JwksCache
from sources._observe import NO_OBSERVER, UpstreamObserver
from sources._wire import KEYS_ANSWER
from sources.base import IdentityRecord, TokenIssuer
from sources.idp import IDENTITY, OidcProvider
from sources.network import NetworkConfigError
from sources.topology import Topology


def _secret(topology: Topology, secrets: Mapping[str, str], name: str) -> str:
    secret = secrets.get(name)
    if not secret:
        raise NetworkConfigError(topology.source, f"environment variable {name} is not set")
    return secret


def build_identity(
    topology: Topology,
    client: httpx.AsyncClient,
    secrets: Secrets,
    stack: contextlib.AsyncExitStack | None = None,
    observer: UpstreamObserver = NO_OBSERVER,
) -> tuple[TokenVerifier | None, TokenIssuer | None]:
    identity = topology.identity
    if identity is None:
        return None, None
    provider = OidcProvider(
        IdentityRecord(
            issuer=identity.issuer,
            audience=identity.audience,
            client_id=identity.client_id,
            client_secret_env=identity.client_secret_env,
        ),
        Upstream(  # discovery and the JWK set: keys' answers, whatever the capability
            client,
            identity.issuer,
            ref=IDENTITY,
            timeout=5.0,
            observer=observer,
            max_answer=KEYS_ANSWER,
        ),
        _secret(topology, secrets, identity.client_secret_env),
        jwks_url=identity.jwks_url,
    )
    if stack is not None:
        stack.push_async_callback(provider.aclose)  # its own wire, if the client has none
    keys = JwksCache(provider.fetch_jwks, IDENTITY)
    verifier = TokenVerifier(keys, issuer=identity.issuer, audience=identity.audience)
    return verifier, CachedTokenIssuer(provider)


def audience_key(settings: Settings, topology: Topology) -> bytes:
    """Replicas must agree on the audience of a viewer; derived from a shared secret."""
    shared = topology.identity.client_secret_env if topology.identity else "portalgraph"
    secret = settings.secrets.get(shared) or shared
    return hashlib.sha256(("audience:" + secret).encode()).digest()
