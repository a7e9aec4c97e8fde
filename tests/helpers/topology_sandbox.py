"""The topology sandbox (network file v2) for tests: started on a LoopThread, driven over HTTP.

```python
from tests.helpers.topology_sandbox import topology_sandbox

with topology_sandbox(municipalities=4) as sandbox:   # None = all 396
    sandbox.network_file                # Path of the written v2 network file
    sandbox.env                         # {"PORTALGRAPH_NETWORK": ..., "PORTALGRAPH_IDP_CLIENT_SECRET": ...,
                                        #  "PVOG_CLIENT_ID", "FITCONNECT_CLIENT_SECRET", "EPAY21_PASSWORD",
                                        #  "GIRO_CLIENT_SECRET", "EPAYBL_CLIENT_CERT/_KEY", "EPAYBL_CA_BUNDLE"}
    sandbox.env_file                    # the same as KEY=value lines (for `portalgraph serve`)
    sandbox.upstreams                   # names, e.g. ("identity", "pvog", "fitconnect", ...)
    sandbox.url("pvog")                 # base URL (https:// for payment_providers.epaybl)
    sandbox.stats("pvog")               # {"total": 3, "calls": {"GET /v8beta1/servicedescriptions": 3}}
    sandbox.all_stats()                 # {upstream: calls} for every upstream
    sandbox.reset_stats()               # every upstream (or reset_stats("pvog"))
    sandbox.fault("fitconnect", status=503, path_prefix="/zustelldienst/koeln")
    sandbox.clear_faults()              # every upstream (or clear_faults("pvog"))
    sandbox.demo_token("erika")         # a sign-in token of a demo citizen (gateway audience)
    sandbox.client("payment_providers.epaybl")  # httpx.Client with the base URL (and client cert)
    sandbox.callbacks_to("http://127.0.0.1:8000")  # callbacks for seeded demo applications
```

Upstream names are the gateway's (`sources.topology.Topology.policy`): `identity`, `pvog`,
`fitconnect`, `payment_providers.<epaybl|epay21|giro>`, `portals.bund.inbox` (the BundID
Postfach), `portals.<bund|nrw|koeln|kommunalportal-nrw>.accounts`. `fault(...)` takes the
keys of `sandbox.fault_config.FaultConfig` (latency_ms, status, retry_after, timeout,
malformed, share, path_prefix). Pass `loop=` to share a LoopThread with a gateway server.

Callbacks: a submission made through a gateway with `callback_base_url` set (the shared
`gateway` fixture sets its own URL) carries its own callback URL and secret (FIT-Connect
`callback {url, secret}`); the sandbox's FIT-Connect calls back there, signed with that
secret, on each new event of the case: tests/helpers/callbacks.py. `callbacks_to(url)`
only sets where events of *seeded* demo applications (which registered no callback) are
announced: `<url>/hooks/fitconnect/<group>`, signed with the per-portal demo secret
`sandbox.callbacks.callback_secret(<group>)` — a gateway on version 2 knows no such
secret and refuses them (401), so leave it unset unless a test wants exactly that.
FIT-Connect helpers per destination group (`bund`, `nrw`, `koeln`, `dormagen`):
`POST {url("fitconnect")}/zustelldienst/<group>/_sandbox/applications/{id}/advance`.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from graph.testing import LoopThread
from sandbox.topology_runner import TopologySandbox

START_TIMEOUT_S = 120  # the first start in a process makes 4096-bit keys (slow under load)
MTLS = "payment_providers.epaybl"


class TopologySandboxHandle:
    def __init__(self, sandbox: TopologySandbox) -> None:
        self.sandbox = sandbox
        self.network_file: Path = sandbox.network_file
        self.env_file: Path = sandbox.env_file
        self.env: dict[str, str] = sandbox.env()
        self.upstreams: tuple[str, ...] = tuple(sandbox.urls)
        self._tokens: dict[str, str] = {}

    def url(self, upstream: str) -> str:
        return self.sandbox.url_of(upstream)

    def client(self, upstream: str, **options: Any) -> httpx.Client:
        """A client for `upstream`'s base URL; the mTLS provider's carries the client cert."""
        verify: ssl.SSLContext | bool = True
        if upstream == MTLS:
            verify = ssl.create_default_context(cafile=self.env["EPAYBL_CA_BUNDLE"])
            verify.load_cert_chain(self.env["EPAYBL_CLIENT_CERT"], self.env["EPAYBL_CLIENT_KEY"])
        return httpx.Client(
            base_url=self.url(upstream), verify=verify, trust_env=False, timeout=10, **options
        )

    def _control(self, upstream: str, method: str, path: str, **body: Any) -> dict[str, Any]:
        with self.client(upstream) as client:
            response = client.request(method, path, json=body if method == "PUT" else None)
            response.raise_for_status()
            found: dict[str, Any] = response.json()
            return found

    def stats(self, upstream: str) -> dict[str, Any]:
        """`{"total": n, "calls": {"METHOD /template": n}}` of one upstream."""
        return self._control(upstream, "GET", "/_sandbox/stats")

    def all_stats(self) -> dict[str, dict[str, int]]:
        return {name: self.stats(name)["calls"] for name in self.upstreams}

    def reset_stats(self, upstream: str | None = None) -> None:
        for name in (upstream,) if upstream else self.upstreams:
            self._control(name, "DELETE", "/_sandbox/stats")

    def fault(self, upstream: str, **config: Any) -> dict[str, Any]:
        """Inject a fault (FaultConfig keys); answers the configuration in force."""
        return self._control(upstream, "PUT", "/_sandbox/faults", **config)

    def clear_faults(self, upstream: str | None = None) -> None:
        for name in (upstream,) if upstream else self.upstreams:
            self._control(name, "DELETE", "/_sandbox/faults")

    def demo_token(self, login: str) -> str:
        """A sign-in access token of demo citizen `login` (erika, max, ...)."""
        if not self._tokens:
            with self.client("identity") as client:
                response = client.get("/_sandbox/demo-tokens")
                response.raise_for_status()
                self._tokens = {d["login"]: d["accessToken"] for d in response.json()}
        return self._tokens[login]

    def callbacks_to(self, gateway_url: str | None) -> None:
        self.sandbox.callbacks.url = gateway_url


@contextlib.contextmanager
def topology_sandbox(
    municipalities: int | None = 4,
    *,
    seed: int = 2026,
    citizens: int = 40,
    loop: LoopThread | None = None,
    folder: Path | None = None,
) -> Iterator[TopologySandboxHandle]:
    """Start the topology sandbox (on `loop`, else on a LoopThread of its own) and stop it after."""
    own = loop is None
    thread = loop or LoopThread()
    sandbox = TopologySandbox(
        municipalities=municipalities, seed=seed, citizens=citizens, folder=folder
    )
    try:
        thread.call(sandbox.start(), timeout=START_TIMEOUT_S)
        yield TopologySandboxHandle(sandbox)
    finally:
        thread.call(sandbox.stop(), timeout=30)
        if own:
            thread.close()
