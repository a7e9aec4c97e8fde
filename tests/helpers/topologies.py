"""Small network files version 2 for tests that need a `Topology` but no upstreams."""

from __future__ import annotations

from sources.topology import Topology, parse_topology

MINIMAL = """
version = 2

[pvog]
url = "http://127.0.0.1:9/pvog"

[fitconnect]
submission_url = "http://127.0.0.1:9/fitconnect"
api = "v1"
routing_url = "http://127.0.0.1:9/routing"
route_keys_url = "http://127.0.0.1:9/ssp/jwks.json"

[fitconnect.auth]
type = "oauth2_client_credentials"
token_url = "http://127.0.0.1:9/token"
client_id = "portalgraph"
client_secret_env = "TEST_FITCONNECT_SECRET"

[[portals]]
id = "bund"
name = "Verwaltungsportal des Bundes"
tier = "FEDERAL"
ars = "000000000000"
"""


def minimal_topology(extra: str = "") -> Topology:
    """PVOG, FIT-Connect and the Bund portal; `extra` is appended as TOML."""
    return parse_topology(MINIMAL + extra, source="test-network.toml")
