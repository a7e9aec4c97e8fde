"""The uvicorn server, with a graceful shutdown that tells WebSocket clients to go elsewhere.

uvicorn itself closes open WebSockets with 1012 before the app's lifespan hears of
the shutdown; closing them first with 1001 ("going away") and turning readiness
off lets clients reconnect to another replica straight away.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import multiprocess

from graph.view import ACTIVE_VIEWS


class GatewayServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # This server's own view when it was handed an app object (tests run several in
        # one process); every view of the process when uvicorn built the app itself.
        own = getattr(getattr(self.config.app, "state", None), "view", None)
        for view in [own] if own is not None else list(ACTIVE_VIEWS):
            view.draining = True
            await view.close_websockets()
        await super().shutdown(sockets)


def run(config: uvicorn.Config) -> None:
    """Like `uvicorn.run`, with `GatewayServer` in every worker."""
    if config.workers > 1:
        # uvicorn builds each worker's server itself, by this module-level name.
        setattr(multiprocess, "Server", GatewayServer)  # noqa: B010 - uvicorn does not export it
        sock = config.bind_socket()
        multiprocess.Multiprocess(config, sockets=[sock]).run()
    else:
        GatewayServer(config).run()
