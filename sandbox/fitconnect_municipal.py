"""FIT-Connect destinations of the platform's municipalities: one per authority, one Submission API base.

Every municipality Kommunalportal.NRW serves (beyond the hand-written Köln and Dormagen)
gets its own destination for its locally described service (the dog tax): its own
destination id, key ids and event log, routed for its own ARS. As in the real
FIT-Connect, all of them are reached through one Submission API base
(`/zustelldienst/kommunen`, the network file's default `submission_url`): `Municipal`
finds the destination of each request by the destination id, submission id, case id or
application id it names. The destinations share one RSA-4096 key pair [I: real
authorities each have their own], so 393 destinations cost two keys, not 786.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import KeySet
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from sandbox.callbacks import CallbackSender
from sandbox.case_store import CaseStore
from sandbox.citizens import Citizen
from sandbox.data import PortalData
from sandbox.data_types import Portal
from sandbox.destination import Destination, destination_id
from sandbox.fitconnect import create_status_app
from sandbox.fitconnect_hub import Destinations
from sandbox.instrument import problem
from sandbox.nrw_places import Municipality
from sandbox.pvog_catalogue import DESCRIBED
from sandbox.scale import local_service, slug
from sandbox.submission_api import create_submission_app

GROUP = "kommunen"
ID = r"([0-9A-Fa-f-]{36})"
BY_DESTINATION = re.compile(rf"^/v1/destinations/{ID}(/|$)")
BY_SUBMISSION = re.compile(rf"^/v1/submissions/{ID}(/|$)")
BY_CASE = re.compile(rf"^/v1/cases/{ID}/|^/_sandbox/cases/{ID}/")
BY_APPLICATION = re.compile(r"^/_sandbox/applications/([^/]+)/advance$")


def municipal(municipalities: Iterable[Municipality]) -> dict[str, PortalData]:
    """Slug -> the municipality's own catalogue (its local service), for routing offers."""
    found = {}
    for index, town in enumerate(municipalities):
        if town.ars in DESCRIBED:
            continue
        service = local_service(town, index)
        portal = Portal(slug(town.name), town.name, "MUNICIPAL", town.ars, "", "", "", "", "")
        found[portal.id] = PortalData(portal, (service,), {service["id"]: service}, {}, ())
    return found


@dataclass(frozen=True, slots=True)
class Shared:
    """What every destination of the one FIT-Connect shares: token check, case store, callbacks."""

    audience: str
    issuer: Callable[[], str]
    jwks: Callable[[], KeySet]
    cases: CaseStore
    citizens: list[Citizen]
    callbacks: CallbackSender

    def common(self) -> dict[str, Any]:
        names = ("audience", "issuer", "jwks", "cases", "callbacks")
        return {name: getattr(self, name) for name in names}


def destination_group(
    group: str, services: Mapping[str, str], shared: Shared, destination: Destination | None = None
) -> Destinations:
    """One destination's Submission API and event log behind one base path."""
    accepting = create_submission_app(
        portal_id=group,
        services=services,
        destination=destination,
        citizens=shared.citizens,
        **shared.common(),
    )
    events = create_status_app(portal_id=group, destination=destination, **shared.common())
    return Destinations(accepting, events)


class Municipal:
    """One ASGI app in front of every municipal destination's Submission API and event log."""

    def __init__(self, catalogue: Mapping[str, PortalData], shared: Shared) -> None:
        self.cases = shared.cases
        self.groups: dict[str, Destinations] = {}
        self.submissions: dict[str, dict[str, Any]] = {}
        for group, data in catalogue.items():
            destination = Destination(group, keys_of=GROUP, ars=data.portal.ars)
            services = {k: str(sd["name"]) for sd in data.descriptions for k in sd["leikakeys"]}
            found = destination_group(group, services, shared, destination)
            self.submissions[group] = found.submissions.state.submissions
            self.groups[group] = found
        self.by_destination = {destination_id(group): group for group in self.groups}
        if self.groups:
            Destination(next(iter(self.groups)), keys_of=GROUP).warm()  # the shared pair

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = str(scope["path"]).removeprefix(str(scope.get("root_path", "")))
        if scope["method"] == "POST" and path == "/v1/submissions":
            body, receive = await _buffered(scope, receive)
            group = self._named(body)
        else:
            group = self._group(path)
        app = self.groups.get(group or "")
        if app is None:
            response = problem(404, "no municipal destination knows this resource")
            await response(scope, receive, send)
            return
        await app(scope, receive, send)

    def _group(self, path: str) -> str | None:
        if found := BY_DESTINATION.match(path):
            return self.by_destination.get(found.group(1).lower())
        if found := BY_SUBMISSION.match(path):
            wanted = found.group(1)
            return next((g for g, known in self.submissions.items() if wanted in known), None)
        if found := BY_CASE.match(path):
            app = self.cases.case(found.group(1) or found.group(2))
            return app.portal_id if app else None
        if found := BY_APPLICATION.match(path):
            app = self.cases.application(found.group(1))
            return app.portal_id if app else None
        # Key set of the Zustelldienst, schemas, the OpenAPI document: the same everywhere.
        return next(iter(self.groups), None)

    def _named(self, body: bytes) -> str | None:
        try:
            target = json.loads(body).get("destinationId")
        except (ValueError, AttributeError):
            return next(iter(self.groups), None)  # let the Submission API say what is wrong
        return self.by_destination.get(str(target).lower()) if target else None


async def _buffered(scope: Scope, receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a `receive` that replays it."""
    body = await Request(scope, receive).body()
    replayed: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return replayed.pop() if replayed else await receive()

    return body, replay
