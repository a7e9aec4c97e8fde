"""Encryption at rest for per-submission callback secrets: AES-256-GCM with a key ring.

The caller reads the keys from the environment (e.g. PORTALGRAPH_JOURNAL_KEYS) in the
form `id:base64key[,id:base64key…]`; the first key encrypts, every listed key decrypts,
so keys rotate by putting a new one first, re-encrypting (`Submissions.rotate_secrets`)
and then dropping the old one. Each ciphertext is bound to its row (associated data), so
a ciphertext copied into another row does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import JournalConfigError, JournalSecretError

FORMAT = b"\x01"  # blob layout: format byte, 12-byte nonce, ciphertext with 16-byte tag
NONCE = 12
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class SecretBox:
    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise JournalConfigError("The current journal key id is not among the keys.")
        for key_id, key in keys.items():
            if not KEY_ID.match(key_id):
                raise JournalConfigError(
                    f"Journal key ids are 1-32 letters, digits, '.', '_' or '-' (got {key_id!r})."
                )
            if len(key) != 32:
                raise JournalConfigError(f"Journal key {key_id!r} must be 32 bytes (AES-256).")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current = current

    @classmethod
    def parse(cls, value: str) -> SecretBox:
        """`id:base64key[,id:base64key…]`, the first key current (standard or URL-safe base64)."""
        keys: dict[str, bytes] = {}
        for item in (part.strip() for part in value.split(",")):
            key_id, sep, encoded = item.partition(":")
            if not sep or not encoded:
                raise JournalConfigError("Journal keys look like id:base64key[,id:base64key…].")
            try:
                raw = base64.b64decode(encoded.replace("-", "+").replace("_", "/"), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise JournalConfigError(f"Journal key {key_id!r} is not base64.") from exc
            if key_id in keys:
                raise JournalConfigError(f"Journal key id {key_id!r} is listed twice.")
            keys[key_id] = raw
        current = value.split(",", 1)[0].strip().partition(":")[0]
        return cls(keys, current)

    @staticmethod
    def new_key() -> str:
        """A fresh random key, base64-encoded, for the environment variable."""
        return base64.urlsafe_b64encode(os.urandom(32)).decode()

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._ciphers)

    def seal(self, plaintext: str, context: bytes) -> tuple[str, bytes]:
        """(key id, blob) for `plaintext`, bound to `context` (the row's identity)."""
        nonce = os.urandom(NONCE)  # random 96-bit nonces: safe far beyond a journal's volume
        sealed = self._ciphers[self.current].encrypt(nonce, plaintext.encode(), context)
        return self.current, FORMAT + nonce + sealed

    def open(self, key_id: str, blob: bytes, context: bytes) -> str:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise JournalSecretError(
                f"A stored secret uses journal key {key_id!r}, which is no longer configured."
            )
        if blob[:1] != FORMAT or len(blob) < 1 + NONCE + 16:
            raise JournalSecretError("A stored secret has an unknown format.")
        try:
            plain = cipher.decrypt(blob[1 : 1 + NONCE], blob[1 + NONCE :], context)
        except InvalidTag as exc:
            raise JournalSecretError("A stored secret does not decrypt: wrong row or key.") from exc
        return plain.decode()


def row_context(subject_key: str, client_mutation_id: str) -> bytes:
    """The associated data that binds a callback secret to its submission row."""
    return b"\x00".join(
        (b"portalgraph.journal.callback-secret", subject_key.encode(), client_mutation_id.encode())
    )
