"""FIT-Connect Routing API: the destination responsible for a LeiKa key in a region.

Each route names its destination in a signed `destinationSignature` (JWS, PS512) whose
payload says which Submission API host serves it (reference/portalverbund.md §3.7). Only
routes whose signature verifies against the Routing API's key set are used, so a tampered
route cannot send a citizen's application to a host of the attacker's choosing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError

from sources._http import Upstream
from sources._jwks import JwksCache
from sources._parse import MalformedError, items_of, obj, optional_str, text
from sources.base import RouteRecord

logger = logging.getLogger("portalgraph.routing")


class FitConnectRouting:
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.keys = JwksCache(self._fetch_keys, upstream.ref)

    async def _fetch_keys(self) -> dict[str, Any]:
        return obj(await self.upstream.get_json("/.well-known/jwks.json"))

    async def route(self, leika_key: str, ars: str) -> RouteRecord | None:
        body = await self.upstream.get_json(
            "/v1/routes", params={"leikaKey": leika_key, "ars": ars, "limit": 10}
        )
        try:
            routes = [obj(r) for r in items_of(obj(body)["routes"])]
        except (MalformedError, KeyError) as exc:
            raise self.upstream.bad_response(f"unexpected routes: {exc}") from exc
        for raw in routes:
            found = await self._verified(raw)
            if found is not None:
                return found
        return None

    async def _verified(self, raw: dict[str, Any]) -> RouteRecord | None:
        try:
            token = text(raw["destinationSignature"])
            kid = jws.extract_compact(token.encode("ascii")).protected.get("kid")
            keys = await self.keys.keys_for(kid if isinstance(kid, str) else None)
            payload = jws.deserialize_compact(token, keys, algorithms=["PS512"]).payload
            return parse_route(raw, obj(json.loads(payload)))
        except (JoseError, MalformedError, KeyError, ValueError, UnicodeError) as exc:
            logger.warning("dropped a route: %s", type(exc).__name__)
            return None


def parse_route(raw: dict[str, Any], signed: dict[str, Any]) -> RouteRecord:
    """A route whose signed payload names the same destination as the route itself."""
    destination_id = text(raw["destinationId"])
    if text(signed["destinationId"]) != destination_id:
        raise MalformedError("signature names another destination")
    return RouteRecord(
        destination_id=destination_id,
        destination_name=optional_str(raw.get("destinationName")),
        submission_host=text(signed["submissionHost"]).rstrip("/"),
    )
