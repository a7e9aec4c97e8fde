"""JWE to a destination's key: the key checks (RSA ≥ 4096, x5c), the header, streaming."""

from __future__ import annotations

import base64
import datetime
import io
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc import jwe
from joserfc.jwk import RSAKey

from sandbox import pki
from sources._jwe import EncryptionKeyError, StreamingJwe, encrypt_compact, encryption_key

ALGORITHMS = ["RSA-OAEP-256", "A256GCM"]


class LargeRegistry(jwe.JWERegistry):
    max_ciphertext_length = 1024 * 1024


LARGE = LargeRegistry(algorithms=ALGORITHMS)


@pytest.fixture(scope="module")
def destination() -> pki.KeyPair:
    """A 4096-bit encryption key with its x5c chain from the sandbox's test CA."""
    return pki.key_pair("test-jwe-destination", kid="dest-key-0001", alg="RSA-OAEP-256")


def self_signed(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "elsewhere")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


@pytest.mark.parametrize("size", [0, 1, 2, 3, 1000, 64 * 1024 * 3 + 5])
async def test_streamed_attachments_decrypt_with_joserfc(
    destination: pki.KeyPair, size: int
) -> None:
    plain = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    key = encryption_key(destination.public)
    stream = StreamingJwe(key, io.BytesIO(plain), len(plain), "application/pdf")
    body = b"".join([chunk async for chunk in stream.chunks()])
    assert len(body) == stream.length
    decrypted = jwe.decrypt_compact(body, destination.private, registry=LARGE)
    assert decrypted.plaintext == plain
    assert decrypted.protected == {
        "alg": "RSA-OAEP-256",
        "enc": "A256GCM",
        "kid": "dest-key-0001",
        "cty": "application/pdf",
    }


def test_small_payloads_round_trip_with_kid_and_cty(destination: pki.KeyPair) -> None:
    token = encrypt_compact(b'{"a":1}', encryption_key(destination.public), "application/json")
    decrypted = jwe.decrypt_compact(token, destination.private, algorithms=ALGORITHMS)
    assert decrypted.plaintext == b'{"a":1}'
    assert decrypted.protected["cty"] == "application/json"
    assert decrypted.protected["kid"] == "dest-key-0001"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"alg": "RSA1_5"}, "RSA-OAEP-256"),
        ({"key_ops": ["verify"]}, "wrapKey"),
        ({"n": "AQAB"}, "parse"),
        ({"kid": None}, "kid"),
        ({"x5c": None}, "x5c"),
        ({"x5c": []}, "x5c"),
        ({"x5c": ["bm90IGEgY2VydGlmaWNhdGU="]}, "certificate"),
    ],
)
def test_unusable_keys_are_refused(
    destination: pki.KeyPair, change: dict[str, Any], problem: str
) -> None:
    jwk = {k: v for k, v in (destination.public | change).items() if v is not None}
    with pytest.raises(EncryptionKeyError, match=problem):
        encryption_key(jwk)


def test_a_2048_bit_key_is_refused_although_it_carries_a_chain() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = dict(RSAKey.import_key(small.public_key()).as_dict()) | {
        "kid": "small-key-1",
        "alg": "RSA-OAEP-256",
        "key_ops": ["wrapKey"],
        "x5c": [self_signed(small)],
    }
    with pytest.raises(EncryptionKeyError, match="4096"):
        encryption_key(jwk)


def test_a_chain_for_another_key_or_a_broken_chain_is_refused(destination: pki.KeyPair) -> None:
    other = pki.key_pair("test-jwe-other", kid="other-key-01", alg="RSA-OAEP-256").public
    with pytest.raises(EncryptionKeyError, match="not for this key"):
        encryption_key(destination.public | {"x5c": other["x5c"]})
    stranger = self_signed(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    broken = [destination.public["x5c"][0], stranger]
    with pytest.raises(EncryptionKeyError, match="broken"):
        encryption_key(destination.public | {"x5c": broken})


def test_a_published_private_key_is_refused(destination: pki.KeyPair) -> None:
    leaked = dict(destination.private.as_dict(private=True)) | {
        "alg": "RSA-OAEP-256",
        "x5c": destination.public["x5c"],
    }
    with pytest.raises(EncryptionKeyError, match="private"):
        encryption_key(leaked)
