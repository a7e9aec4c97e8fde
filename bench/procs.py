"""Processes of the benchmark: the sandbox and the gateway, each pinned to its own core.

With two or more cores the gateway (and the floor, which stands in for it) runs on
core 0, the sandbox and the load generator on core 1, via `taskset -c`. With one core
nothing is pinned and RESULTS.md says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.sandbox_proc import control_tls
from graph.testing import free_port
from sandbox.runner import IDP_SECRET, IDP_SECRET_ENV, callback_secrets

CORES = os.cpu_count() or 1
PINNING = CORES >= 2 and shutil.which("taskset") is not None
GATEWAY_CORE, CLIENT_CORE = "0", "1"
# The sandbox's municipalities (network file v2): the floor, peer and live scenarios ask
# one PVOG, one Postfach and one identity provider whatever the network's size; 40 give
# the PVOG a realistic share of municipal texts and start in seconds.
MUNICIPALITIES = 40
# Every process the suite started, so a failing run still ends them all (by pid).
STARTED: list[subprocess.Popen[Any]] = []


def spawn(argv: list[str], **options: Any) -> subprocess.Popen[Any]:
    proc = subprocess.Popen(argv, **options)
    STARTED.append(proc)
    return proc


def ended(proc: subprocess.Popen[Any], timeout: float) -> None:
    """Waits for `proc`, then closes the pipes this process holds to it: a pipe left open
    is a ResourceWarning when the interpreter exits (pytest turns it into an error)."""
    proc.wait(timeout)
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def end_all() -> None:
    for proc in STARTED:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def pinned(core: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if PINNING else argv


def pin_self(core: str) -> None:
    """Move this process (the load generator) to `core`."""
    if PINNING:
        os.sched_setaffinity(0, {int(core)})


def proc_cpu_s(pid: int, *, tree: bool = True) -> float:
    """User + system CPU seconds of a process and (`tree`) its living descendants
    (uvicorn's workers), from /proc (clock ticks)."""
    ticks = 0
    for member in process_tree(pid) if tree else [pid]:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # ended in between
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        member = todo.pop()
        found.append(member)
        for task in Path(f"/proc/{member}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except FileNotFoundError:
                continue
    return found


def proc_mem_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


class Sandbox:
    """The sandbox process and its control API (/_sandbox/stats, /_sandbox/faults)."""

    MODULE = "bench.sandbox_proc"  # bench/live_latency.py runs bench.topology_proc

    def __init__(
        self, workdir: Path, citizens: int, *, topology: int | None = MUNICIPALITIES
    ) -> None:
        """`topology`: the topology sandbox (network file v2) with that many municipalities;
        None: the v1 sandbox, which the gateway of this line refuses (or MODULE's own)."""
        argv = [sys.executable, "-m", self.MODULE, "--citizens", str(citizens)]
        if topology is not None:
            argv += ["--topology", str(topology)]
        self.topology = topology is not None
        self.proc = spawn(
            pinned(CLIENT_CORE, [*argv, "--out", str(workdir)]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.started = json.loads(self.proc.stdout.readline() or "{}")
        assert self.started.get("ready"), "sandbox did not start"
        self.network = workdir / "network.toml"
        self.urls: dict[str, str] = json.loads((workdir / "urls.json").read_text())
        self.http = httpx.Client(
            trust_env=False, timeout=30, verify=control_tls(workdir) if self.topology else True
        )

    def token(self, login: str) -> str:
        """A citizen's sign-in access token (the gateway's audience), by the password grant
        as a citizen's app would get it."""
        idp = self.urls["identity" if self.topology else "identity/idp"]
        answer = self.http.post(
            idp + "/token",
            data={
                "grant_type": "password",
                "username": login,
                "password": "demo",
                "client_id": "portalgraph-graphiql",
            },
        )
        return str(answer.json()["access_token"])

    def latency(self, ms: int) -> None:
        """Fixed injected latency on every upstream, the identity provider included."""
        for url in self.urls.values():
            self.http.put(url + "/_sandbox/faults", json={"latency_ms": ms}).raise_for_status()

    def reset_stats(self) -> None:
        for url in self.urls.values():
            self.http.delete(url + "/_sandbox/stats")

    def stats(self) -> dict[str, int]:
        """Calls per "upstream route" since the last reset."""
        calls: dict[str, int] = {}
        for name, url in self.urls.items():
            for route, count in self.http.get(url + "/_sandbox/stats").json()["calls"].items():
                calls[f"{name} {route}"] = count
        return calls

    def stop(self) -> None:
        self.http.close()
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        ended(self.proc, 15)


def gateway_env(network: Path, port: int, **extra: str) -> dict[str, str]:
    # One gateway process is measured on its own: a Redis from the environment (CI sets one)
    # would share warm caches and seen event ids across runs.
    env = {k: v for k, v in os.environ.items() if k != "PORTALGRAPH_REDIS_URL"}
    env.update(callback_secrets())
    env[IDP_SECRET_ENV] = IDP_SECRET
    secrets = network.parent / "sandbox.env"  # the topology sandbox's (bench/sandbox_proc.py)
    if secrets.exists():
        for line in secrets.read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value
    env.update(
        PORTALGRAPH_NETWORK=str(network),
        PORTALGRAPH_PORT=str(port),
        PORTALGRAPH_LOG_LEVEL="warning",
        PORTALGRAPH_MAX_PAGE_SIZE="500",  # scenario 3 asks for 500 messages in one page
        PORTALGRAPH_RATE_LIMIT_ANONYMOUS="0",  # the load comes from one address
        PORTALGRAPH_RATE_LIMIT_VIEWER="0",
        PORTALGRAPH_RATE_LIMIT_DOWNLOADS="0",
        PORTALGRAPH_WS_MAX_PER_CLIENT="1000000",  # thousands of sockets from one address
        PORTALGRAPH_REQUEST_DEADLINE="30",
    )
    env.update(extra)
    return env


class Gateway:
    """`portalgraph serve` (uvloop + httptools, one worker) as a separate, pinned process;
    `cores` widens the pinning (bench/workers.py runs two workers on every core)."""

    def __init__(
        self,
        network: Path,
        argv: list[str] | None = None,
        *,
        cores: str = GATEWAY_CORE,
        **env: str,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # A peer gateway takes its port on the command line: "{port}" is replaced.
        command = [a.replace("{port}", str(self.port)) for a in argv or []] or [
            sys.executable,
            "-m",
            "graph.cli",
            "serve",
        ]
        spawned = time.perf_counter()
        with (network.parent / "gateway.log").open("a") as log:  # the child keeps its own fd
            self.proc = spawn(
                pinned(cores, command),
                env=gateway_env(network, self.port, **env),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        self.cold_start_s = self._wait_ready(spawned)

    def _wait_ready(self, spawned: float) -> float:
        # Cold start ends with the first answered GraphQL operation, not with the bind.
        deadline = spawned + 120  # a busy shared machine starts a Python gateway slowly
        with httpx.Client(trust_env=False, timeout=5) as http:
            while time.perf_counter() < deadline:
                try:
                    response = http.post(self.url + "/graphql", json={"query": "{ __typename }"})
                    if response.status_code == 200:
                        return time.perf_counter() - spawned
                except httpx.TransportError:
                    pass
                if self.proc.poll() is not None:
                    raise RuntimeError("gateway exited during start-up")
                time.sleep(0.01)
        raise TimeoutError("gateway did not answer within 120 s")

    def cpu_s(self) -> float:
        return proc_cpu_s(self.proc.pid)

    def mem_kib(self) -> dict[str, int]:
        return proc_mem_kib(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(25)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def describe_pinning() -> dict[str, Any]:
    return {
        "cores": CORES,
        "pinned": PINNING,
        "gateway_core": GATEWAY_CORE if PINNING else "any",
        "client_core": CLIENT_CORE if PINNING else "any",
    }
