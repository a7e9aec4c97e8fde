"""The floor of a citizen's dashboard on the topology sandbox (network file v2).

What the gateway asks for the DASHBOARD query (bench/dashboard.py), as plain calls: the
account areas of the `[[portals]]` entries the citizen is linked to (their application
lists) and the inboxes every viewer has (the BundID Postfach's messages), each with the
sign-in token exchanged for its audience; then, for the newest 20 applications, each
case's FIT-Connect event log at the Submission API host that knows it (hosts tried and
remembered as the gateway does, sources/fitconnect_hosts.py; the keys of the SETs'
signers fetched once), the Postfach's status updates, each payment at the provider whose
tenant serves the application's ARS, and the PVOG's text of each LeiKa key (one search
per region, kept as the gateway's data cache keeps it). A citizen without links costs the
Postfach alone.

The links are learned first (`learn`: one `GET /v1/me` per account area, kept per
subject), as the gateway learns them into its journal; the floor reads no journal. The
network file is read once for the upstreams' URLs, auth tables and payment tenants.
Client-credentials tokens (FIT-Connect, OAuth2 providers) are kept until 30 s before they
expire; HTTP Basic and mutual TLS (the client certificate on the floor's client) cost no
call. Like the v1 floor (bench/baseline.py), it checks no SET signature: it fetches the
keys a check needs and trusts the claims.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from bench.baseline import PAGE, newest, signer
from bench.floor_topology import Issued, TopologyFloor, issued, renewed, sandbox_env
from bench.sandbox_proc import control_tls
from sources._upstream_auth import resolve_auth, static_headers
from sources.base.topology import PortalEntryRecord
from sources.base.upstream_auth import ClientAuthMethod, OAuth2ClientCredentials, UpstreamAuth
from sources.topology import load_topology

FIRST = 20  # applications(first: 20)


def subject(token: str) -> str:
    """The sign-in token's subject: the links are the citizen's, not the token's."""
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=="))["sub"])


class RecordArs:
    """The ARS an entry's application record is about (the region of its PVOG texts and
    payment tenant), as the gateway's portal of the record: a single portal's own; a
    platform's named municipality (by id or ARS, sources/base/portal_directory.py
    `named_by`), else the platform's own record, whose ARS is its first served
    municipality's (sources/_upstreams.py `entry_portal`)."""

    def __init__(self, entries: tuple[PortalEntryRecord, ...]) -> None:
        self.own = {e.id: self._own(e) for e in entries}
        self.served = {
            e.id: {**{s.ars: s.ars for s in e.serves}, **{e.served_id(s): s.ars for s in e.serves}}
            for e in entries
            if e.is_platform
        }

    @staticmethod
    def _own(entry: PortalEntryRecord) -> str:
        if entry.ars is None and entry.serves:
            return entry.serves[0].ars
        return entry.ars or (entry.ars_prefix or "").ljust(12, "0")

    def __call__(self, entry_id: str, record: dict[str, Any]) -> str:
        named = record.get("ars") or record.get("portalId")
        return self.served.get(entry_id, {}).get(named or "", self.own[entry_id])


def probe_order(
    known: dict[str, str], bases: list[str], case_id: str, destination: str | None
) -> list[str]:
    """The Submission API hosts to ask for a case's log, in turn while they answer 404
    (sources/fitconnect_hosts.py): the one that knew the case; else the one that knew its
    destination, then the default host and the others."""
    if case_id in known:
        return [known[case_id]]
    hinted = known.get(f"d:{destination}") if destination else None
    return list(dict.fromkeys(b for b in (hinted, *bases) if b))


