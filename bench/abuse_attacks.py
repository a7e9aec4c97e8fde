"""The attacks of issue 18, each as an attacker on loopback would make it, each bounded.

Each function takes the running `Target` (gateway and sandbox processes) and returns one
table row: (finding, attack, what it cost the gateway afterwards). bench/abuse.py runs
them in order; the anonymous rate limit is spent last (XFF rotation).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.abuse_watch import MIB, Watch
from bench.procs import Gateway, Sandbox
from graph.types.node import to_global_id
from tests.helpers.rawhttp import stream_body

Row = tuple[str, str, str]
ENTITIES = (
    "query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Service { name } } }"
)
BARE = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
UPLOAD_HEAD = (
    b'--abuse\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
    b'{"query": "mutation($f: Upload!) { __typename }", "variables": {"f": null}}\r\n'
    b'--abuse\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0": ["variables.f"]}\r\n'
    b'--abuse\r\nContent-Disposition: form-data; name="0"; filename="a.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
)
MULTIPART = {"Content-Type": "multipart/form-data; boundary=abuse", "GraphQL-Preflight": "1"}
INBOX = "{ me { inbox(first: 50) { edges { node { attachments { downloadUrl } } } } } }"


@dataclass
class Target:
    gateway: Gateway
    sandbox: Sandbox
    http: httpx.Client
    scale: float  # 1.0: the sizes; the smoke test runs a fraction

    @property
    def pid(self) -> int:
        return self.gateway.proc.pid

    def n(self, full: int, least: int = 1) -> int:
        return max(least, int(full * self.scale))

    def calls(self) -> int:
        return sum(self.sandbox.stats().values())

    def graphql(self, query: str, variables: Any = None, **headers: str) -> httpx.Response:
        body = {"query": query, "variables": variables or {}}
        return self.http.post("/graphql", json=body, headers=headers)


def codes(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return str(response.status_code)
    found = sorted({str(e.get("extensions", {}).get("code")) for e in errors})
    return f"{response.status_code} {','.join(found)}".strip()


def entities(t: Target) -> Row:
    n = t.n(2000, 150)  # over the cap (100) in a smoke run too
    t.sandbox.reset_stats()
    reps = [
        {"__typename": "Service", "leikaKey": f"99{i:012d}", "ars": "053150000000"}
        for i in range(n)
    ]
    with Watch(t.pid) as w:
        answer = t.graphql(ENTITIES, {"r": reps})
    calls = t.calls()
    legit = t.graphql('{ services(ars: "053150000000", first: 1) { totalCount } }')
    after = "breakers closed" if "errors" not in legit.json() else f"then: {codes(legit)}"
    return (
        "1",
        f"{n:,} representations",
        f"{codes(answer)}; {calls} upstream calls; {w.seconds:.2f} s; {after}",
    )


def empty_entities(t: Target) -> Row:
    n = t.n(200_000, 150)
    stalls: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=t.gateway.url, timeout=30, trust_env=False) as client:
            while not stop.is_set():
                started = time.perf_counter()
                client.get("/healthz")
                stalls.append(time.perf_counter() - started)
                time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        with Watch(t.pid) as w:
            answer = t.graphql(BARE, {"r": [{}] * n})
        time.sleep(0.1)
    finally:
        stop.set()
        prober.join()
    size = len(answer.content)
    return (
        "1",
        f"{n:,} × {{}}",
        f"{codes(answer)}; {size:,} B answer in {w.seconds:.2f} s; /healthz worst {max(stalls):.3f} s; {w.rss()}",
    )


def unsigned_callback(t: Target) -> Row:
    total = t.n(300 * MIB, MIB)
    with Watch(t.pid) as w:
        answer = stream_body(t.gateway.url, "/hooks/fitconnect/koeln", total=total)
    return (
        "2",
        f"unsigned {total / MIB:.0f} MiB callback",
        f"{answer.status} after {answer.sent / MIB:.2f} MiB sent; {w.rss()}; {w.seconds:.2f} s",
    )


def anonymous_upload(t: Target) -> Row:
    total = t.n(100 * MIB, MIB)
    with Watch(t.pid) as w:
        answer = stream_body(
            t.gateway.url, "/graphql", total=total, headers=MULTIPART, prefix=UPLOAD_HEAD
        )
    return (
        "3",
        f"anonymous {total / MIB:.0f} MiB upload",
        f"{answer.status} after {answer.sent / MIB:.2f} MiB sent; spool peak {w.spool_peak / MIB:.2f} MiB; {w.rss()}",
    )


def chunked_uploads(t: Target) -> Row:
    total = t.n(300 * MIB, MIB)
    answers: list[Any] = []

    def one() -> None:
        answers.append(
            stream_body(
                t.gateway.url,
                "/graphql",
                total=total,
                headers=MULTIPART,
                chunked=True,
                prefix=UPLOAD_HEAD,
            )
        )

    with Watch(t.pid) as w:
        threads = [threading.Thread(target=one) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = sorted(str(a.status) for a in answers)
    return (
        "3",
        f"3 anonymous chunked uploads of {total / MIB:.0f} MiB",
        f"{'/'.join(statuses)}; spool peak {w.spool_peak / MIB:.2f} MiB; {w.rss()}",
    )


def path_injection(t: Target) -> Row:
    t.sandbox.reset_stats()
    raw = "L100002.LB.1/../../../_sandbox/stats"
    answer = t.graphql(
        "query($id: ID!) { service(id: $id) { id } }", {"id": to_global_id("Service", "koeln", raw)}
    )
    return (
        "4",
        f"service(id:) raw part {raw!r}",
        f"{codes(answer)} service={answer.json()['data']['service']}; {t.calls()} upstream calls",
    )


def downloads(t: Target, token: str) -> Row:
    auth = {"Authorization": f"Bearer {token}"}
    inbox = t.graphql(INBOX, **auth).json()["data"]["me"]["inbox"]["edges"]
    url = next(a["downloadUrl"] for e in inbox for a in e["node"]["attachments"])
    n = t.n(300, 70)  # over the limit (60) in a smoke run too
    t.sandbox.reset_stats()
    with Watch(t.pid) as w:
        got = [t.http.get(url, headers=auth).status_code for _ in range(n)]
    return (
        "5",
        f"{n} attachment downloads",
        f"{got.count(200)} served, {got.count(429)} × 429; {t.calls()} upstream calls; {w.seconds:.2f} s",
    )


def xff_rotation(t: Target, limit: int) -> Row:
    n = limit + t.n(100, 200)  # the bucket refills 10/s while this runs
    got = [
        t.http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"X-Forwarded-For": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"},
        ).status_code
        for i in range(n)
    ]
    return (
        "5",
        f"{n} anonymous requests, X-Forwarded-For rotated",
        f"{got.count(200)} served, {got.count(429)} × 429 (limit {limit}/min)",
    )


def short_lived(t: Target, token: str, seconds: int) -> str:
    """`token`'s claims, re-signed by the sandbox's IdP to expire in `seconds`."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] = int(time.time()) + seconds
    answer = t.sandbox.http.post(
        t.sandbox.urls["identity"] + "/_sandbox/sign", json={"claims": claims, "header": {}}
    )
    return str(answer.raise_for_status().json()["token"])


def host_redirect(t: Target) -> Row:
    answer = t.http.get("/graphql/", headers={"Host": "evil.example"})
    return (
        "9",
        "GET /graphql/ with Host: evil.example",
        f"{answer.status_code} Location={answer.headers.get('location')}",
    )
