"""The real topology of the Portalverbund as records (network file version 2).

Central services exist once (one PVOG Suchdienst, one FIT-Connect, one identity
provider); payments go to a few providers with many tenants; only account areas and
portal inboxes are per portal, and a platform such as Kommunalportal.NRW serves many
municipalities from one entry. `sources.topology` parses the file into these records.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sources.base.upstream_auth import UpstreamAuth
from sources.base.vocabulary import Tier

# PVOG Suchdienst resources are versioned one by one (v3 locations, v6 detail, ...);
# these are the versions the adapter speaks unless `[pvog.versions]` says otherwise.
PVOG_DEFAULT_VERSIONS: Mapping[str, str] = {
    "search": "v8beta1",  # GET /{v}/servicedescriptions
    "detail": "v6",  # GET /{v}/servicedescriptions/{id}/detail
    "organisations": "v5",  # GET /{v}/organisationunits/detail
    "locations": "v3",  # GET /{v}/locations
    "leikahierarchy": "v2",  # GET /{v}/servicedescriptions/leikahierarchy
    "onlineservices": "v1beta2",  # GET /{v}/onlineservices
}
SEGMENT = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
PVOG_PATHS: Mapping[str, str] = {
    "search": "/{version}/servicedescriptions",
    "detail": "/{version}/servicedescriptions/{id}/detail",
    "organisations": "/{version}/organisationunits/detail",
    "locations": "/{version}/locations",
    "leikahierarchy": "/{version}/servicedescriptions/leikahierarchy",
    "onlineservices": "/{version}/onlineservices",
}


class PaymentKind(enum.Enum):
    """The product behind a payment provider; all of them speak XBezahldienste 1.0.0."""

    EPAYBL = "epaybl"
    EPAY21 = "epay21"
    PMPAYMENT = "pmpayment"
    GIROCHECKOUT = "girocheckout"
    XBEZAHLDIENSTE = "xbezahldienste"  # any other provider speaking the standard


@dataclass(frozen=True, slots=True)
class PvogRecord:
    url: str  # Suchdienst base, e.g. https://pvog.fitko.net/suchdienst/api
    versions: Mapping[str, str]  # resource -> version path segment
    use_ars_hierarchy: bool = True  # the PVOG inherits Bund/Land texts down the ARS
    auth: UpstreamAuth | None = None

    def path(self, resource: str, **segments: str) -> str:
        """`path("detail", id="L100002.LB.1")` -> `/v6/servicedescriptions/L100002.LB.1/detail`.

        A segment is a PVOG object id (`<Mandant>.<Typ>.<lokaleId>`): anything else, such
        as a `/` or `..` from a client, raises ValueError instead of reaching another path.
        """
        for value in segments.values():
            if not SEGMENT.match(value) or value in (".", ".."):
                raise ValueError(f"not a PVOG id: {value!r}")
        return PVOG_PATHS[resource].format(version=self.versions[resource], **segments)


@dataclass(frozen=True, slots=True)
class FitConnectRecord:
    submission_url: str  # Submission API base (v2: ends in /submission-api)
    api: str  # "v1" | "v2"
    routing_url: str  # Routing API base
    route_keys_url: str  # Self-Service-Portal key set that signs routes (destinationSignature)
    submission_hosts: Mapping[str, str] = field(default_factory=dict)  # bare host -> base URL
    auth: UpstreamAuth | None = None  # Submission API token (client credentials, SSP scopes)
    routing_auth: UpstreamAuth | None = None  # Routing API is public; a deployment may add one

    def submission_base(self, submission_host: str | None) -> str:
        """The base URL for a route's bare `submissionHost` (known hosts only, else the default)."""
        if submission_host is None:
            return self.submission_url
        return self.submission_hosts.get(submission_host.lower(), self.submission_url)


@dataclass(frozen=True, slots=True)
class IdentityProviderRecord:
    """The OIDC issuer (BundID brokered) whose tokens the gateway accepts."""

    issuer: str
    audience: str
    client_id: str
    client_secret_env: str
    jwks_url: str | None = None  # None: discovered from the issuer's metadata


@dataclass(frozen=True, slots=True)
class PaymentTenantRecord:
    """One XBezahldienste tenant: the path pair `/paymenttransaction/{originatorId}/{endPointId}`."""

    ars_prefix: str  # 2–12 digits; the most specific prefix covering an ARS wins
    originator_id: str
    endpoint_id: str


@dataclass(frozen=True, slots=True)
class PaymentProviderRecord:
    id: str
    name: str
    kind: PaymentKind
    url: str  # XBezahldienste base
    tenants: tuple[PaymentTenantRecord, ...]
    auth: UpstreamAuth | None = None


@dataclass(frozen=True, slots=True)
class PortalApiRecord:
    """A per-portal API without a published standard: a plug-in adapter named by entry point."""

    url: str
    adapter: str | None = None  # entry point in group `portalgraph.sources`; None: built in
    auth: UpstreamAuth | None = None
    # An inbox holding a mailbox for every signed-in viewer (the BundID Postfach): asked
    # for each viewer without an account link; an account area never has it.
    every_viewer: bool = False


@dataclass(frozen=True, slots=True)
class ServedMunicipality:
    ars: str
    id: str | None = None  # None: "<platform id>-<ars>"
    name: str | None = None  # None: from the municipality directory (PVOG locations)
    website: str | None = None


@dataclass(frozen=True, slots=True)
class PortalEntryRecord:
    """One `[[portals]]` entry: a single portal, or a platform serving many municipalities.

    A platform (`serves` or `ars_prefix`) is one entry in the file and one set of
    upstream clients, but each municipality it serves is a Portal in the graph.
    """

    id: str
    name: str
    tier: Tier
    ars: str | None  # a single portal's own ARS; None for a platform
    website: str | None = None
    serves: tuple[ServedMunicipality, ...] = ()
    ars_prefix: str | None = None  # platform serving every municipality under this prefix
    website_template: str | None = None  # e.g. "https://{slug}.kommunalportal.nrw"
    accounts: PortalApiRecord | None = None
    inbox: PortalApiRecord | None = None

    def served_id(self, served: ServedMunicipality) -> str:
        """The Portal id of a served municipality: its own, else `<entry id>-<ARS>`."""
        return served.id or f"{self.id}-{served.ars}"

    @property
    def is_platform(self) -> bool:
        return bool(self.serves) or self.ars_prefix is not None
