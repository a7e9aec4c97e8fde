"""A named group of loopback uvicorn servers sharing one event loop (the topology sandbox's).

`ServerGroup.start(name, app, tls=...)` binds a socket itself (so "port in use" is an
OSError for the caller, not uvicorn's sys.exit()), serves `app` and returns once it
accepts connections; `tls` makes it HTTPS and, with `client_ca`, requires a client
certificate signed by that CA in the handshake (mutual TLS). `stop()` ends them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from sandbox.instrument import Instrumented

START_TIMEOUT_S = 10.0
STOP_GRACE_S = 2.0


class _Server(uvicorn.Server):
    # Several servers share one loop (and may run off the main thread): none of them may
    # take over SIGINT/SIGTERM, the embedding program owns the signals.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


Running = tuple[_Server, "asyncio.Task[None]"]


@dataclass(frozen=True, slots=True)
class ServerTls:
    cert_file: str
    key_file: str
    client_ca: str | None = None  # set: a client certificate signed by it is required
    # With client_ca: TLS 1.2 at most, so that a missing or foreign client certificate fails
    # the handshake itself; under TLS 1.3 the client finishes first and only sees the
    # connection close (or a late alert) when it reads.
    tls12: bool = True


class ServerGroup:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.urls: dict[str, str] = {}
        self.apps: dict[str, ASGIApp] = {}
        self._running: dict[str, Running] = {}

    async def start(self, name: str, app: ASGIApp, *, tls: ServerTls | None = None) -> str:
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only for sockets that say TCP.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, 0))
        except OSError:
            sock.close()
            raise
        options: dict[str, object] = {}
        if tls is not None:
            options = {"ssl_certfile": tls.cert_file, "ssl_keyfile": tls.key_file}
            if tls.client_ca is not None:
                options |= {"ssl_ca_certs": tls.client_ca, "ssl_cert_reqs": ssl.CERT_REQUIRED}
        config = uvicorn.Config(
            app,
            host=self.host,
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
            **options,  # type: ignore[arg-type]
        )
        if tls is not None and tls.client_ca is not None and tls.tls12:
            config.load()
            assert config.ssl is not None
            config.ssl.maximum_version = ssl.TLSVersion.TLSv1_2
        server = _Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"sandbox-{name}")
        self._running[name] = (server, task)
        self.apps[name] = app
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError(f"sandbox server {name} stopped during start-up")
            if loop.time() > deadline:
                raise TimeoutError(
                    f"sandbox server {name} did not start within {START_TIMEOUT_S} s"
                )
            await asyncio.sleep(0.005)
        port = server.servers[0].sockets[0].getsockname()[1]
        scheme = "https" if tls is not None else "http"
        self.urls[name] = f"{scheme}://{self.host}:{port}"
        return self.urls[name]

    async def stop(self) -> None:
        """Shut every server down gracefully; calling it again is a no-op."""
        running, self._running = self._running, {}
        apps, self.apps = self.apps, {}
        self.urls.clear()
        for app in apps.values():
            release_all(app)
        await shut_down(running.values())


async def shut_down(running: Iterable[Running]) -> None:
    """Ask every server to exit, force the slow ones, cancel what still hangs; re-raise a crash."""
    servers = list(running)
    for server, _ in servers:
        server.should_exit = True
    tasks = [task for _, task in servers]
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S + 1)
    for server, task in servers:
        if task in pending:
            server.force_exit = True
    if pending:
        _, still = await asyncio.wait(pending, timeout=STOP_GRACE_S)
        for task in still:
            task.cancel()
        await asyncio.gather(*still, return_exceptions=True)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            # A server that crashed must not hide the others' shutdown; report it last.
            raise RuntimeError("a sandbox server failed") from task.exception()


def release_all(app: object, depth: int = 0) -> None:
    """End the stalled (timeout-fault) requests of every `Instrumented` inside `app`."""
    if isinstance(app, Instrumented):
        app.released.set()
    children = [getattr(route, "app", None) for route in getattr(app, "routes", ())]
    children += [getattr(app, name, None) for name in ("app", "submissions", "events")]
    for child in children:
        if child is not None and depth < 12:
            release_all(child, depth + 1)
