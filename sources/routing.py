"""FIT-Connect Routing API: the destination responsible for a LeiKa key in an area.

Routing API 2.0.0 (`/v1/routes` with `leikaKey` and one of `ars`, `ags`, `areaId`). Each
route names its destination in a signed `destinationSignature` (JWS, PS512, issued by the
Self-Service-Portal) over `{submissionHost, iss, services, destinationId, iat, jti}`. Only
routes whose signature verifies against the SSP's key set (its URL is configuration; the
Routing host has no key set) and whose signed payload names the same destination and the
LeiKa key asked for are used, so a tampered route cannot send a citizen's application to a
host of an attacker's choosing. `submissionHost` is a bare host name; the gateway maps it to
a Submission API base URL it trusts (v1, or v2 under `/submission-api`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.errors import JoseError

from sources._http import Upstream
from sources._jwks import FetchedKeys, JwksCache, cache_max_age
from sources._parse import MalformedError, items_of, obj, optional_str, text
from sources.base import RouteRecord

logger = logging.getLogger("portalgraph.routing")
LEIKA_URN = "urn:de:fim:leika:leistung:"
HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*$")
ARS = re.compile(r"^(\d{2}|\d{3}|\d{5}|\d{9}|\d{12})$")
AGS = re.compile(r"^(\d{2}|\d{3}|\d{5}|\d{8})$")


class FitConnectRouting:
    def __init__(
        self,
        upstream: Upstream,
        *,
        signing_keys: Upstream | None,
        hosts: Mapping[str, str],
        limit: int = 10,
        default_url: str | None = None,
    ) -> None:
        """`signing_keys`: the Self-Service-Portal's key set (base URL = the JWKS URL);
        `hosts`: bare `submissionHost` name -> Submission API base URL; `default_url`: the
        base for any other host (network file v2: the one FIT-Connect's Submission API,
        `FitConnectRecord.submission_base`); None: other hosts get no base (no route)."""
        self.upstream = upstream
        self.signing_keys = signing_keys
        self.hosts = {host.lower(): url.rstrip("/") for host, url in hosts.items()}
        self.default_url = default_url.rstrip("/") if default_url else None
        self.limit = limit
        self.keys = JwksCache(self._fetch_keys, (signing_keys or upstream).ref)
        self.rejected_routes = 0

    async def _fetch_keys(self) -> dict[str, Any]:
        assert self.signing_keys is not None  # checked before any key is asked for
        response = await self.signing_keys.send("GET", "")
        try:
            document = obj(response.json())
        except (ValueError, MalformedError) as exc:
            raise self.signing_keys.bad_response("key set is not a JSON object") from exc
        # Issue 18: a withdrawn SSP key must stop verifying routes within its max-age.
        return FetchedKeys(document, max_age=cache_max_age(response.headers.get("cache-control")))

    async def route(self, leika_key: str, ars: str) -> RouteRecord | None:
        return await self.route_by(leika_key, ars=ars)

    async def route_by(
        self,
        leika_key: str,
        *,
        ars: str | None = None,
        ags: str | None = None,
        area_id: str | None = None,
    ) -> RouteRecord | None:
        """The first verified route for exactly one area: ARS (2/3/5/9/12 digits), AGS
        (2/3/5/8) or an area id of `/v1/areas`."""
        params = area_params(ars=ars, ags=ags, area_id=area_id)
        body = await self.upstream.get_json(
            "/v1/routes", {"leikaKey": leika_key, **params, "limit": self.limit}
        )
        try:
            routes = [obj(r) for r in items_of(obj(body)["routes"])]
        except (MalformedError, KeyError) as exc:
            raise self.upstream.bad_response(f"unexpected routes: {exc}") from exc
        for raw in routes:
            found = await self._verified(raw, leika_key)
            if found is not None:
                return found
        return None

    async def _verified(self, raw: dict[str, Any], leika_key: str) -> RouteRecord | None:
        if self.signing_keys is None:
            logger.warning("no Self-Service-Portal key set configured: routes cannot be trusted")
            return None
        try:
            token = text(raw["destinationSignature"])
            kid = jws.extract_compact(token.encode("ascii")).protected.get("kid")
            keys = await self.keys.keys_for(kid if isinstance(kid, str) else None)
            payload = jws.deserialize_compact(token, keys, algorithms=["PS512"]).payload
            route = parse_route(raw, obj(json.loads(payload)), leika_key, self.hosts)
        except (JoseError, MalformedError, KeyError, ValueError, UnicodeError) as exc:
            self.rejected_routes += 1
            logger.warning("dropped a route: %s", type(exc).__name__)
            return None
        if route.submission_url is None and self.default_url is not None:
            return replace(route, submission_url=self.default_url)
        return route


def area_params(
    *, ars: str | None = None, ags: str | None = None, area_id: str | None = None
) -> dict[str, str]:
    """The one area parameter of `/v1/routes`; ValueError unless exactly one is well-formed."""
    given = {k: v for k, v in (("ars", ars), ("ags", ags), ("areaId", area_id)) if v is not None}
    if len(given) != 1:
        raise ValueError("give exactly one of ars, ags, area_id")
    [(name, value)] = given.items()
    pattern = {"ars": ARS, "ags": AGS, "areaId": re.compile(r"^\d+$")}[name]
    if not pattern.match(value):
        raise ValueError(f"{name} {value!r} is malformed")
    return given


def bare_host(value: str) -> str:
    """The host name of a `submissionHost`: bare as specified, tolerating a URL form."""
    host = urlsplit(value).hostname if "://" in value else value
    host = (host or "").strip().lower().rstrip(".")
    if not HOST.match(host):
        raise MalformedError("submissionHost is not a host name")
    return host


def parse_route(
    raw: dict[str, Any], signed: dict[str, Any], leika_key: str, hosts: Mapping[str, str]
) -> RouteRecord:
    """A route whose verified payload names the same destination and offers the LeiKa key."""
    destination_id = text(raw["destinationId"])
    if text(signed["destinationId"]).lower() != destination_id.lower():
        raise MalformedError("signature names another destination")
    offered = {
        text(i) for s in map(obj, items_of(signed["services"])) for i in items_of(s["leistungIDs"])
    }
    if LEIKA_URN + leika_key not in offered:
        raise MalformedError("signature does not cover this service")
    host = bare_host(text(signed["submissionHost"]))
    return RouteRecord(
        destination_id=destination_id.lower(),
        destination_name=optional_str(raw.get("destinationName")),
        submission_host=host,
        submission_url=hosts.get(host),
    )
