"""From an `auth` table to what httpx needs: an `httpx.Auth`, and for mTLS an SSL context.

Secrets are read from the environment in exactly one place, `resolve_auth`, which is
given the mapping (so tests and `check-config` pass their own) and names every missing
variable at once. `build_auth` turns the resolved table into one `httpx.Auth` that adds
the static headers and, for client credentials, a cached bearer token (renewed once on
a 401). `tls_context` builds the client-certificate context for `type = "mtls"`.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sources._answer import Answer
from sources._client_credentials import ClientCredentialsTokens
from sources.base.upstream_auth import (
    BasicCredentials,
    MutualTls,
    OAuth2ClientCredentials,
    UpstreamAuth,
)


class MissingSecretsError(ValueError):
    def __init__(self, missing: tuple[tuple[str, str], ...]) -> None:
        names = ", ".join(f"{env} ({key})" for key, env in missing)
        super().__init__(f"environment variable(s) not set: {names}")
        self.missing = missing


@dataclass(frozen=True, slots=True)
class ResolvedAuth:
    """An `auth` table with the values of the variables it names (kept out of repr)."""

    auth: UpstreamAuth
    secrets: Mapping[str, str]

    def __repr__(self) -> str:
        return f"ResolvedAuth({self.auth!r}, secrets=<{len(self.secrets)} hidden>)"

    def value(self, env: str | None) -> str | None:
        return None if env is None else self.secrets[env]


def resolve_auth(auth: UpstreamAuth, environ: Mapping[str, str]) -> ResolvedAuth:
    missing = tuple((key, env) for key, env in auth.secret_names() if not environ.get(env))
    if missing:
        raise MissingSecretsError(missing)
    return ResolvedAuth(auth, {env: environ[env] for _, env in auth.secret_names()})


def static_headers(resolved: ResolvedAuth) -> dict[str, str]:
    headers = {
        name: value.literal if value.literal is not None else str(resolved.value(value.env))
        for name, value in resolved.auth.headers
    }
    scheme = resolved.auth.scheme
    if isinstance(scheme, BasicCredentials):
        pair = f"{scheme.username}:{resolved.value(scheme.password_env)}".encode()
        headers["Authorization"] = f"Basic {base64.b64encode(pair).decode()}"
    return headers


class UpstreamHttpAuth(httpx.Auth):
    """Static headers, plus a client-credentials bearer token where the table asks for one."""

    def __init__(
        self, headers: Mapping[str, str], tokens: ClientCredentialsTokens | None = None
    ) -> None:
        self.headers = dict(headers)
        self.tokens = tokens

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise RuntimeError("upstream auth works with httpx.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.apply(request.headers)
        response = yield request
        if response.status_code == 401 and token is not None:
            # Revoked or rotated early: one fresh token, one more try; a second 401 stands.
            self.refused(token)
            await self.apply(request.headers)
            yield request

    async def apply(self, headers: MutableMapping[str, str]) -> str | None:
        """Add this upstream's headers (over the caller's); the bearer token sent, if any.

        Both clients use it: httpx through `async_auth_flow`, the lean wire through
        `Upstream`, which also sends once more after a 401 (`refused`)."""
        headers.update(self.headers)
        if self.tokens is None:
            return None
        token = await self.tokens.token()
        headers["Authorization"] = f"Bearer {token}"
        return token

    async def around(
        self,
        headers: MutableMapping[str, str],
        send: Callable[[Mapping[str, str]], Awaitable[Answer]],
    ) -> Answer:
        """The same flow as `async_auth_flow`, around a send of the lean wire's."""
        token = await self.apply(headers)
        answer = await send(headers)
        if answer.status_code == 401 and token is not None:
            self.refused(token)  # revoked or rotated early: one more try; a second 401 stands
            await self.apply(headers)
            answer = await send(headers)
        return answer

    def refused(self, token: str) -> None:
        """The upstream answered 401 to `token`: the next `apply` fetches a fresh one."""
        if self.tokens is not None:
            self.tokens.invalidate(token)


def build_auth(
    resolved: ResolvedAuth, *, token_client: httpx.AsyncClient, upstream: str, capability: str
) -> UpstreamHttpAuth:
    """The `httpx.Auth` for one upstream. `token_client` talks to the token endpoint.

    `token_exchange` adds only its static headers here: the exchange is per citizen
    and happens where the citizen's token is at hand (`sources._auth.ExchangedBearer`).
    """
    scheme = resolved.auth.scheme
    tokens = None
    if isinstance(scheme, OAuth2ClientCredentials):
        key_file = resolved.value(scheme.private_key_file_env)
        tokens = ClientCredentialsTokens(
            scheme,
            client=token_client,
            client_secret=resolved.value(scheme.client_secret_env),
            private_key_pem=Path(key_file).read_bytes() if key_file else None,
            upstream=upstream,
            capability=capability,
        )
    return UpstreamHttpAuth(static_headers(resolved), tokens)


def tls_context(resolved: ResolvedAuth) -> ssl.SSLContext | None:
    """For `type = "mtls"`: verify the server (system CAs or `ca_file_env`), present our certificate.

    Pass it as `new_client(verify=context)` (its own pools). None for every other scheme.
    """
    scheme = resolved.auth.scheme
    if not isinstance(scheme, MutualTls):
        return None
    ca_file = resolved.value(scheme.ca_file_env)
    context = ssl.create_default_context(cafile=ca_file)
    context.load_cert_chain(
        certfile=str(resolved.value(scheme.cert_file_env)),
        keyfile=str(resolved.value(scheme.key_file_env)),
    )
    return context


def client_options(
    resolved: ResolvedAuth, *, token_client: httpx.AsyncClient, upstream: str, capability: str
) -> dict[str, Any]:
    """Keyword arguments for the `httpx.AsyncClient` of one upstream: `auth`, and `verify` for mTLS.

    An mTLS upstream needs a client (a connection pool) of its own, since the certificate
    belongs to the TLS context; the others may share one pool and pass `auth=` per request.
    """
    options: dict[str, Any] = {
        "auth": build_auth(
            resolved, token_client=token_client, upstream=upstream, capability=capability
        )
    }
    context = tls_context(resolved)
    if context is not None:
        options["verify"] = context
    return options
