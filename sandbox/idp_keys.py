"""The sandbox IdP's signing keys and its issuer URL, shared with the account areas.

Two RS256 keys are published: the current one signs, the retiring one stays in the JWKS
until the next rotation (`/_sandbox/rotate`), as a real IdP rolls its keys over.
"""

from __future__ import annotations

import secrets
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, KeySetSerialization, RSAKey


class Issuer:
    """Mutable issuer holder: create it empty, set `url` after the server binds, pass it on."""

    def __init__(self, url: str = "") -> None:
        self.url = url

    def __call__(self) -> str:
        if not self.url:
            raise RuntimeError("the sandbox IdP's issuer URL has not been set yet")
        return self.url.rstrip("/")


def _new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class KeyRing:
    """The signing keys, current first; the retiring key stays published until the next rotation."""

    def __init__(self) -> None:
        self._keys = [_new_key("sandbox-2026-11"), _new_key("sandbox-2026-05")]
        self._public: KeySet | None = None

    @property
    def current(self) -> RSAKey:
        return self._keys[0]

    @property
    def retiring(self) -> RSAKey:
        return self._keys[1]

    def rotate(self) -> RSAKey:
        self._keys = [_new_key(f"sandbox-{secrets.token_hex(4)}"), self._keys[0]]
        self._public = None
        return self.current

    def public_jwks(self) -> KeySetSerialization:
        return KeySet(list(self._keys)).as_dict(private=False)

    def public_keyset(self) -> KeySet:
        """Public keys only, so a verifier holding this set can never sign."""
        if self._public is None:
            self._public = KeySet.import_key_set(self.public_jwks())
        return self._public

    def sign(
        self,
        claims: dict[str, Any],
        header: dict[str, Any] | None = None,
        *,
        retiring: bool = False,
    ) -> str:
        key = self.retiring if retiring else self.current
        full = {"alg": "RS256", "kid": key.kid, "typ": "at+jwt"} | (header or {})
        return jwt.encode(full, claims, key)
