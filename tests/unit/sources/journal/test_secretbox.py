"""The key ring for callback secrets: parsing the environment value, sealing, opening."""

from __future__ import annotations

import base64

import pytest

from sources.journal import JournalConfigError, JournalSecretError, SecretBox
from sources.journal.secretbox import row_context

KEY_A = base64.b64encode(bytes(range(32))).decode()
KEY_B = base64.urlsafe_b64encode(bytes(range(32, 64))).decode()
CONTEXT = row_context("subject", "mutation")


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    old = SecretBox.parse(f"a:{KEY_A}")
    key_id, blob = old.seal("s" * 40, CONTEXT)
    assert key_id == "a"
    ring = SecretBox.parse(f"b:{KEY_B}, a:{KEY_A}")
    assert ring.current == "b"
    assert ring.key_ids == {"a", "b"}
    assert ring.open("a", blob, CONTEXT) == "s" * 40
    assert ring.seal("x", CONTEXT)[0] == "b"


def test_sealing_twice_gives_different_ciphertexts() -> None:
    box = SecretBox.parse(f"a:{KEY_A}")
    assert box.seal("same", CONTEXT)[1] != box.seal("same", CONTEXT)[1]


def test_a_ciphertext_opens_only_in_its_own_row() -> None:
    box = SecretBox.parse(f"a:{KEY_A}")
    _, blob = box.seal("secret", CONTEXT)
    with pytest.raises(JournalSecretError, match="wrong row or key"):
        box.open("a", blob, row_context("subject", "other-mutation"))


def test_a_tampered_or_foreign_blob_is_refused() -> None:
    box = SecretBox.parse(f"a:{KEY_A}")
    _, blob = box.seal("secret", CONTEXT)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(JournalSecretError):
        box.open("a", tampered, CONTEXT)
    with pytest.raises(JournalSecretError, match="unknown format"):
        box.open("a", b"\x02" + blob[1:], CONTEXT)
    with pytest.raises(JournalSecretError, match="no longer configured"):
        box.open("gone", blob, CONTEXT)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nokey", "id:base64key"),
        (f"a:{KEY_A},a:{KEY_B}", "listed twice"),
        ("a:not*base64", "not base64"),
        (f"a:{base64.b64encode(b'short').decode()}", "32 bytes"),
        (f"bad id:{KEY_A}", "Journal key ids"),
    ],
)
def test_bad_key_settings_are_refused_with_the_reason(value: str, message: str) -> None:
    with pytest.raises(JournalConfigError, match=message):
        SecretBox.parse(value)


def test_a_new_key_is_a_usable_random_key() -> None:
    first, second = SecretBox.new_key(), SecretBox.new_key()
    assert first != second
    box = SecretBox.parse(f"k:{first}")
    key_id, blob = box.seal("x", CONTEXT)
    assert box.open(key_id, blob, CONTEXT) == "x"
