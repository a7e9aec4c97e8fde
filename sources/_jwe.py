"""JWE compact serialisation with RSA-OAEP-256 key wrapping and A256GCM content encryption.

Small payloads (metadata, form data) go through joserfc. Attachments are encrypted as a
stream: compact JWE ends with the GCM tag, so header, wrapped key and IV are sent first,
the ciphertext chunk by chunk as the file is read, and the tag last. A 20 MB upload thus
never sits in memory, and the output decrypts with any JWE library (tests check joserfc).

A destination's key must be what FIT-Connect publishes (Submission API 1.1.3 `JWK`, docs
"details/crypto"): RSA of at least 4096 bits for RSA-OAEP-256 with a certificate chain in
`x5c` whose first certificate holds that very key and whose certificates each sign the one
before. Every JWE header names the key (`kid`) and the content type (`cty`).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

ALGORITHMS = ["RSA-OAEP-256", "A256GCM"]
HEADER = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
MIN_KEY_BITS = 4096
CHUNK = 64 * 1024 * 3  # a multiple of 3, so base64 chunks join without padding


class EncryptionKeyError(ValueError):
    """The destination's published key is unusable for RSA-OAEP-256 encryption."""


def encryption_key(jwk: dict[str, Any]) -> RSAKey:
    """The destination's public key, checked: RSA ≥ 4096 bit for RSA-OAEP-256 / wrapKey, with
    a consistent `x5c` chain (trust in the chain's root is the caller's configuration)."""
    if jwk.get("kty") != "RSA" or jwk.get("alg") != "RSA-OAEP-256":
        raise EncryptionKeyError("key must be kty RSA with alg RSA-OAEP-256")
    if "wrapKey" not in (jwk.get("key_ops") or ["wrapKey"]):
        raise EncryptionKeyError("key_ops must allow wrapKey")
    if "d" in jwk:
        raise EncryptionKeyError("a destination must never publish its private key")
    if not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
        raise EncryptionKeyError("key must carry a kid")
    try:
        key = RSAKey.import_key({k: v for k, v in jwk.items() if k not in ("key_ops", "x5c")})
    except (JoseError, ValueError, TypeError) as exc:
        raise EncryptionKeyError(f"key does not parse: {type(exc).__name__}") from exc
    public = key.get_op_key("wrapKey")
    if not isinstance(public, rsa.RSAPublicKey) or public.key_size < MIN_KEY_BITS:
        raise EncryptionKeyError(f"key must be RSA with at least {MIN_KEY_BITS} bits")
    check_chain(jwk.get("x5c"), public)
    return key


def check_chain(x5c: Any, public: rsa.RSAPublicKey) -> list[x509.Certificate]:
    """The certificates of `x5c`: the first holds `public`, each is signed by the next."""
    if not isinstance(x5c, list) or not x5c or not all(isinstance(c, str) for c in x5c):
        raise EncryptionKeyError("key must carry its certificate chain in x5c")
    try:
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in x5c]
    except ValueError as exc:
        raise EncryptionKeyError("x5c holds no valid certificate") from exc
    if chain[0].public_key() != public:
        raise EncryptionKeyError("the first certificate of x5c is not for this key")
    for certificate, issuer in itertools.pairwise(chain):
        try:
            certificate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise EncryptionKeyError("the x5c chain is broken") from exc
    return chain


def _header(key: RSAKey, content_type: str) -> dict[str, str]:
    return {**HEADER, "kid": str(key.kid), "cty": content_type}


def encrypt_compact(plaintext: bytes, key: RSAKey, content_type: str) -> str:
    return jwe.encrypt_compact(_header(key, content_type), plaintext, key, algorithms=ALGORITHMS)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64_length(size: int) -> int:
    return (size * 4 + 2) // 3


class StreamingJwe:
    """One attachment's JWE compact body, produced while reading `file` from the start."""

    def __init__(self, key: RSAKey, file: BinaryIO, size: int, content_type: str) -> None:
        header = _header(key, content_type)
        self.protected = _b64(json.dumps(header, separators=(",", ":")).encode())
        cek, self.iv = os.urandom(32), os.urandom(12)
        wrapping = key.get_op_key("wrapKey")
        assert isinstance(wrapping, rsa.RSAPublicKey)  # checked by encryption_key()
        oaep = padding.OAEP(
            mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        )
        self.wrapped = wrapping.encrypt(cek, oaep)
        self.cipher = Cipher(algorithms.AES(cek), modes.GCM(self.iv))
        self.file, self.size = file, size

    @property
    def length(self) -> int:
        """Exact byte length of the compact serialisation (sent as Content-Length)."""
        parts = (len(self.protected), _b64_length(len(self.wrapped)), _b64_length(12))
        return sum(parts) + _b64_length(self.size) + _b64_length(16) + 4

    async def chunks(self) -> AsyncIterator[bytes]:
        encryptor = self.cipher.encryptor()
        encryptor.authenticate_additional_data(self.protected)
        yield self.protected + b"." + _b64(self.wrapped) + b"." + _b64(self.iv) + b"."
        self.file.seek(0)
        while block := self.file.read(CHUNK):
            yield _b64(encryptor.update(block))
        encryptor.finalize()
        yield b"." + _b64(encryptor.tag)
