"""Several workers listen on sockets of their own (SO_REUSEPORT), so connections spread."""

from __future__ import annotations

import socket
import subprocess
import sys

import uvicorn

from graph.server import GatewayProcess, worker_sockets


def test_each_worker_gets_its_own_socket_on_the_one_port() -> None:
    config = uvicorn.Config("graph.app:create_app", host="127.0.0.1", port=0, workers=2)
    sockets = worker_sockets(config)
    try:
        assert len(sockets) == 2
        ports = {s.getsockname()[1] for s in sockets}
        assert len(ports) == 1
        assert all(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) for s in sockets)
        for s in sockets:
            s.listen()
        # The kernel hands connections to both: with one shared socket a burst went to
        # whichever worker woke first.
        port = ports.pop()
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
        accepted = []
        for s in sockets:
            s.setblocking(False)
            count = 0
            while True:
                try:
                    s.accept()[0].close()
                except BlockingIOError:
                    break
                count += 1
            accepted.append(count)
        for client in clients:
            client.close()
        assert sum(accepted) == 32
        assert min(accepted) > 0, accepted
    finally:
        for s in sockets:
            s.close()


def test_a_worker_takes_a_socket_no_living_worker_holds() -> None:
    sockets = [socket.socket(), socket.socket()]
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:

        class Holder:
            class process:  # noqa: N801 - the shape of uvicorn's Process.process
                @staticmethod
                def is_alive() -> bool:
                    return alive.poll() is None

        GatewayProcess.holders = {sockets[0].fileno(): Holder()}  # type: ignore[dict-item]
        assert GatewayProcess.claim(sockets) is sockets[1]
        GatewayProcess.holders[sockets[1].fileno()] = Holder()  # type: ignore[assignment]
        assert GatewayProcess.claim(sockets) in sockets  # none free: shares one
        alive.kill()
        alive.wait()
        assert GatewayProcess.claim(sockets) is sockets[0]  # the dead one's socket
    finally:
        GatewayProcess.holders = {}
        for s in sockets:
            s.close()
