"""Time and peak memory of submitting one large attachment through the gateway.

    .venv/bin/python -m bench.submission [--megabytes 20] [--runs 3]

Starts the topology sandbox (`portalgraph sandbox --municipalities 4`, network file v2)
and the gateway (`portalgraph serve`) as two
processes, so the gateway's peak RSS (VmHWM from /proc, Linux only) is its own: the
multipart body is spooled to disk by Starlette and encrypted as a stream, so the peak
should stay far below the attachment's size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from graph.testing import free_port
from sandbox.runner import callback_secrets

MUTATION = """
mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) {
  __typename ... on ApplicationSubmitted { caseId application { status } }
  ... on SubmissionRejected { code message } } }
"""
FORM = {
    "antragsteller": {"vorname": "Erika", "familienname": "Mustermann"},
    "anliegen": "Reisepass mit umfangreichen Nachweisen",
    "geburtsort": "Köln",
    "groesseCm": 170,
}


def memory_kib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {k: int(v) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M)}


def wait_until(check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.2)
    raise TimeoutError("a server did not start")


def attachment(megabytes: int) -> Path:
    path = Path(tempfile.mkstemp(suffix=".pdf")[1])
    with path.open("wb") as out:
        out.write(b"%PDF-1.7\n")
        for _ in range(megabytes):
            out.write(os.urandom(1024 * 1024))
    return path


def submit(url: str, token: str, path: Path) -> tuple[float, dict[str, object]]:
    variables = {
        "input": {
            "leikaKey": "99085001012000",
            "ars": "053150000000",
            "form": FORM,
            "attachments": [None],
            "clientMutationId": f"bench-{uuid.uuid4()}",
        }
    }
    with path.open("rb") as file:
        started = time.perf_counter()
        response = httpx.post(
            url + "/graphql",
            data={
                "operations": json.dumps({"query": MUTATION, "variables": variables}),
                "map": json.dumps({"0": ["variables.input.attachments.0"]}),
            },
            files={"0": ("nachweise.pdf", file, "application/pdf")},
            headers={"Authorization": f"Bearer {token}", "GraphQL-Preflight": "1"},
            timeout=300,
        )
        elapsed = time.perf_counter() - started
    return elapsed, response.json()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.submission")
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp())
    portalgraph = str(Path(sys.executable).with_name("portalgraph"))
    network_file, port = workdir / "network.toml", free_port()
    env_file = network_file.with_suffix(".env")  # written by `portalgraph sandbox`
    sandbox = subprocess.Popen(
        [portalgraph, "sandbox", "--municipalities", "4", "--network-out", str(network_file)],
        stdout=subprocess.DEVNULL,
    )
    gateway = None
    path = attachment(args.megabytes)
    try:
        wait_until(env_file.exists)  # written after the network file
        lines = env_file.read_text(encoding="utf-8").splitlines()
        env = {**os.environ, **callback_secrets(), **dict(v.split("=", 1) for v in lines if v)}
        env |= {"PORTALGRAPH_NETWORK": str(network_file), "PORTALGRAPH_PORT": str(port)}
        gateway = subprocess.Popen(
            [portalgraph, "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(url + "/readyz").status_code == 200)
        issuer = re.search(r'issuer = "([^"]+)"', network_file.read_text())
        assert issuer is not None
        tokens = httpx.get(issuer.group(1) + "/_sandbox/demo-tokens").json()
        token = next(t["accessToken"] for t in tokens if t["login"] == "erika")
        before = memory_kib(gateway.pid)
        print(f"attachment {path.stat().st_size / 1e6:.1f} MB; gateway before: {before} KiB")
        for run in range(args.runs):
            elapsed, body = submit(url, token, path)
            after = memory_kib(gateway.pid)
            result = body.get("data", body)
            print(f"run {run + 1}: {elapsed:.2f} s, gateway {after} KiB, {json.dumps(result)}")
    finally:
        path.unlink()
        for process in (gateway, sandbox):
            if process is not None:
                process.terminate()
                process.wait(10)


if __name__ == "__main__":
    main()
