"""A PVOG-Suchdienst-style services upstream for one portal (reference §1.2 endpoints).

Shapes follow tests/samples/pvog/: search hits may lack `leikakeys` (the detail view has
them), the organisation-unit detail takes one `q` and answers one object whose `role` is an
object derived from `lbId` (without it: Ansprechpunkt). `keywords` is the sandbox's own
search index and is never served.
"""

from __future__ import annotations

import math
import re

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.data import JSON, PortalData
from sandbox.instrument import Instrumented, problem
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.pvog import pvog_document

ARS12 = re.compile(r"\d{12}", re.ASCII)
LEIKA = re.compile(r"99\d{12}", re.ASCII)
# Significant ARS lengths (Land, Regierungsbezirk, Kreis, Gemeindeverband, Gemeinde); Bund is 0.
ARS_LENGTHS = (0, 2, 3, 5, 9, 12)
TAGS = re.compile(r"<[^>]+>")
MIN_SIZE, MAX_SIZE, DEFAULT_SIZE, MAX_LIMIT, DEFAULT_LIMIT = (
    5,
    500,
    20,
    100,
    10,
)  # size ≥ 5 as the live PVOG
MALFORMED = {
    "/v8beta1/servicedescriptions": b'{"serviceDescriptions": {"content": [{"id": 42',
    "/v6/servicedescriptions": b'{"id": "L100002.LB.1", "name": "Reisepass',
    "/v5/organisationunits": b'{"id": "L100002.OE.4711", "title": ',
    "/v3/locations": b'[{"ars": "0531',
}
INTERNAL = ("keywords",)  # the sandbox's own fields, never part of an answer
ROLE_CODES = {"Zuständige Stelle": "01", "Ansprechpunkt": "03"}


def served(sd: JSON, *, hit: bool = False) -> JSON:
    """A description as answered: without internal fields; as a search hit, one in ten of them
    (seeded by id) without `leikakeys`, as PVOG search hits may come [I: the share]."""
    answer = {k: v for k, v in sd.items() if k not in INTERNAL}
    if hit and int(sd["id"].rsplit(".", 1)[1]) % 10 == 0:
        del answer["leikakeys"]
    return answer


def covers(area: str, ars: str) -> bool:
    """Whether a description written for region `area` applies at `ars` (ancestor or equal)."""
    length = next(n for n in ARS_LENGTHS if not area[n:].strip("0"))
    return ars.startswith(area[:length])


class BadRequestError(ValueError):
    pass


