"""How the gateway authenticates at one upstream: the `auth` table of the network file, as records.

Every upstream has its own scheme: FIT-Connect wants OAuth2 client credentials as form
fields (`client_secret_post`), ePayBL a client certificate, epay21 HTTP Basic, the PVOG a
client-id header. The records name environment variables, never secret values; the
values are read in one place (`sources._upstream_auth.resolve_auth`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ClientAuthMethod(enum.Enum):
    """How a client authenticates at an OAuth2 token endpoint (RFC 6749 §2.3, RFC 7523)."""

    CLIENT_SECRET_POST = "client_secret_post"  # noqa: S105 - a method name, not a secret
    CLIENT_SECRET_BASIC = "client_secret_basic"  # noqa: S105 - a method name, not a secret
    PRIVATE_KEY_JWT = "private_key_jwt"


@dataclass(frozen=True, slots=True)
class HeaderValue:
    """A static header: a literal, or the name of the environment variable that holds it."""

    literal: str | None = None
    env: str | None = None


@dataclass(frozen=True, slots=True)
class OAuth2ClientCredentials:
    token_url: str
    client_id: str
    method: ClientAuthMethod
    client_secret_env: str | None = None  # client_secret_post / client_secret_basic
    private_key_file_env: str | None = None  # private_key_jwt: PEM file named by this variable
    key_id: str | None = None  # private_key_jwt: `kid` of the assertion
    scope: str | None = None  # e.g. FIT-Connect "send:region:DE05"
    audience: str | None = None  # sent as `audience` where a token endpoint wants one


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    username: str
    password_env: str


@dataclass(frozen=True, slots=True)
class MutualTls:
    """Client certificate and key (PEM files named by variables), optional CA bundle."""

    cert_file_env: str
    key_file_env: str
    ca_file_env: str | None = None


@dataclass(frozen=True, slots=True)
class StaticHeaders:
    """Headers only (the `headers` table carries them; see `UpstreamAuth.headers`)."""


@dataclass(frozen=True, slots=True)
class TokenExchange:
    """RFC 8693: the citizen's sign-in token exchanged for this upstream's audience.

    A per-citizen scheme, offered only where a portal's account area accepts it.
    `token_url` None: the identity provider's token endpoint.
    """

    audience: str
    client_id: str
    client_secret_env: str
    token_url: str | None = None
    method: ClientAuthMethod = ClientAuthMethod.CLIENT_SECRET_BASIC


AuthScheme = OAuth2ClientCredentials | BasicCredentials | MutualTls | StaticHeaders | TokenExchange


@dataclass(frozen=True, slots=True)
class UpstreamAuth:
    """One upstream's `auth` table: a scheme, extra static headers, an optional key set."""

    scheme: AuthScheme
    headers: tuple[tuple[str, HeaderValue], ...] = ()
    jwks_url: str | None = None  # where this upstream's signing keys are published

    def secret_names(self) -> tuple[tuple[str, str], ...]:
        """(key, environment variable) for every value this table takes from the environment."""
        scheme = self.scheme
        found: list[tuple[str, str | None]] = []
        if isinstance(scheme, OAuth2ClientCredentials):
            found += [
                ("client_secret_env", scheme.client_secret_env),
                ("private_key_file_env", scheme.private_key_file_env),
            ]
        elif isinstance(scheme, BasicCredentials):
            found.append(("password_env", scheme.password_env))
        elif isinstance(scheme, MutualTls):
            found += [
                ("cert_file_env", scheme.cert_file_env),
                ("key_file_env", scheme.key_file_env),
                ("ca_file_env", scheme.ca_file_env),
            ]
        elif isinstance(scheme, TokenExchange):
            found.append(("client_secret_env", scheme.client_secret_env))
        found += [(f"headers.{name}", value.env) for name, value in self.headers]
        return tuple((key, env) for key, env in found if env)
