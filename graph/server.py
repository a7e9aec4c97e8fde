"""The uvicorn server, with a graceful shutdown that tells WebSocket clients to go elsewhere.

uvicorn itself closes open WebSockets with 1012 before the app's lifespan hears of
the shutdown; closing them first with 1001 ("going away") and turning readiness
off lets clients reconnect to another replica straight away.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import os
import socket
import sys
from pathlib import Path
from typing import Any, ClassVar

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import multiprocess

from graph.http.slow_clients import HeadTimeoutProtocol
from graph.http.view import ACTIVE_VIEWS
from graph.ops import multiproc
from graph.settings import Settings

logger = logging.getLogger("portalgraph.server")
uvicorn_logger = logging.getLogger("uvicorn.error")
CGROUP_CPU = Path("/sys/fs/cgroup/cpu.max")
WORKER_HEALTHCHECK_S = 30


class GatewayServer(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if isinstance(self.config.app, str) and not self.should_exit:
            freeze_startup_heap()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Every view of the process when uvicorn built the app itself (`serve`); else only
        # the view of the app object it was handed. Tests run several servers in one
        # process, some serving apps that are not gateways: those drain no gateway.
        app = self.config.app
        if isinstance(app, str):
            views = list(ACTIVE_VIEWS)
        else:
            own = getattr(getattr(app, "state", None), "view", None)
            views = [own] if own is not None else []
        for view in views:
            view.draining = True
            await view.close_websockets()
        # Keep serving while /readyz says 503, so load balancers stop sending new
        # requests before the listener closes (a second Ctrl-C / SIGTERM cuts it short).
        delay = max((v.shutdown_delay for v in views), default=0.0)
        if delay:
            logger.info("draining: readiness is 503, closing the listener in %.1f s", delay)
        deadline = asyncio.get_running_loop().time() + delay
        while not self.force_exit and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
            await asyncio.sleep(0.05)
        await super().shutdown(sockets)


def freeze_startup_heap() -> None:
    """Move what start-up made (modules, schema, adapters: most of the heap) out of the
    cyclic collector's way: `gc.freeze()` puts it in the permanent generation, so a full
    collection walks only what requests made since (issue 21). Only where `serve` built
    the app itself (uvicorn was handed an import string); tests run many apps in one
    process, and frozen objects are never collected."""
    gc.collect()
    gc.freeze()
    logger.debug("start-up heap frozen: %d objects", gc.get_freeze_count())


class GatewayProcess(multiprocess.Process):
    """A uvicorn worker process that runs `GatewayServer` on a listening socket of its own.

    Workers are spawned, not forked: a patched module attribute would not reach them,
    but this class is pickled by reference, so the child imports it and its server.
    Of the sockets `worker_sockets` made, each worker takes one no living worker holds
    (a replacement takes the dead worker's); with none free it shares one.
    """

    holders: ClassVar[dict[int, GatewayProcess]] = {}
    claims: ClassVar[int] = 0

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        own = self.claim(sockets)
        super().__init__(config, [own])
        GatewayProcess.holders[own.fileno()] = self

    @classmethod
    def claim(cls, sockets: list[socket.socket]) -> socket.socket:
        for sock in sockets:
            holder = cls.holders.get(sock.fileno())
            if holder is None or not holder.process.is_alive():
                return sock
        cls.claims += 1  # a restart of every worker: the newcomer shares until the old ends
        return sockets[cls.claims % len(sockets)]

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = GatewayServer(config=self.config)
        return self._server

    def join(self) -> None:
        super().join()
        multiproc.worker_exited(self.pid)  # its open WebSockets no longer count


def worker_count(configured: int) -> int:
    """`configured`, or with 0 one worker per CPU this process may use (cgroup quota included)."""
    if configured > 0:
        return configured
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        quota, period = CGROUP_CPU.read_text().split()
        if quota != "max":  # a container limited to e.g. 1.5 CPUs gets 2 workers
            cpus = min(cpus or 1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass  # no cgroup v2 limit visible: the affinity mask decides
    return max(1, cpus or 1)


def run(config: uvicorn.Config) -> None:
    """Like `uvicorn.run`, with `GatewayServer` in every worker and, with several workers,
    metrics summed across them (graph/ops/multiproc.py)."""
    with multiproc.shared_directory(config.workers):
        if config.workers > 1:
            # uvicorn creates its worker processes by this module-level name.
            setattr(multiprocess, "Process", GatewayProcess)  # noqa: B010 - uvicorn does not export it
            multiprocess.Multiprocess(config, sockets=worker_sockets(config)).run()
        else:
            GatewayServer(config).run()


def worker_sockets(config: uvicorn.Config) -> list[socket.socket]:
    """One listening socket per worker, all on the same port (SO_REUSEPORT), so the kernel
    spreads new connections across the workers. On one shared socket the worker that woke
    first accepted a whole burst of keep-alive connections and the other idled: two
    workers served fewer requests per second than one (bench/RESULTS.md, Workers)."""
    if not hasattr(socket, "SO_REUSEPORT") or config.uds is not None or config.fd is not None:
        return [config.bind_socket()]
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    port, sockets = config.port, []
    for _ in range(config.workers):
        sock = socket.socket(family=family)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((config.host, port))
        except OSError as exc:
            uvicorn_logger.error(exc)
            sys.exit(STARTUP_FAILURE)
        port = sock.getsockname()[1]  # port 0: the others join the port the first got
        sock.set_inheritable(True)
        sockets.append(sock)
    uvicorn_logger.info(
        "Uvicorn running on http://%s:%d (Press CTRL+C to quit), %d listening sockets",
        config.host,
        port,
        len(sockets),
    )
    return sockets


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn options that belong to the gateway's limits (issue 18 #5, #6).

    - X-Forwarded-For is believed only from `PORTALGRAPH_TRUSTED_PROXIES` (uvicorn trusts
      127.0.0.1 by default: a client on the host could rotate it past the rate limits);
    - a request head must be complete within `PORTALGRAPH_CLIENT_HEADER_TIMEOUT`;
    - a WebSocket frame may be as large as a request body, no larger;
    - an idle keep-alive connection closes after 5 s; request heads are bounded (64 KiB);
    - with several workers, a worker is restarted when it has not answered the supervisor's
      health check for 30 s: uvicorn's 5 s killed workers still importing the app on a
      busy machine, over and over (the answering thread starts only after the imports).
    """
    trusted = settings.server.trusted_proxies.strip()
    return {
        "http": HeadTimeoutProtocol,  # its timeout: the served app's settings
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
        "ws_max_size": settings.server.max_body_bytes,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 64 * 1024,
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_S,
    }
