"""Starts the simulated upstream network: one uvicorn server per (portal, capability)."""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from starlette.types import ASGIApp

from sandbox import pki
from sandbox.callbacks import CallbackSender, callback_secret_env
from sandbox.case_store import CaseStore
from sandbox.data import DEFAULT_SEED
from sandbox.data_places import PORTALS
from sandbox.idp_keys import Issuer
from sandbox.instrument import release
from sandbox.network import PortalEntry, render_network
from sandbox.network_apps import (
    GATEWAY_AUDIENCE,
    GATEWAY_CLIENT_ID,
    IDENTITY,
    IDP_SECRET,
    IDP_SECRET_ENV,
    ROUTING,
    build_apps,
    callback_secrets,
    portal_audience,
    service_audiences,
)
from sandbox.routing import submission_host
from sandbox.servers import _Server, shut_down

START_TIMEOUT_S = 10.0
# Where they were defined first: bench/ and tests/ import them from here.
__all__ = [
    "GATEWAY_AUDIENCE",
    "GATEWAY_CLIENT_ID",
    "IDENTITY",
    "IDP_SECRET",
    "IDP_SECRET_ENV",
    "ROUTING",
    "SandboxNetwork",
    "callback_secrets",
    "portal_audience",
    "service_audiences",
]


class SandboxNetwork:
    """The seeded sandbox upstreams on loopback; start() and stop() run in the caller's loop."""

    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        host: str = "127.0.0.1",
        base_port: int | None = None,
        citizens: int = 200,
    ) -> None:
        self.seed = seed
        self.citizen_count = citizens
        self.issuer = Issuer()
        self.cases: CaseStore | None = None
        # Set the gateway's base URL here to receive FIT-Connect callbacks on case changes.
        self.callbacks = CallbackSender()
        self.host = host
        self.base_port = base_port
        self._apps: dict[tuple[str, str], ASGIApp] = {}
        self._servers: dict[tuple[str, str], tuple[_Server, asyncio.Task[None]]] = {}
        self._urls: dict[tuple[str, str], str] = {}

    @property
    def urls(self) -> dict[tuple[str, str], str]:
        """(portal_id, capability) -> base URL, e.g. ("koeln", "services") -> "http://127.0.0.1:40123"."""
        return dict(self._urls)

    def apps(self) -> dict[tuple[str, str], ASGIApp]:
        """The ASGI apps, built on first use; handy for in-process tests without sockets."""
        if not self._apps:
            self._apps, self.cases = build_apps(
                seed=self.seed,
                citizen_count=self.citizen_count,
                issuer=self.issuer,
                callbacks=self.callbacks,
                submission_hosts=lambda portal_id: self._urls.get((portal_id, "submissions")),
            )
        return dict(self._apps)

    async def start(self) -> None:
        """Bind every server and return once all of them accept connections."""
        if self._servers:
            return
        try:
            for index, (key, app) in enumerate(self.apps().items()):
                port = 0 if self.base_port is None else self.base_port + index
                await self._start_one(key, app, port)
                if key == IDENTITY:
                    self.issuer.url = self._urls[key]
            # The FIT-Connect keys (RSA 4096) are made in the background while the servers
            # start; the first start of a process waits for them, later starts find them made.
            await asyncio.to_thread(pki.ready)
        except BaseException:
            await self.stop()
            raise

    async def _start_one(self, key: tuple[str, str], app: ASGIApp, port: int) -> None:
        # Binding here, not in uvicorn, turns "port in use" into an OSError for the caller
        # instead of uvicorn's sys.exit() inside a task.
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when
        # their proto says TCP; with proto 0 every keep-alive request waits ~40 ms (Nagle).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, port))
        except OSError:
            sock.close()
            raise
        config = uvicorn.Config(
            app,
            host=self.host,
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        server = _Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"sandbox-{key[0]}-{key[1]}")
        self._servers[key] = (server, task)
        deadline = asyncio.get_running_loop().time() + START_TIMEOUT_S
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError(f"sandbox server {key} stopped during start-up")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"sandbox server {key} did not start within {START_TIMEOUT_S} s")
            await asyncio.sleep(0.01)
        real_port = server.servers[0].sockets[0].getsockname()[1]
        self._urls[key] = f"http://{self.host}:{real_port}"

    async def stop(self) -> None:
        """Shut every server down gracefully; calling it again is a no-op."""
        await self.callbacks.close()
        servers, self._servers = self._servers, {}
        apps, self._apps = self._apps, {}  # a restart gets fresh apps: zero stats, no faults
        self._urls.clear()
        for app in apps.values():
            release(app)
        await shut_down(servers.values())

    def network_toml(self) -> str:
        """The gateway's network file pointing at the running servers."""
        if not self._urls:
            raise RuntimeError("start() the sandbox network before writing its network file")
        entries = [
            PortalEntry(
                id=portal.id,
                name=portal.name,
                tier=portal.tier,
                ars=portal.ars,
                website=portal.website,
                endpoints={cap: url for (pid, cap), url in self._urls.items() if pid == portal.id},
                audiences=service_audiences(portal.id),
                clients={
                    "status": (GATEWAY_CLIENT_ID, IDP_SECRET_ENV),
                    "payments": (GATEWAY_CLIENT_ID, IDP_SECRET_ENV),
                    "submissions": (GATEWAY_CLIENT_ID, IDP_SECRET_ENV),
                },
                callback_secrets={"status": callback_secret_env(portal.id)},
            )
            for portal in PORTALS
        ]
        identity = {
            "issuer": self._urls[IDENTITY],
            "audience": GATEWAY_AUDIENCE,
            "client_id": GATEWAY_CLIENT_ID,
            "client_secret_env": IDP_SECRET_ENV,
        }
        routing = self._urls[ROUTING]
        hosts = {
            submission_host(portal.id): self._urls[(portal.id, "submissions")] for portal in PORTALS
        }
        tables = {
            "identity": identity,
            "routing": {"url": routing, "jwks_url": routing + "/ssp/.well-known/jwks.json"},
            "routing.submission_hosts": hosts,
        }
        return render_network(entries, seed=self.seed, tables=tables)
