"""The one FIT-Connect of the topology sandbox, on one server.

Paths (one base URL):
- `POST /token` — FIT-Connect's own token endpoint (client credentials as form fields,
  scopes registered in the Self-Service-Portal: `send:region:DE05`), `GET /jwks` its keys;
- `/routing/v1/routes|areas|info` — the Routing API; `/routing/ssp/.well-known/jwks.json`
  the Self-Service-Portal key set that signs routes [I: its own host in reality];
- `/zustelldienst/<group>/v1/...` — the Submission API with the event log of one
  destination each for `bund`, `nrw`, `koeln`, `dormagen` (the authorities of the
  hand-written catalogue); signed routes name the bare host
  `submission-api-<group>.sandbox.invalid`, which the network file maps to that base;
- `/zustelldienst/kommunen/v1/...` — one base for the destinations of every further
  municipality (`sandbox.fitconnect_municipal`), the network file's default `submission_url`.

Every Submission-API and event-log call needs a bearer token of the token endpoint
(audience `FITCONNECT_AUDIENCE`). `/_sandbox/stats` and `/_sandbox/faults` at the root
cover the whole FIT-Connect (a fault takes `path_prefix`, e.g. `/zustelldienst/koeln`);
each group keeps its helpers (`/zustelldienst/<group>/_sandbox/applications`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.instrument import CONTROL_PREFIX, Instrumented
from sandbox.oauth_server import TokenEndpoint
from sandbox.openapi.common import Doc, with_openapi
from sandbox.openapi.routing import routing_document
from sandbox.openapi.status import status_document
from sandbox.openapi.submission import submission_document

FITCONNECT_AUDIENCE = "urn:portalgraph:fitconnect"
SCOPES = frozenset({"send:region:DE05"})
GROUP_PATHS = (
    "/v1/submissions",
    "/v1/submissions/{submissionId}",
    "/v1/submissions/{submissionId}/attachments/{attachmentId}",
    "/v1/destinations/{destinationId}",
    "/v1/destinations/{destinationId}/keys/{keyId}",
    "/v1/cases/{caseId}/events",
    "/.well-known/jwks.json",
    "/schemas/{leikaKey}.schema.json",
)
ROUTING_PATHS = ("/v1/routes", "/v1/areas", "/v1/info")
EVENT_LOG = ("/v1/cases/", "/.well-known/", "/_sandbox/")  # served by the status app


def group_base(group: str) -> str:
    return f"/zustelldienst/{group}"


class Destinations:
    """One group's Submission API and event log behind one base path."""

    def __init__(self, submissions: Starlette, events: ASGIApp) -> None:
        self.submissions, self.events = submissions, events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Inside a Mount the path stays whole; the mount's prefix is in root_path.
        path = str(scope.get("path", "")).removeprefix(str(scope.get("root_path", "")))
        app = self.events if path.startswith(EVENT_LOG) else self.submissions
        await app(scope, receive, send)


class _Counted(Instrumented):
    """Counts the whole FIT-Connect; the groups' own `/_sandbox/*` helpers pass uncounted."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and "/_sandbox/" in path and not path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _templates(groups: Iterable[str]) -> list[BaseRoute]:
    def nothing() -> None:  # pragma: no cover - only the path templates are used
        return None

    paths = [group_base(g) + p for g in groups for p in GROUP_PATHS]
    paths += ["/routing" + p for p in ROUTING_PATHS] + ["/token", "/jwks"]
    return [Route(p, nothing) for p in paths]


def create_fitconnect_app(
    *,
    token: TokenEndpoint,
    routing: ASGIApp,
    groups: dict[str, ASGIApp],
    seed: int,
) -> Starlette:
    """`groups`: group → its Submission API and event log (`Destinations`, `Municipal`)."""
    routes: list[BaseRoute] = [*token.routes(), Mount("/routing", app=routing)]
    routes += [Mount(group_base(g), app=app) for g, app in groups.items()]
    inner = Starlette(routes=routes)
    counted = _Counted(inner, routes=_templates(groups), seed=seed)
    return with_openapi(_document(list(groups)), counted)


def _document(groups: list[str]) -> Callable[[], Doc]:
    def build() -> Doc:
        merged: dict[str, Any] = {"openapi": "3.1.0", "paths": {}, "components": {}}
        merged["info"] = {
            "title": "FIT-Connect (Portalgraph sandbox): Submission API, event log, Routing API",
            "version": "1.1.3",
        }
        parts: list[tuple[str, Doc]] = [("/routing", routing_document())]
        parts += [(group_base(g), submission_document()) for g in groups]
        parts += [(group_base(g), status_document()) for g in groups]
        for prefix, doc in parts:
            for path, item in doc.get("paths", {}).items():
                merged["paths"].setdefault(prefix + path, {}).update(item)
            for kind, found in doc.get("components", {}).items():
                merged["components"].setdefault(kind, {}).update(found)
        return merged

    return build
