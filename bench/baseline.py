"""The floor: plain asyncio + aiohttp making exactly the upstream calls a query needs.

No GraphQL, no validation, no records: what any client of the same upstreams must
do at least. It keeps the gateway's caches (exchanged tokens per sign-in token and
audience, client-credentials tokens, public service look-ups) and its dependency
waves, pipelined per portal: token exchange → application lists, messages →
case events, status updates, payments and LeiKa service look-ups of the page.
`bench/floor_proc.py` runs it pinned to the gateway's core; its HTTP client is
bench/floor_http.py's, the gateway's library.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from bench.floor_http import FloorClient
from sandbox.data_places import PORTALS
from sandbox.runner import GATEWAY_CLIENT_ID, IDP_SECRET, portal_audience
from sources.base import ars_covers, ars_prefix

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 - a type URN
PAGE = 500  # the adapters' page size: one call per list unless it is longer
ARS = {p.id: p.ars for p in PORTALS}
UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
Memo = dict[tuple[Any, ...], "asyncio.Future[Any]"]


def signer(token: str) -> tuple[str, str] | None:
    """(destination, kid) of a SET a destination signed (`iss` a UUID), else None."""
    header, payload = (json.loads(base64.urlsafe_b64decode(p + "==")) for p in token.split(".")[:2])
    issuer = str(payload.get("iss", ""))
    return (issuer.lower(), str(header.get("kid"))) if UUID.match(issuer) else None


def once(memo: Memo, key: tuple[Any, ...], fetch: Callable[[], Awaitable[Any]]) -> Any:
    """One flight per key, kept: tokens and public look-ups, as the gateway caches them."""
    if key not in memo:
        memo[key] = asyncio.ensure_future(fetch())
    return memo[key]


def newest(application: dict[str, Any]) -> str:
    return str(application.get("updatedAt") or application.get("createdAt") or "")


class Floor:
    def __init__(self, urls: dict[str, str], verify: ssl.SSLContext | bool = True) -> None:
        self.urls = urls
        self.portals = [name.split("/")[0] for name in urls if name.endswith("/accounts")]
        self.http = FloorClient(verify)  # `verify`: a client certificate too
        self._memo: Memo = {}

    async def _once(
        self, key: tuple[Any, ...], fetch: Callable[[], Awaitable[Any]], memo: Memo | None = None
    ) -> Any:
        return await once(self._memo if memo is None else memo, key, fetch)

    async def _token(self, **form: str) -> str:
        response = await self.http.post(
            self.urls["identity/idp"] + "/token", data=form, auth=(GATEWAY_CLIENT_ID, IDP_SECRET)
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    async def exchanged(self, token: str, portal: str) -> dict[str, str]:
        audience = portal_audience(portal)
        issued = await self._once(
            ("x", token, audience),
            lambda: self._token(
                grant_type=EXCHANGE,
                subject_token=token,
                subject_token_type=ACCESS_TOKEN,
                audience=audience,
            ),
        )
        return {"Authorization": f"Bearer {issued}"}

    async def service(self, audience: str) -> dict[str, str]:
        issued = await self._once(
            ("cc", audience),
            lambda: self._token(grant_type="client_credentials", audience=audience),
        )
        return {"Authorization": f"Bearer {issued}"}

    async def get(self, url: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        response = await self.http.get(url, params=params, headers=headers)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    async def listing(self, url: str, field: str, headers: dict[str, str]) -> list[Any]:
        found: list[Any] = []
        while True:
            body = await self.get(url, headers, limit=PAGE, offset=len(found))
            if body is None:
                return found
            found.extend(body[field])
            if not body[field] or len(found) >= body.get("totalCount", len(found)):
                return found

    async def _lists(self, token: str, portal: str) -> tuple[list[Any], list[Any]]:
        headers = await self.exchanged(token, portal)
        base = self.urls[f"{portal}/accounts"]
        apps = self.listing(base + "/v1/me/applications", "applications", headers)
        mail = self.listing(self.urls[f"{portal}/inbox"] + "/v1/messages", "messages", headers)
        return await asyncio.gather(apps, mail)

    async def dashboard(self, token: str) -> dict[str, Any]:
        lists = await asyncio.gather(*(self._lists(token, p) for p in self.portals))
        apps = [(p, a) for p, (found, _) in zip(self.portals, lists, strict=True) for a in found]
        apps.sort(key=lambda pa: (newest(pa[1]), pa[1]["applicationId"]), reverse=True)
        page = apps[:20]
        portals = list(dict.fromkeys(p for p, _ in page))
        calls: list[Awaitable[Any]] = [self._events(p, a["caseId"]) for p, a in page]
        calls += [self._updates(token, p) for p in portals]
        calls += [self._payment(p, link) for p, a in page for link in a.get("payments", [])]
        calls += self._lookups([(ARS[p], a["leikaKey"]) for p, a in page if a.get("leikaKey")])
        await asyncio.gather(*calls)
        unread = [m for _, messages in lists for m in messages if not m.get("readAt")]
        return {"applications": len(page), "unread": len(unread)}

    async def _events(self, portal: str, case_id: str) -> Any:
        headers = await self.service(f"urn:portalgraph:fitconnect:{portal}")
        base = self.urls[portal + "/status"]
        log = await self.get(f"{base}/v1/cases/{case_id}/events", headers, limit=PAGE)
        # As the gateway does: an event the destination signed needs that destination's key,
        # fetched once per key (the Zustelldienst's key set was fetched while warming up).
        signers = {signer(token) for token in (log or {}).get("eventLog", [])}
        await asyncio.gather(*(self._key(base, *key) for key in signers if key is not None))
        return log

    async def _key(self, base: str, destination: str, kid: str) -> Any:
        url = f"{base}/v1/destinations/{destination}/keys/{kid}"
        return await self._once(("key", url), lambda: self.get(url))

    async def _updates(self, token: str, portal: str) -> Any:
        headers = await self.exchanged(token, portal)
        url = self.urls[f"{portal}/inbox"] + "/v1/statusupdates"
        return await self.listing(url, "statusUpdates", headers)

    async def _payment(self, portal: str, link: dict[str, str]) -> Any:
        headers = await self.service(f"urn:portalgraph:xbezahldienste:{portal}")
        path = f"/paymenttransaction/{link['originatorId']}/{link['endPointId']}/{link['transactionId']}"
        return await self.get(self.urls[f"{portal}/payments"] + path, headers)

    def _lookups(self, keys: list[tuple[str, str]]) -> list[Awaitable[Any]]:
        # As the gateway's batch: one search per region and portal covering it, with the
        # page's LeiKa keys for that region in page order; cached by exactly that query.
        by_ars: dict[str, list[str]] = {}
        for ars, leika in dict.fromkeys(keys):
            by_ars.setdefault(ars, []).append(leika)
        return [
            self._search(p, ars, None, tuple(leikas), self._memo)
            for p in self.portals
            for ars, leikas in by_ars.items()
            if ars_covers(ARS[p], ars)
        ]

    def _search(
        self, portal: str, ars: str, text: str | None, leikas: tuple[str, ...], memo: Memo
    ) -> Any:
        params: dict[str, Any] = {"ars": ars, "page": 0, "size": 500, "useArsHierarchy": "true"}
        if text:
            params["q"] = text
        if leikas:
            params["leikaIds"] = ",".join(leikas)
        url = self.urls[f"{portal}/services"] + "/v8beta1/servicedescriptions"
        return self._once(("s", portal, ars, text, leikas), lambda: self.get(url, **params), memo)

    async def search(self, ars: str, text: str | None, first: int, cached: bool) -> int:
        """Services of a region, most local per LeiKa key, by name; their authorities."""
        # Uncached, nothing is shared with concurrent searches either (as with the
        # gateway's cache off): a fresh memo per search.
        memo = self._memo if cached else {}
        serving = [p for p in self.portals if ars_covers(ARS[p], ars)]
        bodies = await asyncio.gather(*(self._search(p, ars, text, (), memo) for p in serving))
        # As the gateway does: a hit without LeiKa keys gets them from its detail view.
        hits = [
            (portal, item)
            for portal, body in zip(serving, bodies, strict=True)
            for item in body["serviceDescriptions"]["content"]
        ]
        details = await asyncio.gather(
            *(self._detail(p, i["id"], memo) for p, i in hits if not i.get("leikakeys"))
        )
        keys = {d["id"]: d.get("leikakeys") for d in details}
        chosen: dict[str, tuple[int, str, dict[str, Any]]] = {}
        for portal, item in hits:
            leikas = item.get("leikakeys") or keys.get(item["id"])
            key = leikas[0] if leikas else f"{portal}/{item['id']}"
            rank = len(ars_prefix(ARS[portal]))
            if key not in chosen or rank > chosen[key][0]:
                chosen[key] = (rank, portal, item)
        page = sorted(chosen.values(), key=lambda c: (c[2]["name"].casefold(), c[1], c[2]["id"]))
        wanted: dict[str, list[str]] = {}
        for _, portal, item in page[:first]:
            if item.get("organisationIds"):
                wanted.setdefault(portal, []).append(item["organisationIds"][0])
        await asyncio.gather(*(self._organisations(p, ids, memo) for p, ids in wanted.items()))
        return min(first, len(page))

    def _detail(self, portal: str, service_id: str, memo: Memo) -> Any:
        url = self.urls[f"{portal}/services"] + f"/v6/servicedescriptions/{service_id}/detail"
        return self._once(("d", portal, service_id), lambda: self.get(url), memo)

    async def _organisations(self, portal: str, ids: list[str], memo: Memo) -> None:
        # The organisation-unit detail takes one `q` per call, as PVOG's does.
        url = self.urls[f"{portal}/services"] + "/v5/organisationunits/detail"
        for i in dict.fromkeys(ids):
            if ("o", portal, i) not in memo:
                memo[("o", portal, i)] = asyncio.ensure_future(self.get(url, q=i))
        await asyncio.gather(*(memo[("o", portal, i)] for i in ids))

    async def inbox(self, token: str, first: int) -> int:
        lists = await asyncio.gather(*(self._mail(token, p) for p in self.portals))
        messages = sorted(
            (m for found in lists for m in found),
            key=lambda m: (m["receivedAt"], m["id"]),
            reverse=True,
        )
        return len(messages[:first])

    async def _mail(self, token: str, portal: str) -> list[Any]:
        headers = await self.exchanged(token, portal)
        return await self.listing(
            self.urls[f"{portal}/inbox"] + "/v1/messages", "messages", headers
        )
