"""The portal network as records: portals, their endpoints, the identity provider, upstreams."""

from __future__ import annotations

from dataclasses import dataclass

from sources.base.vocabulary import Capability, Tier


@dataclass(frozen=True, slots=True)
class UpstreamRef:
    """Which upstream a call, an error or a breaker is about.

    `portal_id` names who runs it: a portal of the network, or a central service
    (`identity`, `routing`, `redis`). GraphQL errors show it as `portalId` and
    `capability`; metrics and logs as `portal_id/capability`.
    """

    portal_id: str
    capability: Capability

    def __str__(self) -> str:
        return f"{self.portal_id}/{self.capability.value}"


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    """Where one capability of a portal lives and how the gateway authenticates there.

    `audience` is the token audience for per-citizen token exchange; `client_id`
    and `client_secret_env` name service-to-service credentials (the secret itself
    stays in the environment, never in the network file).
    """

    url: str
    audience: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    callback_secret_env: str | None = None
    adapter: str | None = None  # entry point in group `portalgraph.sources`; None: built in
    jwks_url: str | None = None  # a key set this upstream's signatures verify against


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """The OIDC issuer whose access tokens the gateway accepts and exchanges."""

    issuer: str
    audience: str
    client_id: str
    client_secret_env: str


@dataclass(frozen=True, slots=True)
class PortalRecord:
    id: str
    name: str
    tier: Tier
    ars: str
    website: str | None
    endpoints: dict[Capability, EndpointRecord]

    @property
    def capabilities(self) -> tuple[Capability, ...]:
        return tuple(c for c in Capability if c in self.endpoints)
