"""The floor on the topology sandbox (network file v2): the same upstreams the gateway asks.

One PVOG Suchdienst (its client-id header on every call, `useArsHierarchy`), the BundID
Postfach (`portals.bund.inbox`, read with a token exchanged for its audience). The floor
keeps the gateway's token caches (exchanged tokens per sign-in token and audience, renewed
30 s before they expire as the gateway renews them) and, for a search, the gateway's
merge: the most local text per LeiKa key, a keyless hit's keys from its detail view, each
shown item's responsible authority. A citizen's dashboard, with or without learned account
links, is bench/floor_citizen.py's.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.baseline import ACCESS_TOKEN, EXCHANGE, Floor, Memo, once
from sandbox.runner import GATEWAY_CLIENT_ID, IDP_SECRET
from sandbox.topology_document import PVOG_CLIENT_ENV, portal_audience
from sources.base import ars_prefix
from sources.pvog import CLIENT_ID_HEADER

POSTFACH = "portals.bund.inbox"
REFRESH_MARGIN = 30.0  # sources/_auth.py and sources/_client_credentials.py renew this early
Issued = tuple[str, float]  # a token and the monotonic time from which it is renewed
Tokens = dict[tuple[str, ...], "asyncio.Future[Issued]"]


def renewed(
    memo: Tokens, key: tuple[str, ...], fetch: Callable[[], Awaitable[Issued]]
) -> asyncio.Future[Issued]:
    """One flight per key, kept until its renewal time: tokens as the gateway keeps them."""
    held = memo.get(key)
    if held is None or (held.done() and (_failed(held) or held.result()[1] <= time.monotonic())):
        held = memo[key] = asyncio.ensure_future(fetch())  # a failure is not kept either
    return held


def _failed(done: asyncio.Future[Issued]) -> bool:
    return done.cancelled() or done.exception() is not None


def issued(body: dict[str, Any]) -> Issued:
    """A token endpoint's answer: the token and when to renew it (half the lifetime if
    that is shorter than the margin, as sources/_client_credentials.py does)."""
    lifetime = float(body.get("expires_in", 300))
    return str(body["access_token"]), time.monotonic() + lifetime - min(
        REFRESH_MARGIN, lifetime / 2
    )


def sandbox_env(folder: Path) -> dict[str, str]:
    """The variables the topology sandbox wrote next to its network file."""
    lines = (folder / "sandbox.env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def sandbox_note(municipalities: int, citizens: int) -> str:
    """What the sandbox was and what each dashboard is, for RESULTS.md."""
    return (
        f"- topology sandbox (network file v2, {municipalities} municipalities, {citizens}"
        " citizens): one PVOG (client-id header), one FIT-Connect, three payment providers,"
        ' the BundID Postfach, four account areas; "dashboard" is a citizen\'s without'
        " learned account links (the Postfach alone, as the gateway asks for them),"
        ' "dashboard (linked)" one whose links both sides learned first (linked account'
        " areas, FIT-Connect event logs, payments, PVOG texts: bench/floor_citizen.py); the"
        " floor calls over aiohttp with orjson, as the gateway's wire does"
        " (bench/floor_http.py)"
    )


class TopologyFloor(Floor):
    """The v1 floor's HTTP client and list paging; v2's upstreams."""

    def __init__(
        self, urls: dict[str, str], env: dict[str, str], verify: ssl.SSLContext | bool = True
    ) -> None:
        super().__init__(urls, verify)
        self.pvog = {CLIENT_ID_HEADER: env[PVOG_CLIENT_ENV]}
        self.tokens: Tokens = {}

    async def _exchange(self, token: str, audience: str) -> Issued:
        response = await self.http.post(
            self.urls["identity"] + "/token",
            data={
                "grant_type": EXCHANGE,
                "subject_token": token,
                "subject_token_type": ACCESS_TOKEN,
                "audience": audience,
            },
            auth=(GATEWAY_CLIENT_ID, IDP_SECRET),
        )
        response.raise_for_status()
        return issued(response.json())

    async def exchanged(self, token: str, entry: str) -> dict[str, str]:
        audience = portal_audience(entry)
        key = ("x", token, audience)
        bearer, _ = await renewed(self.tokens, key, lambda: self._exchange(token, audience))
        return {"Authorization": f"Bearer {bearer}"}

    async def _messages(self, token: str) -> list[Any]:
        headers = await self.exchanged(token, "bund")
        return await self.listing(self.urls[POSTFACH] + "/v1/messages", "messages", headers)

    async def inbox(self, token: str, first: int) -> int:
        messages = sorted(
            await self._messages(token), key=lambda m: (m["receivedAt"], m["id"]), reverse=True
        )
        return len(messages[:first])

    async def search(self, ars: str, text: str | None, first: int, cached: bool) -> int:
        """The region's services (the whole answer in one call), most local text per LeiKa
        key, by name; the shown items' responsible authorities."""
        memo = self._memo if cached else {}  # uncached: nothing shared between searches
        params: dict[str, Any] = {"ars": ars, "page": 0, "size": 500, "useArsHierarchy": "true"}
        if text:
            params["q"] = text
        url = self.urls["pvog"]
        body = await once(
            memo, ("s", ars, text), lambda: self.get(url + SEARCH, self.pvog, **params)
        )
        hits = body["serviceDescriptions"]["content"]
        keyless = [hit["id"] for hit in hits if not hit.get("leikakeys")]
        details = await asyncio.gather(*(self._pvog_detail(i, memo) for i in keyless))
        keys = {d["id"]: d.get("leikakeys") for d in details if d}
        chosen: dict[str, tuple[int, dict[str, Any]]] = {}
        for hit in hits:
            leikas = hit.get("leikakeys") or keys.get(hit["id"])
            key = leikas[0] if leikas else hit["id"]
            rank = max((len(ars_prefix(a)) for a in hit.get("ars") or [""]), default=0)
            if key not in chosen or rank > chosen[key][0]:
                chosen[key] = (rank, hit)
        page = sorted(
            (h for _, h in chosen.values()), key=lambda h: (h["name"].casefold(), h["id"])
        )
        wanted = [h["organisationIds"][0] for h in page[:first] if h.get("organisationIds")]
        await asyncio.gather(*(self._organisation(i, memo) for i in dict.fromkeys(wanted)))
        return min(first, len(page))

    def _pvog_detail(self, service_id: str, memo: Memo) -> Any:
        url = self.urls["pvog"] + f"/v6/servicedescriptions/{service_id}/detail"
        return once(memo, ("d", service_id), lambda: self.get(url, self.pvog))

    def _organisation(self, organisation_id: str, memo: Memo) -> Any:
        # The organisation-unit detail takes one `q` per call, as PVOG's does.
        url = self.urls["pvog"] + "/v5/organisationunits/detail"
        return once(
            memo, ("o", organisation_id), lambda: self.get(url, self.pvog, q=organisation_id)
        )


SEARCH = "/v8beta1/servicedescriptions"
