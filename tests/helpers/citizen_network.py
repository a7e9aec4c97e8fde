"""One citizen's dashboard against a fresh topology sandbox and gateway of a given size.

Erika names the four portals she has an account at once (each answer teaches the gateway an
account link), then every upstream's counters are zeroed and the dashboard asked: what it
showed and every upstream's calls during it. tests/e2e/test_citizen_cost.py compares the
sizes; bench/citizen_cost.py times them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway
from tests.helpers import topology_sandbox as topology
from tests.helpers.citizen_links import learn_links

DASHBOARD = """
query Dashboard {
  me {
    applications(first: 50) {
      totalCount
      edges { node {
        caseId portal { id } status statusHistory { status source }
        service { name } payments { transactionId status }
      } }
    }
    inbox(first: 50) { totalCount }
    unreadMessageCount
    accounts { portal { id } }
    outages { portalId capability code }
  }
}
"""


@contextmanager
def topology_gateway(
    size: int, loop: LoopThread, folder: Path, **overrides: Any
) -> Iterator[tuple[topology.TopologySandboxHandle, Gateway, Settings]]:
    """A fresh topology sandbox of `size` municipalities and a gateway on it (caches and
    breakers off, its journal in `folder`), stopped on leaving."""
    with topology.topology_sandbox(size, loop=loop, folder=folder / "sandbox") as sandbox:
        settings = Settings.from_env(sandbox.env).override(
            network=str(sandbox.network_file),
            data_dir=str(folder / "gateway"),
            cache=False,
            response_cache=False,
            breaker_failures=0,
            **overrides,
        )
        server = UvicornServer(create_app(settings))
        loop.call(server.start())
        gateway = Gateway(server.url)
        try:
            yield sandbox, gateway, settings
        finally:
            gateway.http.close()
            loop.call(server.stop())


def one_network(size: int, loop: LoopThread, folder: Path) -> tuple[Any, dict[str, Any]]:
    """(what the dashboard showed, every upstream's calls during it) at `size`."""
    with topology_gateway(size, loop, folder, upstream_read_timeout=10.0) as (
        sandbox,
        gateway,
        _,
    ):
        token = sandbox.demo_token("erika")
        sandbox.reset_stats()
        learn_links(gateway, token)
        learning = {name: dict(c) for name, c in sandbox.all_stats().items() if c}
        sandbox.reset_stats()
        body = gateway.query(DASHBOARD, token=token)
        assert "errors" not in body, body["errors"]
        calls = {name: dict(c) for name, c in sandbox.all_stats().items() if c}
    me = body["data"]["me"]
    shown = sorted(
        (a["node"]["portal"]["id"], a["node"]["status"], len(a["node"]["payments"]))
        for a in me["applications"]["edges"]
    )
    summary = (shown, me["inbox"]["totalCount"], me["accounts"], me["outages"], learning)
    return summary, calls
