"""The floor on the topology sandbox (network file v2): the same upstreams the gateway asks.

One PVOG Suchdienst (its client-id header on every call, `useArsHierarchy`), the BundID
Postfach (`portals.bund.inbox`, read with a token exchanged for its audience). The floor
keeps the gateway's token caches (exchanged tokens per sign-in token and audience) and,
for a search, the gateway's merge: the most local text per LeiKa key, a keyless hit's keys
from its detail view, each shown item's responsible authority.

What it does not do yet: the dashboard of a citizen with learned account links (account
areas, FIT-Connect event logs, payment providers); its dashboard is what the gateway asks
for a citizen without links, the Postfach alone (bench/__main__.py says so in RESULTS.md).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bench.baseline import ACCESS_TOKEN, EXCHANGE, Floor, Memo, once
from sandbox.runner import GATEWAY_CLIENT_ID, IDP_SECRET
from sandbox.topology_document import PVOG_CLIENT_ENV, portal_audience
from sources.base import ars_prefix
from sources.pvog import CLIENT_ID_HEADER

POSTFACH = "portals.bund.inbox"


def sandbox_env(folder: Path) -> dict[str, str]:
    """The variables the topology sandbox wrote next to its network file."""
    lines = (folder / "sandbox.env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def sandbox_note(municipalities: int, citizens: int) -> str:
    """What the sandbox was and what the floor leaves out, for RESULTS.md."""
    return (
        f"- topology sandbox (network file v2, {municipalities} municipalities, {citizens}"
        " citizens): one PVOG (client-id header), the BundID Postfach; the dashboard is a"
        " citizen's without learned account links (the Postfach alone, as the gateway asks"
        " for them): the floor for linked account areas, FIT-Connect event logs and payments"
        " on v2 is not built yet (bench/floor_topology.py)"
    )


class TopologyFloor(Floor):
    """The v1 floor's HTTP client, pools, retries and list paging; v2's upstreams."""

    def __init__(self, urls: dict[str, str], env: dict[str, str]) -> None:
        super().__init__(urls)
        self.pvog = {CLIENT_ID_HEADER: env[PVOG_CLIENT_ENV]}

    async def _exchange(self, token: str, audience: str) -> str:
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
        return str(response.json()["access_token"])

    async def exchanged(self, token: str, entry: str) -> dict[str, str]:
        audience = portal_audience(entry)
        key = ("x", token, audience)
        issued = await once(self._memo, key, lambda: self._exchange(token, audience))
        return {"Authorization": f"Bearer {issued}"}

    async def _messages(self, token: str) -> list[Any]:
        headers = await self.exchanged(token, "bund")
        return await self.listing(self.urls[POSTFACH] + "/v1/messages", "messages", headers)

    async def dashboard(self, token: str) -> dict[str, Any]:
        """A citizen without account links: the Postfach's unread messages and their count."""
        messages = await self._messages(token)
        return {"applications": 0, "unread": sum(1 for m in messages if not m.get("readAt"))}

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
