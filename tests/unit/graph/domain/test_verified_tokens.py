"""A sign-in token verified once is not verified again (graph/domain/verified_tokens.py),
but only while it has not expired and the issuer's key set is the one that checked it;
each token answers its own viewer."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from graph.domain.identity import InvalidTokenError, TokenExpiredError, TokenVerifier

ISSUER, AUDIENCE = "https://idp.example", "portalgraph"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "k2"})


class Keys:
    """The issuer's key set as the JWKS cache hands it out; `now` replaces it."""

    def __init__(self, *keys: RSAKey) -> None:
        self.now = KeySet(list(keys))

    async def keys_for(self, _kid: str | None) -> KeySet:
        return self.now


def token(subject: str, *, lifetime: int = 600, key: RSAKey = KEY) -> str:
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "exp": int(time.time()) + lifetime,
        "acr": "STORK-QAA-Level-3",
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signature was checked."""
    seen: list[str] = []
    decode = jwt.decode

    def counted(value: str, *args: object, **kwargs: object) -> object:
        seen.append(value)
        return decode(value, *args, **kwargs)  # type: ignore[arg-type]  # joserfc's own args

    monkeypatch.setattr(jwt, "decode", counted)
    return seen


async def test_a_token_is_checked_once_and_answers_its_own_viewer(checks: list[str]) -> None:
    verifier = TokenVerifier(Keys(KEY), issuer=ISSUER, audience=AUDIENCE)
    erika, max_ = token("erika"), token("max")
    first = await verifier.verify(erika)
    assert (await verifier.verify(erika)) is first
    assert (await verifier.verify(max_)).subject == "max"
    assert (await verifier.verify(erika)).subject == "erika"
    assert checks == [erika, max_]


async def test_an_expired_token_is_refused_after_a_hit(
    checks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    verifier = TokenVerifier(Keys(KEY), issuer=ISSUER, audience=AUDIENCE, leeway=30)
    short = token("erika", lifetime=60)
    await verifier.verify(short)
    later = time.time() + 60 + 31
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(TokenExpiredError):
        await verifier.verify(short)
    assert checks == [short, short]


async def test_a_refreshed_key_set_checks_the_token_again(checks: list[str]) -> None:
    keys = Keys(KEY, OTHER)
    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)
    erika = token("erika")
    await verifier.verify(erika)
    keys.now = KeySet([OTHER])  # KEY withdrawn by the issuer
    with pytest.raises(InvalidTokenError):
        await verifier.verify(erika)
    with pytest.raises(InvalidTokenError):
        await verifier.verify(erika)  # not remembered as valid either
    assert checks == [erika]  # refused at the key id, before any signature check


async def test_the_remembered_tokens_are_bounded(checks: list[str]) -> None:
    verifier = TokenVerifier(Keys(KEY), issuer=ISSUER, audience=AUDIENCE)
    verifier.verified.max_entries = 2
    tokens = [token(f"citizen{i}") for i in range(3)]
    for value in tokens:
        await verifier.verify(value)
    await verifier.verify(tokens[0])  # the oldest went first: checked again
    await verifier.verify(tokens[2])
    assert checks == [*tokens, tokens[0]]
