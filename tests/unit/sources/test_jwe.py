"""Streaming JWE: byte-exact length, and joserfc decrypts what it produces."""

from __future__ import annotations

import io
from typing import Any

import pytest
from joserfc import jwe
from joserfc.jwk import RSAKey

from sources._jwe import EncryptionKeyError, StreamingJwe, encrypt_compact, encryption_key


class LargeRegistry(jwe.JWERegistry):
    max_ciphertext_length = 1024 * 1024


LARGE = LargeRegistry(algorithms=["RSA-OAEP-256", "A256GCM"])


@pytest.fixture(scope="module")
def private() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "dest-1", "alg": "RSA-OAEP-256"})


def public_jwk(key: RSAKey, **extra: Any) -> dict[str, Any]:
    return (
        dict(key.as_dict(private=False)) | {"alg": "RSA-OAEP-256", "key_ops": ["wrapKey"]} | extra
    )


@pytest.mark.parametrize("size", [0, 1, 2, 3, 1000, 64 * 1024 * 3 + 5])
async def test_streamed_attachments_decrypt_with_joserfc(private: RSAKey, size: int) -> None:
    plain = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    stream = StreamingJwe(encryption_key(public_jwk(private)), io.BytesIO(plain), len(plain))
    body = b"".join([chunk async for chunk in stream.chunks()])
    assert len(body) == stream.length
    decrypted = jwe.decrypt_compact(body, private, registry=LARGE)
    assert decrypted.plaintext == plain
    assert decrypted.protected == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "dest-1"}


def test_small_payloads_round_trip(private: RSAKey) -> None:
    token = encrypt_compact(b'{"a":1}', encryption_key(public_jwk(private)))
    assert (
        jwe.decrypt_compact(token, private, algorithms=["RSA-OAEP-256", "A256GCM"]).plaintext
        == b'{"a":1}'
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"alg": "RSA1_5"}, "RSA-OAEP-256"),
        ({"key_ops": ["verify"]}, "wrapKey"),
        ({"n": "AQAB"}, "parse"),
    ],
)
def test_unusable_keys_are_refused(private: RSAKey, change: dict[str, Any], problem: str) -> None:
    with pytest.raises(EncryptionKeyError, match=problem):
        encryption_key(public_jwk(private, **change))


def test_a_published_private_key_is_refused(private: RSAKey) -> None:
    leaked = dict(private.as_dict(private=True)) | {"alg": "RSA-OAEP-256"}
    with pytest.raises(EncryptionKeyError, match="private"):
        encryption_key(leaked)
