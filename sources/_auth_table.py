"""An upstream's `auth` table, validated into an `UpstreamAuth` record.

```toml
[fitconnect.auth]
type = "oauth2_client_credentials"   # | basic | mtls | headers | token_exchange
token_url = "https://auth.fitko.example/token"
client_id = "portalgraph"
client_secret_env = "FITCONNECT_CLIENT_SECRET"
method = "client_secret_post"        # | client_secret_basic | private_key_jwt
scope = "send:region:DE05"
[fitconnect.auth.headers]
pvog-sud-api-client-id = { env = "PVOG_CLIENT_ID" }   # or a literal string
```
"""

from __future__ import annotations

import re
from typing import Any

from sources._config_values import (
    InvalidValueError,
    env_name,
    http_url,
    known_keys,
    optional_str,
    required_str,
    table,
)
from sources._toml_lines import Path
from sources.base.upstream_auth import (
    AuthScheme,
    BasicCredentials,
    ClientAuthMethod,
    HeaderValue,
    MutualTls,
    OAuth2ClientCredentials,
    StaticHeaders,
    TokenExchange,
    UpstreamAuth,
)

HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")  # RFC 9110 token
COMMON = {"type", "headers", "jwks_url"}
KEYS = {
    "oauth2_client_credentials": {
        "token_url",
        "client_id",
        "client_secret_env",
        "method",
        "private_key_file_env",
        "key_id",
        "scope",
        "audience",
    },
    "basic": {"username", "password_env"},
    "mtls": {"cert_file_env", "key_file_env", "ca_file_env"},
    "headers": set(),
    "token_exchange": {"token_url", "audience", "client_id", "client_secret_env", "method"},
}
FORBIDDEN_HEADERS = {"authorization", "host", "content-length", "cookie"}


def parse_auth(value: Any, path: Path) -> UpstreamAuth:
    auth = table(value, path)
    kind = auth.get("type")
    if kind not in KEYS:
        raise InvalidValueError(
            (*path, "type"), f"type must be one of {', '.join(KEYS)} (got {kind!r})"
        )
    known_keys(auth, COMMON | KEYS[kind], path)
    headers = _headers(auth.get("headers", {}), (*path, "headers"))
    if kind == "headers" and not headers:
        raise InvalidValueError((*path, "headers"), 'type "headers" needs at least one header')
    return UpstreamAuth(
        scheme=_scheme(kind, auth, path),
        headers=headers,
        jwks_url=http_url(auth, "jwks_url", path, required=False),
    )


def _scheme(kind: str, auth: dict[str, Any], path: Path) -> AuthScheme:
    if kind == "basic":
        return BasicCredentials(
            username=required_str(auth, "username", path),
            password_env=str(env_name(auth, "password_env", path)),
        )
    if kind == "mtls":
        return MutualTls(
            cert_file_env=str(env_name(auth, "cert_file_env", path)),
            key_file_env=str(env_name(auth, "key_file_env", path)),
            ca_file_env=env_name(auth, "ca_file_env", path, required=False),
        )
    if kind == "headers":
        return StaticHeaders()
    if kind == "token_exchange":
        method = _method(auth, path, ClientAuthMethod.CLIENT_SECRET_BASIC)
        if method is ClientAuthMethod.PRIVATE_KEY_JWT:
            raise InvalidValueError(
                (*path, "method"), "token_exchange takes a client secret method"
            )
        return TokenExchange(
            audience=required_str(auth, "audience", path),
            client_id=required_str(auth, "client_id", path),
            client_secret_env=str(env_name(auth, "client_secret_env", path)),
            token_url=http_url(auth, "token_url", path, required=False),
            method=method,
        )
    return _client_credentials(auth, path)


def _client_credentials(auth: dict[str, Any], path: Path) -> OAuth2ClientCredentials:
    method = _method(auth, path, ClientAuthMethod.CLIENT_SECRET_POST)
    jwt = method is ClientAuthMethod.PRIVATE_KEY_JWT
    secret = env_name(auth, "client_secret_env", path, required=not jwt)
    key_file = env_name(auth, "private_key_file_env", path, required=jwt)
    if jwt and secret is not None:
        raise InvalidValueError(
            (*path, "client_secret_env"), "private_key_jwt signs with a key, no secret"
        )
    if not jwt and key_file is not None:
        raise InvalidValueError(
            (*path, "private_key_file_env"), f"{method.value} takes no private key"
        )
    if not jwt and "key_id" in auth:
        raise InvalidValueError((*path, "key_id"), "key_id belongs to method private_key_jwt")
    return OAuth2ClientCredentials(
        token_url=str(http_url(auth, "token_url", path)),
        client_id=required_str(auth, "client_id", path),
        method=method,
        client_secret_env=secret,
        private_key_file_env=key_file,
        key_id=optional_str(auth, "key_id", path),
        scope=optional_str(auth, "scope", path),
        audience=optional_str(auth, "audience", path),
    )


def _method(auth: dict[str, Any], path: Path, default: ClientAuthMethod) -> ClientAuthMethod:
    raw = auth.get("method", default.value)
    try:
        return ClientAuthMethod(raw)
    except ValueError:
        names = ", ".join(m.value for m in ClientAuthMethod)
        raise InvalidValueError(
            (*path, "method"), f"method must be one of {names} (got {raw!r})"
        ) from None


def _headers(value: Any, path: Path) -> tuple[tuple[str, HeaderValue], ...]:
    found: list[tuple[str, HeaderValue]] = []
    for name, raw in table(value, path).items():
        where = (*path, name)
        if not HEADER_NAME.match(name) or name.lower() in FORBIDDEN_HEADERS:
            raise InvalidValueError(where, f"{name!r} cannot be a static header")
        if isinstance(raw, str) and raw:
            found.append((name, HeaderValue(literal=raw)))
        elif isinstance(raw, dict) and set(raw) == {"env"}:
            found.append((name, HeaderValue(env=env_name(raw, "env", where))))
        else:
            raise InvalidValueError(where, 'a header is a string or { env = "VARIABLE" }')
    return tuple(found)
