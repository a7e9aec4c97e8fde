"""The topology sandbox: the Portalverbund as it is, at real scale, on loopback (network file v2).

One server per upstream, named as the gateway names its upstreams:

| name | what |
|---|---|
| `identity` | the OIDC identity provider (BundID brokered), demo citizens at every trust level |
| `pvog` | ONE PVOG Suchdienst: Bund, NRW and every municipality; ARS hierarchy; header auth |
| `fitconnect` | ONE FIT-Connect: token endpoint, Routing API + SSP keys, Submission API + event log |
| `payment_providers.epaybl` / `.epay21` / `.giro` | XBezahldienste with tenants: mTLS, Basic, OAuth2 |
| `portals.bund.inbox` | the central BundID Postfach |
| `portals.<bund, nrw, koeln>.accounts` | account areas of the single portals |
| `portals.kommunalportal-nrw.accounts` | Kommunalportal.NRW: one account area for its municipalities |

Each keeps `/_sandbox/stats`, `/_sandbox/faults` and `/openapi.json`. `write()` writes
`network.toml` (version 2) and `sandbox.env` (every variable its `*_env` keys name).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp

from sandbox import pki
from sandbox.accounts import create_accounts_app
from sandbox.callbacks import CallbackSender
from sandbox.case_store import CaseStore
from sandbox.citizens import Citizen, citizen_index
from sandbox.citizens_generated import generate_citizens
from sandbox.data import DEFAULT_SEED, build_network
from sandbox.fitconnect_hub import FITCONNECT_AUDIENCE, SCOPES, create_fitconnect_app, group_base
from sandbox.fitconnect_municipal import (
    GROUP as MUNICIPAL,
    Municipal,
    Shared,
    destination_group,
    municipal,
)
from sandbox.idp import create_idp_app
from sandbox.idp_keys import Issuer, KeyRing
from sandbox.inbox import create_inbox_app
from sandbox.oauth_server import TokenEndpoint
from sandbox.providers import PROVIDERS, create_provider_app
from sandbox.pvog_catalogue import central_catalogue, central_pvog
from sandbox.routing import create_routing_app
from sandbox.runner import GATEWAY_AUDIENCE, GATEWAY_CLIENT_ID, IDP_SECRET
from sandbox.scale import sample_municipalities
from sandbox.servers import ServerGroup, ServerTls
from sandbox.tls import Chain, make_chain
from sandbox.topology_document import (
    DESTINATION_GROUPS,
    FITCONNECT_CLIENT_ID,
    PLATFORM,
    PVOG_CLIENT_ID,
    SECRETS,
    SINGLE_PORTALS,
    account_entries,
    environment,
    network_document,
    portal_audience,
)
from sandbox.topology_file import render_topology

NETWORK_FILE, ENV_FILE = "network.toml", "sandbox.env"
POSTFACH = "portals.bund.inbox"


class TopologySandbox:
    """Start with `await start()` in the loop that should serve it; `await stop()` ends it."""

    def __init__(
        self,
        *,
        municipalities: int | None = None,
        seed: int = DEFAULT_SEED,
        citizens: int = 200,
        host: str = "127.0.0.1",
        folder: Path | None = None,
        network_file: Path | None = None,
        env_file: Path | None = None,
    ) -> None:
        """`folder` holds the TLS files (and the written files unless named); default: a temp dir."""
        self.municipalities = sample_municipalities(municipalities)
        self.seed = seed
        self.citizen_count = citizens
        self._own_folder = folder is None  # a temporary one is removed by stop()
        self.folder = folder or Path(tempfile.mkdtemp(prefix="portalgraph-topology-"))
        self.servers = ServerGroup(host)
        self.callbacks = CallbackSender()  # set `.url` to the gateway's base for callbacks
        self.cases: CaseStore | None = None
        self.chain: Chain | None = None
        self.network_file = network_file or self.folder / NETWORK_FILE
        self.env_file = env_file or self.folder / ENV_FILE

    @property
    def urls(self) -> dict[str, str]:
        return dict(self.servers.urls)

    def url_of(self, name: str) -> str:
        return self.servers.urls[name]

    def env(self) -> dict[str, str]:
        """Every variable the written network file names, with `PORTALGRAPH_NETWORK`."""
        if self.chain is None:
            raise RuntimeError("start() the topology sandbox first")
        return {"PORTALGRAPH_NETWORK": str(self.network_file), **environment(self.chain)}

    async def start(self) -> None:
        if self.servers.urls:
            return
        try:
            await self._start()
            self.write()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        self.chain = chain = make_chain(self.folder / "tls")
        citizens = generate_citizens(self.citizen_count, self.seed)
        index = citizen_index(citizens)
        self.cases = cases = CaseStore(citizens, self.seed)
        # Built first: its RSA-4096 keys are made in background threads meanwhile.
        tokens = KeyRing()  # FIT-Connect's and the OAuth2 provider's token endpoints
        fitconnect = self._fitconnect(cases, citizens, tokens)
        issuer, keys = Issuer(), KeyRing()
        audiences = {portal_audience(e) for e in account_entries()}
        idp = create_idp_app(
            issuer_holder=issuer,
            citizens=citizens,
            clients={GATEWAY_CLIENT_ID: IDP_SECRET},
            portal_audiences=audiences,
            gateway_audience=GATEWAY_AUDIENCE,
            keys=keys,
        )
        issuer.url = await self.servers.start("identity", idp)
        pvog = central_catalogue(self.municipalities, self.seed)
        await self.servers.start(
            "pvog", central_pvog(pvog, seed=self.seed, client_id=PVOG_CLIENT_ID)
        )
        await self.servers.start("fitconnect", fitconnect)
        for provider in PROVIDERS:
            secret = SECRETS["GIRO_CLIENT_SECRET" if provider.id == "giro" else "EPAY21_PASSWORD"]
            name = f"payment_providers.{provider.id}"
            app = create_provider_app(
                provider, cases=cases, secret=secret, url=self._url(name), keys=tokens
            )
            tls = None
            if provider.auth == "mtls":
                tls = ServerTls(chain.server_cert, chain.server_key, client_ca=chain.ca)
            await self.servers.start(name, app, tls=tls)
        postfach = create_inbox_app(
            portal_id="bund",
            audience=portal_audience("bund"),
            issuer=issuer,
            jwks=keys.public_keyset,
            citizens=index,
            cases=cases,
            holds=DESTINATION_GROUPS,  # every portal's messages reach the one Postfach
        )
        await self.servers.start(POSTFACH, postfach)
        for entry in account_entries():
            # The platform's account area holds the accounts of the municipalities it serves
            # (in the demo data: Dormagen's).
            area = create_accounts_app(
                portal_id=entry if entry in SINGLE_PORTALS else "dormagen",
                audience=portal_audience(entry),
                issuer=issuer,
                jwks=keys.public_keyset,
                citizens=index,
                cases=cases,
            )
            await self.servers.start(f"portals.{entry}.accounts", area)
        # FIT-Connect's destination keys (RSA 4096) are made in background threads.
        await asyncio.to_thread(pki.ready)

    def _url(self, name: str) -> Callable[[], str]:
        return lambda: self.servers.urls[name]

    def _fitconnect(self, cases: CaseStore, citizens: list[Citizen], keys: KeyRing) -> ASGIApp:
        def base() -> str:
            return self.servers.urls["fitconnect"]

        token = TokenEndpoint(
            issuer=base,
            audience=FITCONNECT_AUDIENCE,
            clients={FITCONNECT_CLIENT_ID: (SECRETS["FITCONNECT_CLIENT_SECRET"], SCOPES)},
            keys=keys,
        )
        catalogue = build_network(self.seed)
        shared = Shared(
            FITCONNECT_AUDIENCE, base, token.keys.public_keyset, cases, citizens, self.callbacks
        )
        groups: dict[str, ASGIApp] = {}
        for group in DESTINATION_GROUPS:
            descriptions = catalogue[group].descriptions
            services = {key: str(sd["name"]) for sd in descriptions for key in sd["leikakeys"]}
            groups[group] = destination_group(group, services, shared)
        towns = municipal(self.municipalities)
        groups[MUNICIPAL] = Municipal(towns, shared)
        hosts = {**dict.fromkeys(towns, MUNICIPAL), **{g: g for g in DESTINATION_GROUPS}}
        routing = create_routing_app(
            network={**catalogue, **towns},
            submission_hosts=lambda portal: base() + group_base(hosts[portal]),
        )
        return create_fitconnect_app(token=token, routing=routing, groups=groups, seed=self.seed)

    def write(self) -> None:
        """Write the v2 network file and the env file into `folder`."""
        document = network_document(self.servers.urls, self.municipalities)
        self.network_file.write_text(render_topology(document, seed=self.seed), encoding="utf-8")
        lines = [f"{key}={value}" for key, value in self.env().items()]
        self.env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.env_file.chmod(0o600)

    async def stop(self) -> None:
        await self.callbacks.close()
        await self.servers.stop()
        if self._own_folder:  # the TLS keys and the written files go with the servers
            shutil.rmtree(self.folder, ignore_errors=True)


__all__ = ["PLATFORM", "TopologySandbox"]
