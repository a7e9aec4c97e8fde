"""What one citizen has upstream does not depend on the number of municipalities (4 / 40 / 396).

The gateway's equal-cost test compares `/_sandbox/stats` across sandbox sizes; that only
means something if the sandbox answers the same citizen the same way at every size: the
same account areas, applications, Postfach and case logs, counted under the same keys.
"""

from __future__ import annotations

from typing import Any

from sandbox.idp_grants import ACCESS_TOKEN_TYPE
from sandbox.runner import GATEWAY_CLIENT_ID
from sandbox.topology_document import account_entries, portal_audience
from tests.helpers.topology_sandbox import TopologySandboxHandle, topology_sandbox

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


def citizen_view(sandbox: TopologySandboxHandle, login: str) -> dict[str, Any]:
    """A dashboard's worth of direct upstream calls for `login`: accounts, applications, mail."""
    secret = sandbox.env["PORTALGRAPH_IDP_CLIENT_SECRET"]
    sandbox.reset_stats()
    seen: dict[str, Any] = {}
    for entry in account_entries():
        form = {
            "grant_type": EXCHANGE,
            "subject_token": sandbox.demo_token(login),
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "audience": portal_audience(entry),
        }
        with sandbox.client("identity") as idp:
            token = idp.post("/token", data=form, auth=(GATEWAY_CLIENT_ID, secret))
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        with sandbox.client(f"portals.{entry}.accounts", headers=bearer) as area:
            me = area.get("/v1/me")
            apps = area.get("/v1/me/applications")
        seen[entry] = (me.status_code, apps.status_code, apps.json() if apps.is_success else None)
        if entry == "bund":
            with sandbox.client("portals.bund.inbox", headers=bearer) as postfach:
                seen["postfach"] = postfach.get("/v1/messages", params={"limit": 500}).json()
    seen["stats"] = sandbox.all_stats()
    return seen


def test_one_citizen_is_answered_alike_at_4_40_and_396_municipalities(
    topology: TopologySandboxHandle,
) -> None:
    views = [citizen_view(topology, "max")]
    for count in (40, None):
        with topology_sandbox(municipalities=count) as bigger:
            views.append(citizen_view(bigger, "max"))
    assert views[0]["kommunalportal-nrw"][0] == 200  # max's Dormagen account, on the platform
    assert views[0]["koeln"][0] == 404  # no account at Köln's portal
    assert views[0] == views[1] == views[2]
