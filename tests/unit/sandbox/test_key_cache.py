"""The session's key cache: a key made once is read back by later calls (other processes)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox import key_cache


class Maker:
    def __init__(self) -> None:
        self.made = 0

    def __call__(self) -> rsa.RSAPrivateKey:
        self.made += 1
        # A smaller key: the cache does not care about the size, and 4096 bits take long.
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_a_cached_key_is_made_once_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "keys"
    monkeypatch.setenv(key_cache.CACHE_ENV, str(folder))
    make = Maker()
    first = key_cache.load_or_make("Portalgraph Sandbox Test CA", make)
    again = key_cache.load_or_make("Portalgraph Sandbox Test CA", make)
    other = key_cache.load_or_make("destination-koeln-signing", make)
    assert make.made == 2
    assert again.private_numbers() == first.private_numbers()
    assert other.private_numbers() != first.private_numbers()
    pems = sorted(folder.glob("*.pem"))
    assert len(pems) == 2
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in pems)  # private keys
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_an_unreadable_cached_key_is_made_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(key_cache.CACHE_ENV, str(tmp_path))
    make = Maker()
    first = key_cache.load_or_make("k", make)
    for pem in tmp_path.glob("*.pem"):
        pem.write_text("not a key")
    second = key_cache.load_or_make("k", make)
    assert make.made == 2
    assert second.private_numbers() != first.private_numbers()
    assert key_cache.load_or_make("k", make).private_numbers() == second.private_numbers()


def test_without_a_cache_folder_every_call_makes_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(key_cache.CACHE_ENV, raising=False)
    make = Maker()
    key_cache.load_or_make("k", make)
    key_cache.load_or_make("k", make)
    assert make.made == 2