class PvogUpstream:
    """The endpoints over one portal's data; `app` is the instrumented ASGI application."""

    def __init__(self, data: PortalData, *, seed: int) -> None:
        self.data = data
        self.haystacks = {sd["id"]: _haystack(sd) for sd in data.descriptions}
        # (service id, OE id) -> role name, for the role of an OE asked for with lbId.
        self.roles = {
            (sd["id"], oe_id): org["role"]["name"]
            for sd in data.descriptions
            for oe_id, org in zip(sd["organisationIds"], sd["organisations"], strict=True)
        }
        routes = [
            Route("/v8beta1/servicedescriptions", self.search, methods=["GET"]),
            Route("/v6/servicedescriptions/{id}/detail", self.detail, methods=["GET"]),
            Route("/v5/organisationunits/detail", self.organisations, methods=["GET"]),
            Route("/v3/locations", self.locations, methods=["GET"]),
        ]
        handlers = {**HTTP_PROBLEMS, BadRequestError: _bad_request}
        starlette = Starlette(routes=routes, exception_handlers=handlers)
        counted = Instrumented(
            starlette, routes=routes, seed=seed, malformed=MALFORMED, query_keys=("page", "size")
        )
        self.app = with_openapi(pvog_document, counted)

    async def search(self, request: Request) -> Response:
        params = request.query_params
        ars = _ars(params.get("ars"))
        if ars is None:
            raise BadRequestError("ars (a 12-digit Amtlicher Regionalschlüssel) is required")
        text = (params.get("q") or "").strip().casefold()
        keys = {k for raw in params.getlist("leikaIds") for k in raw.split(",") if k.strip()}
        if bad := sorted(k for k in keys if not LEIKA.fullmatch(k)):
            raise BadRequestError(
                f"leikaIds must be 14-digit LeiKa keys starting with 99 (got {bad[0]!r})"
            )
        page = _int(params.get("page"), "page", default=0, low=0, high=10**6)
        size = _int(params.get("size"), "size", default=DEFAULT_SIZE, low=MIN_SIZE, high=MAX_SIZE)
        hierarchy = _bool(params.get("useArsHierarchy"), "useArsHierarchy", default=True)
        matches = [
            sd
            for sd in self.data.descriptions
            if any(covers(area, ars) if hierarchy else area == ars for area in sd["ars"])
            and (not keys or keys & set(sd["leikakeys"]))
            and (not text or text in self.haystacks[sd["id"]])
        ]
        body = {
            "content": [served(sd, hit=True) for sd in matches[page * size : (page + 1) * size]],
            "totalElements": len(matches),
            "totalPages": math.ceil(len(matches) / size),
            "number": page,
            "size": size,
        }
        return JSONResponse({"serviceDescriptions": body})

    async def detail(self, request: Request) -> Response:
        _ars(request.query_params.get("ars"))
        service_id = request.path_params["id"]
        found = self.data.by_id.get(service_id)
        if found is None:
            return problem(404, f"no service description {service_id!r} at {self.data.portal.name}")
        return JSONResponse(served(found))

    async def organisations(self, request: Request) -> Response:
        params = request.query_params
        wanted = [q for q in params.getlist("q") if q.strip()]
        if len(wanted) != 1:
            raise BadRequestError("q must name exactly one Organisationseinheit id")
        _ars(params.get("ars"))
        found = self.data.organisations.get(wanted[0])
        if found is None:
            return problem(404, f"no organisation unit {wanted[0]!r} at {self.data.portal.name}")
        # The role depends on the service asked about (lbId); without one it is Ansprechpunkt.
        name = self.roles.get((params.get("lbId") or "", wanted[0]), "Ansprechpunkt")
        return JSONResponse(found | {"role": {"code": ROLE_CODES[name], "name": name}})

    async def locations(self, request: Request) -> Response:
        params = request.query_params
        text = (params.get("q") or "").strip().casefold()
        limit = _int(params.get("limit"), "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
        found = [
            loc
            for loc in self.data.locations
            if text in loc["name"].casefold()
            or (text and any(z.startswith(text) for z in loc["zip"]))
            or (text.isdigit() and loc["ars"].startswith(text))  # an ARS (prefix)
        ]
        # Names starting with the text first, as an autocomplete would rank them.
        found.sort(
            key=lambda loc: (not loc["name"].casefold().startswith(text), loc["name"], loc["ars"])
        )
        return JSONResponse(found[:limit])


def _haystack(sd: JSON) -> str:
    teaser = next((d.get("text", "") for d in sd["details"] if d["code"] == "24"), "")
    return " ".join([sd["name"], TAGS.sub(" ", teaser), *sd["keywords"]]).casefold()


def _ars(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not ARS12.fullmatch(value):
        raise BadRequestError(f"ars must be a 12-digit Amtlicher Regionalschlüssel (got {value!r})")
    return value


def _int(value: str | None, name: str, *, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise BadRequestError(f"{name} must be an integer from {low} to {high} (got {value!r})")
    return int(value)


def _bool(value: str | None, name: str, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() not in ("true", "false"):
        raise BadRequestError(f"{name} must be true or false (got {value!r})")
    return value.lower() == "true"


async def _bad_request(request: Request, exc: Exception) -> Response:
    return problem(400, str(exc))
