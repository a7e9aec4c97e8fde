"""Building blocks of the sandbox's OpenAPI 3.1 documents and the route that serves them.

Every upstream module builds its document as a plain dict with these helpers; `openapi_route`
serves it at `GET /openapi.json` with `servers` set to the answering server's base URL (the
ports are only known at run time). `with_openapi` routes it before the `Instrumented` wrapper,
so fetching the document is neither counted nor faulted, like the `/_sandbox/*` helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

Doc = dict[str, Any]
JSON = "application/json"
PROBLEM = "application/problem+json"
SANDBOX = {"x-sandbox": True}  # marks a sandbox invention, not taken from the real spec
BEARER_JWT = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "RS256 JWT of the sandbox IdP minted for this upstream's audience.",
}
PROBLEM_SCHEMA: Doc = {
    "type": "object",
    "description": "RFC 7807 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}
STRING = {"type": "string"}
DATE_TIME = {"type": "string", "format": "date-time"}
CACHE_CONTROL = {"Cache-Control": {"schema": STRING, "required": True}}
B64URL = {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}
RSA_JWK: Doc = {
    "type": "object",
    "description": "Public RSA JWK (RFC 7517).",
    "required": ["kty", "kid", "alg", "n", "e"],
    "properties": {
        "kty": {"const": "RSA"},
        "kid": STRING,
        "alg": {"enum": ["PS512", "RSA-OAEP-256", "RS256"]},
        "use": {"enum": ["sig", "enc"]},
        "key_ops": {"type": "array", "items": {"enum": ["verify", "wrapKey"]}},
        "n": B64URL,
        "e": B64URL,
    },
    "additionalProperties": False,
}
JWKS: Doc = {
    "type": "object",
    "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": RSA_JWK, "minItems": 1}},
    "additionalProperties": False,
}
# FIT-Connect's JWK (Submission API 1.1.3 and Routing API 2.0.0 `JWK`): RSA ≥ 4096 bit
# (`n` ≥ 683 characters), `e` AQAB, with the certificate chain in `x5c`.
FIT_CONNECT_JWK: Doc = {
    "type": "object",
    "required": ["kty", "key_ops", "alg", "x5c", "kid", "n", "e"],
    "properties": {
        "kty": {"const": "RSA"},
        "key_ops": {"type": "array", "items": {"enum": ["verify", "wrapKey"]}},
        "alg": {"enum": ["PS512", "RSA-OAEP-256"]},
        "x5c": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "kid": {"type": "string", "minLength": 8, "maxLength": 64},
        "n": B64URL | {"minLength": 683},
        "e": {"const": "AQAB"},
    },
    "additionalProperties": False,
}
FIT_CONNECT_JWKS: Doc = {
    "type": "object",
    "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": FIT_CONNECT_JWK, "minItems": 1}},
    "additionalProperties": False,
}


def ref(name: str) -> Doc:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], properties: Doc, **extra: Any) -> Doc:
    """A closed object schema: the sandbox sends exactly these members."""
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    } | extra


def array(items: Doc, **extra: Any) -> Doc:
    return {"type": "array", "items": items} | extra


def ok(schema: Doc, description: str = "OK", media: str = JSON, **extra: Any) -> Doc:
    return {"description": description, "content": {media: {"schema": schema}}} | extra


def problem(description: str, **extra: Any) -> Doc:
    return {"description": description, "content": {PROBLEM: {"schema": ref("Problem")}}} | extra


def unauthorized() -> Doc:
    header = {"WWW-Authenticate": {"schema": STRING, "required": True}}
    return problem("Bearer token missing, invalid, expired or for another audience", headers=header)


def no_content(description: str = "Done") -> Doc:
    return {"description": description}


def query(name: str, schema: Doc, description: str, **extra: Any) -> Doc:
    return {"name": name, "in": "query", "schema": schema, "description": description} | extra


def path(name: str, schema: Doc | None = None, description: str = "") -> Doc:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema or {"type": "string"},
        "description": description or name,
    }


def paging(default: int = 100) -> list[Doc]:
    """FIT-Connect `limit`/`offset`, also used by the sandbox's own [I] lists."""
    return [
        query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": 500, "default": default},
            "Page size",
        ),
        query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Items to skip"),
    ]


def envelope(key: str, items: Doc) -> Doc:
    """The FIT-Connect list envelope `{count, offset, totalCount, <key>}`."""
    count = {"type": "integer", "minimum": 0}
    return obj(
        ["count", "offset", "totalCount", key],
        {"count": count, "offset": count, "totalCount": count, key: array(items)},
    )


def document(
    title: str,
    description: str,
    paths: Doc,
    schemas: Doc,
    *,
    version: str = "1.0.0-sandbox",
    security_schemes: Doc | None = None,
    security: list[Doc] | None = None,
) -> Doc:
    """The whole document; `security` is the default requirement of every operation."""
    components: Doc = {"schemas": {"Problem": PROBLEM_SCHEMA, **schemas}}
    if security_schemes:
        components["securitySchemes"] = security_schemes
    built: Doc = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": components,
    }
    return built | ({"security": security} if security is not None else {})


def openapi_route(build: Callable[[], Doc]) -> Route:
    """`GET /openapi.json`: the document from `build()` (built once) with this server's URL."""
    built: list[Doc] = []

    async def serve(request: Request) -> Response:
        if not built:
            built.append(build())
        base = str(request.base_url).rstrip("/")
        return JSONResponse(built[0] | {"servers": [{"url": base}]})

    return Route("/openapi.json", serve, methods=["GET"])


async def _http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    body = {
        "type": "about:blank",
        "title": HTTPStatus(exc.status_code).phrase,
        "status": exc.status_code,
        "detail": f"{request.method} {request.url.path} is not an endpoint of this upstream",
    }
    return JSONResponse(body, exc.status_code, headers=exc.headers, media_type=PROBLEM)


# Starlette answers unknown paths and methods in text/plain; the upstreams answer problem+json.
HTTP_PROBLEMS: Mapping[Any, Callable[[Request, Exception], Any]] = {
    404: _http_problem,
    405: _http_problem,
}


def with_openapi(
    build: Callable[[], Doc], counted: ASGIApp, helpers: Sequence[BaseRoute] = ()
) -> Starlette:
    """The served app: uncounted `helpers` and `/openapi.json`, then the counted upstream."""
    routes = [*helpers, openapi_route(build), Mount("", app=counted)]
    return Starlette(routes=routes, exception_handlers=dict(HTTP_PROBLEMS))
