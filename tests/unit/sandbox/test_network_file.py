"""The runner starts the new upstreams quickly and writes them into the network file."""

from __future__ import annotations

import time
import tomllib

from sandbox.runner import SandboxNetwork


async def test_network_file_lists_every_capability() -> None:
    network = SandboxNetwork()
    started = time.perf_counter()
    await network.start()
    try:
        assert time.perf_counter() - started < 2
        document = tomllib.loads(network.network_toml())
        for portal in document["portals"]:
            pid = portal["id"]
            assert portal["inbox"] == {
                "url": network.urls[(pid, "inbox")],
                "audience": f"urn:portalgraph:portal:{pid}",
            }
            assert portal["accounts"]["audience"] == portal["inbox"]["audience"]
            for capability, kind in (("status", "fitconnect"), ("payments", "xbezahldienste")):
                callback = (
                    {"callback_secret_env": f"PORTALGRAPH_CALLBACK_SECRET_{pid.upper()}"}
                    if capability == "status"
                    else {}
                )
                assert portal[capability] == {
                    "url": network.urls[(pid, capability)],
                    "audience": f"urn:portalgraph:{kind}:{pid}",
                    "client_id": "portalgraph-gateway",
                    "client_secret_env": "PORTALGRAPH_IDP_CLIENT_SECRET",
                    **callback,
                }
    finally:
        await network.stop()
