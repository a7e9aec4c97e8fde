"""One guarded, authenticated `Upstream` per upstream of a network file v2.

Each `auth` table is resolved once (secrets from the environment, every missing one
named), turned into an `httpx.Auth`, and shared by all clients of the same upstream
(so FIT-Connect's event log and Submission API use one client-credentials token). An
mTLS upstream gets a connection pool of its own: the client certificate belongs to the
TLS context. Breakers, bulkheads and metrics are keyed by the upstream's name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping

import httpx

from sources._http import Upstream
from sources._policy import UpstreamPolicy
from sources._pool import new_client
from sources._resilience import UpstreamGuards
from sources._upstream_auth import MissingSecretsError, client_options, resolve_auth
from sources.base import FEDERAL_ARS, Capability, EndpointRecord, PortalRecord, Tier, UpstreamRef
from sources.base.topology import PortalEntryRecord
from sources.base.upstream_auth import UpstreamAuth
from sources.network import NetworkConfigError


class UpstreamFactory:
    def __init__(
        self,
        source: str,
        client: httpx.AsyncClient,
        secrets: Mapping[str, str],
        guards: UpstreamGuards,
        policy: Callable[[str], UpstreamPolicy],
        stack: contextlib.AsyncExitStack | None = None,
    ) -> None:
        """`source`: the network file (for errors); `policy`: an upstream table's name
        (`pvog`, `payment_providers.epay21`, ...) -> its resilience policy."""
        self.source = source
        self.client = client
        self.secrets = secrets
        self.guards = guards
        self.policy = policy
        self.stack = stack
        self._auth: dict[str, tuple[httpx.AsyncClient, httpx.Auth | None]] = {}

    def upstream(
        self,
        name: str,
        capability: Capability,
        url: str,
        auth: UpstreamAuth | None,
        *,
        policy: str | None = None,
        token: str | None = None,
    ) -> Upstream:
        """`name`: the upstream's name in errors, breakers and metrics; `policy`: its
        table's name for resilience keys (default `name`); `token`: share the credentials
        (and the token cache) of this name (default `name`)."""
        client, http_auth = self.credentials(token or name, capability, auth)
        return self.guards.upstream(
            client,
            url,
            ref=UpstreamRef(name, capability),
            policy=self.policy(policy or name),
            auth=http_auth,
        )

    def plain(
        self,
        url: str,
        ref: UpstreamRef,
        auth: UpstreamAuth | None,
        *,
        max_answer: int | None = None,
    ) -> Upstream:
        """An unguarded upstream (the Routing API and the route key set, as before)."""
        client, http_auth = self.credentials(ref.portal_id, ref.capability, auth)
        return Upstream(
            client,
            url,
            ref=ref,
            observer=self.guards.observer,
            auth=http_auth,
            max_answer=max_answer,
        )

    def credentials(
        self, name: str, capability: Capability, auth: UpstreamAuth | None
    ) -> tuple[httpx.AsyncClient, httpx.Auth | None]:
        if auth is None:
            return self.client, None
        found = self._auth.get(name)
        if found is not None:
            return found
        try:
            resolved = resolve_auth(auth, self.secrets)
        except MissingSecretsError as exc:
            raise NetworkConfigError(self.source, f"{name}.auth: {exc}") from exc
        try:
            options = client_options(
                resolved, token_client=self.client, upstream=name, capability=capability.value
            )
        except OSError as exc:  # a certificate or key file that cannot be read
            raise NetworkConfigError(
                self.source, f"{name}.auth: cannot read {exc.filename}"
            ) from exc
        client = self.client
        if "verify" in options:
            # Same settings as the shared client (no cookies, no proxies, no redirects).
            client = new_client(
                connect_timeout=self.client.timeout.connect or 2.0,
                read_timeout=self.client.timeout.read or 10.0,
                verify=options["verify"],
            )
            if self.stack is not None:
                self.stack.push_async_callback(client.aclose)
        found = self._auth[name] = (client, options["auth"])
        return found

    def central(self, name: str, title: str, *, submissions: str | None = None) -> PortalRecord:
        """The record a central service's adapter carries (FIT-Connect, PVOG, a provider)."""
        endpoints = {Capability.SUBMISSIONS: EndpointRecord(url=submissions)} if submissions else {}
        return PortalRecord(name, title, Tier.FEDERAL, FEDERAL_ARS, None, endpoints)

    def entry_portal(self, entry: PortalEntryRecord) -> PortalRecord:
        """The record of a `[[portals]]` entry's adapter (a platform: the entry itself)."""
        ars = entry.ars or (entry.ars_prefix or "").ljust(12, "0")
        if entry.ars is None and entry.serves:
            ars = entry.serves[0].ars
        endpoints = {
            capability: EndpointRecord(url=api.url, adapter=api.adapter)
            for capability, api in (
                (Capability.ACCOUNTS, entry.accounts),
                (Capability.INBOX, entry.inbox),
            )
            if api is not None
        }
        return PortalRecord(entry.id, entry.name, entry.tier, ars, entry.website, endpoints)
