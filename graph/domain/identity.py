"""Bearer token validation: joserfc against the issuer's JWKS, into a ViewerRecord.

Every rejection is the same `InvalidTokenError` to the client (no detail that
helps an attacker), except a token that is authentic and only expired: that one is a
`TokenExpiredError`, so a client knows to refresh rather than sign in again. The precise
reason goes to the debug log, never the token.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any, Protocol

from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from graph.domain.errors import UnauthenticatedError
from graph.domain.verified_tokens import Verified, VerifiedTokens
from sources.base import PostalAddressRecord, ViewerRecord, trust_level_from
from sources.errors import KeysUnavailableError

logger = logging.getLogger("portalgraph.auth")
MAX_TOKEN_BYTES = 8192


class InvalidTokenError(UnauthenticatedError):
    """`reason` goes to `extensions.reason`; `description` to RFC 6750's error_description."""

    reason = "INVALID_TOKEN"
    description = "The access token is invalid"

    def __init__(self) -> None:
        super().__init__(
            f"{self.description}; sign in again.",
            reason=self.reason,
        )


class TokenExpiredError(InvalidTokenError):
    reason = "TOKEN_EXPIRED"
    description = "The access token expired"

    def __init__(self) -> None:
        UnauthenticatedError.__init__(
            self, f"{self.description}; refresh it and send the request again.", reason=self.reason
        )


class SignInUnavailableError(UnauthenticatedError):
    def __init__(self) -> None:
        super().__init__("Sign-in cannot be verified right now; please try again later.")


class KeySource(Protocol):
    """The issuer's signing keys (sources' JWKS cache): refreshed on an unknown `kid`."""

    async def keys_for(self, kid: str | None) -> KeySet: ...


class TokenVerifier:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        algorithms: tuple[str, ...] = ("RS256",),
        leeway: int = 30,
    ) -> None:
        self.keys = keys
        self.algorithms = list(algorithms)
        self.claims = jwt.JWTClaimsRegistry(
            leeway=leeway,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        self.verified = VerifiedTokens(leeway=leeway)

    async def verify(self, token: str) -> ViewerRecord:
        if len(token) > MAX_TOKEN_BYTES:
            raise _reject("token too large")
        known = self.verified.get(token, time.time())
        if known is not None:
            if await self._key_set(known.kid) is known.keys:
                return known.viewer
            self.verified.forget(token)  # the key set changed: check against the new one
        return await self._verify(token)

    async def _key_set(self, kid: str | None) -> KeySet:
        try:
            return await self.keys.keys_for(kid)
        except KeysUnavailableError:
            raise SignInUnavailableError from None

    async def _verify(self, token: str) -> ViewerRecord:
        try:
            header = jws.extract_compact(token.encode("ascii")).protected
        except (JoseError, ValueError, UnicodeError) as exc:
            raise _reject(f"unreadable token: {type(exc).__name__}") from None
        if header.get("alg") not in self.algorithms:
            raise _reject("algorithm not allowed")
        kid = header.get("kid")
        key_id = kid if isinstance(kid, str) else None
        key_set = await self._key_set(key_id)
        if kid is not None and not any(k.kid == kid for k in key_set.keys):
            raise _reject("unknown key id")
        try:
            decoded = jwt.decode(token, key_set, algorithms=self.algorithms)
        except (JoseError, ValueError) as exc:
            raise _reject(type(exc).__name__) from None
        try:
            # The signature is good: an expired token is worth telling apart.
            self.claims.validate(decoded.claims)
        except ExpiredTokenError:
            # Only an otherwise valid token (issuer, audience, subject) counts as expired.
            try:
                self.claims.validate({**decoded.claims, "exp": int(time.time()) + 60})
            except (JoseError, ValueError) as exc:
                raise _reject(type(exc).__name__) from None
            logger.debug("token rejected: expired")
            raise TokenExpiredError from None
        except (JoseError, ValueError) as exc:
            raise _reject(type(exc).__name__) from None
        viewer = viewer_from_claims(decoded.claims, token)
        self.verified.put(token, Verified(viewer, key_id, key_set))
        return viewer


def _reject(reason: str) -> InvalidTokenError:
    logger.debug("token rejected: %s", reason)
    return InvalidTokenError()


def viewer_from_claims(claims: dict[str, Any], token: str) -> ViewerRecord:
    level = trust_level_from(claims.get("acr"))
    if level is None or not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _reject("missing or unknown acr/sub")
    address = claims.get("address")
    methods = claims.get("amr") or []
    return ViewerRecord(
        subject=claims["sub"],
        trust_level=level,
        sign_in_methods=tuple(str(m) for m in methods) if isinstance(methods, list) else (),
        given_name=_text(claims, "given_name"),
        family_name=_text(claims, "family_name"),
        birthdate=_date(claims.get("birthdate")),
        address=PostalAddressRecord(
            street_address=_text(address, "street_address"),
            postal_code=_text(address, "postal_code"),
            locality=_text(address, "locality"),
            country=_text(address, "country"),
        )
        if isinstance(address, dict)
        else None,
        email=_text(claims, "email"),
        postfach_handle=_text(claims, "legacy_postkorb_handle"),
        is_organisation=claims.get("account_type") == "organisation",
        organisation_name=_text(claims, "organisation_name"),
        expires_at=float(claims["exp"]),
        token=token,
    )


def _text(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) and value else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