class CitizenFloor(TopologyFloor):
    def __init__(self, urls: dict[str, str], folder: Path) -> None:
        """`folder`: where the topology sandbox wrote its network file, env and TLS files."""
        self.env = sandbox_env(folder)
        super().__init__(urls, self.env, control_tls(folder))
        topology = load_topology(folder / "network.toml")
        entries = topology.portals
        self.areas = {e.id: e.accounts.url for e in entries if e.accounts is not None}
        self.inboxes = {e.id: e.inbox.url for e in entries if e.inbox is not None}
        self.every_viewer = {e.id for e in entries if e.inbox is not None and e.inbox.every_viewer}
        self.ars_of = RecordArs(entries)
        fit = topology.fitconnect
        # The default Submission API first, then each other host, as graph/wiring/adapters.py.
        self.bases = list(
            dict.fromkeys(
                b.rstrip("/") for b in (fit.submission_url, *fit.submission_hosts.values())
            )
        )
        self.auth: dict[str, UpstreamAuth | None] = {"fitconnect": fit.auth}
        self.providers = {p.id: p.url for p in topology.payment_providers}
        self.auth.update({p.id: p.auth for p in topology.payment_providers})
        self.static = {
            name: static_headers(resolve_auth(auth, self.env)) if auth else {}
            for name, auth in self.auth.items()
        }
        self.tenants = topology.tenants
        self.links: dict[str, tuple[str, ...]] = {}  # subject -> linked entries
        self.hosts: dict[str, str] = {}  # case id or "d:<destination>" -> base that knew it

    async def learn(self, token: str) -> int:
        """Asks every account area whether the citizen has an account; keeps the links."""
        entries = sorted(self.areas)
        found = await asyncio.gather(*(self._account(token, e) for e in entries))
        linked = tuple(e for e, account in zip(entries, found, strict=True) if account)
        self.links[subject(token)] = linked
        return len(linked)

    async def _account(self, token: str, entry: str) -> Any:
        return await self.get(self.areas[entry] + "/v1/me", await self.exchanged(token, entry))

    async def dashboard(self, token: str) -> dict[str, Any]:
        linked = self.links.get(subject(token), ())
        inboxes = sorted(e for e in {*linked, *self.every_viewer} if e in self.inboxes)
        found = await asyncio.gather(
            *(self._list(token, self.areas[e], "applications", e) for e in linked),
            *(self._list(token, self.inboxes[e], "messages", e) for e in inboxes),
        )
        apps = [(e, a) for e, listed in zip(linked, found, strict=False) for a in listed]
        apps.sort(key=lambda ea: (newest(ea[1]), ea[1]["applicationId"]), reverse=True)
        page = [(self.ars_of(e, a), a) for e, a in apps[:FIRST]]
        calls: list[Awaitable[Any]] = []
        if page:  # each shown application's history reads the inboxes' status updates
            calls += [self._list(token, self.inboxes[e], "statusUpdates", e) for e in inboxes]
        calls += [self._case_log(a["caseId"], a.get("destinationId")) for _, a in page]
        calls += [self._transaction(*p) for p in dict.fromkeys(self._payments(page))]
        calls += self._lookups([(ars, a["leikaKey"]) for ars, a in page if a.get("leikaKey")])
        await asyncio.gather(*calls)
        messages = [m for listed in found[len(linked) :] for m in listed]
        return {"applications": len(page), "unread": sum(1 for m in messages if not m["readAt"])}

    async def _list(self, token: str, base: str, field: str, entry: str) -> list[Any]:
        path = {"applications": "/v1/me/applications", "statusUpdates": "/v1/statusupdates"}
        url = base + path.get(field, "/v1/messages")
        return await self.listing(url, field, await self.exchanged(token, entry))

    async def _headers(self, upstream: str) -> dict[str, str]:
        scheme = getattr(self.auth[upstream], "scheme", None)
        if not isinstance(scheme, OAuth2ClientCredentials):
            return self.static[upstream]
        key = ("cc", scheme.token_url, scheme.client_id)
        bearer, _ = await renewed(self.tokens, key, lambda: self._client_token(scheme))
        return {**self.static[upstream], "Authorization": f"Bearer {bearer}"}

    async def _client_token(self, scheme: OAuth2ClientCredentials) -> Issued:
        secret = self.env[str(scheme.client_secret_env)]
        form = {"grant_type": "client_credentials"}
        form |= {"scope": scheme.scope} if scheme.scope else {}
        form |= {"audience": scheme.audience} if scheme.audience else {}
        basic: tuple[str, str] | None = None  # client_secret_post: none in a header
        if scheme.method is ClientAuthMethod.CLIENT_SECRET_POST:
            form |= {"client_id": scheme.client_id, "client_secret": secret}
        else:  # client_secret_basic (the sandbox has no private_key_jwt client)
            basic = (scheme.client_id, secret)
        response = await self.http.post(scheme.token_url, data=form, auth=basic)
        response.raise_for_status()
        return issued(response.json())

    async def _case_log(self, case_id: str, destination: str | None) -> None:
        """The case's event log at the host that knows it (`probe_order`), remembered."""
        headers = await self._headers("fitconnect")
        order = probe_order(self.hosts, self.bases, case_id, destination)
        for base in order:
            log = await self.get(f"{base}/v1/cases/{case_id}/events", headers, limit=PAGE, offset=0)
            if log is not None or base == order[-1]:
                break
        self.hosts[case_id] = base
        if destination:
            self.hosts[f"d:{destination}"] = base
        keys = [signer(token) for token in (log or {}).get("eventLog", [])]
        await asyncio.gather(
            *(self._key(base, *key) for key in set(keys) if key is not None),
            *([self._jwks(base)] if None in keys else []),
        )

    async def _jwks(self, base: str) -> Any:
        # The Zustelldienst's own events: its key set, once per host.
        url = base + "/.well-known/jwks.json"
        return await self._once(("jwks", url), lambda: self.get(url))

    def _payments(self, page: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
        """(provider, path) of each listed transaction: the provider whose tenant serves
        the application's ARS (an account area's link names none)."""
        found = []
        for ars, application in page:
            choice = self.tenants.choose(ars)
            if choice is None:
                continue
            for link in application.get("payments", []):
                ids = (link["originatorId"], link["endPointId"], link["transactionId"])
                found.append((choice[0].id, "/paymenttransaction/" + "/".join(ids)))
        return found

    async def _transaction(self, provider: str, path: str) -> Any:
        return await self.get(self.providers[provider] + path, await self._headers(provider))

    def _lookups(self, keys: list[tuple[str, str]]) -> list[Awaitable[Any]]:
        """One PVOG search per region with the page's LeiKa keys there, in page order (the
        gateway's batch), kept by exactly that query as its data cache keeps it."""
        by_ars: dict[str, list[str]] = {}
        for ars, leika in dict.fromkeys(keys):
            by_ars.setdefault(ars, []).append(leika)
        return [self._texts(ars, tuple(leikas)) for ars, leikas in by_ars.items()]

    async def _texts(self, ars: str, leikas: tuple[str, ...]) -> None:
        params = {"ars": ars, "page": 0, "size": 500, "useArsHierarchy": "true"}
        url = self.urls["pvog"] + "/v8beta1/servicedescriptions"
        fetch = lambda: self.get(url, self.pvog, **params, leikaIds=",".join(leikas))  # noqa: E731 - one use
        body = await self._once(("l", ars, leikas), fetch)
        # A keyless hit of a search for one key is that key's; else its detail view says.
        if len(leikas) > 1:
            hits = body["serviceDescriptions"]["content"]
            missing = [h["id"] for h in hits if not h.get("leikakeys")]
            await asyncio.gather(*(self._pvog_detail(i, self._memo) for i in missing))
