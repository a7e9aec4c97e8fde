"""The sandbox's RSA keys kept on disk for one test session, so each process need not make them.

An RSA-4096 key takes about half a second of CPU (seconds on a loaded machine), and a test
session starts sandboxes in several processes: pytest-xdist workers, `python -m bench`,
snippet subprocesses. When PORTALGRAPH_SANDBOX_KEY_CACHE names a folder (tests/conftest.py
sets a temporary one per session and removes it afterwards) a key is made once there and
read by every later process; otherwise `load_or_make` just makes it. These are test keys
of an invented CA: never point the variable at a folder that outlives the session.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CACHE_ENV = "PORTALGRAPH_SANDBOX_KEY_CACHE"


def _path(folder: Path, name: str) -> Path:
    # Key names are free text ("Portalgraph Sandbox Test CA"): hash them into a file name.
    return folder / (hashlib.sha256(name.encode()).hexdigest()[:32] + ".pem")


def _read(path: Path) -> rsa.RSAPrivateKey | None:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None  # absent or unreadable: make it anew
    return key if isinstance(key, rsa.RSAPrivateKey) else None


def _write(path: Path, key: rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(pem)
    os.replace(partial, path)  # readers see the whole key or none


def load_or_make(name: str, make: Callable[[], rsa.RSAPrivateKey]) -> rsa.RSAPrivateKey:
    """The named key from the session's cache folder, else `make()` (and keep it there)."""
    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return make()
    directory = Path(folder)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = _path(directory, name)
    # One process makes a key while the others wait for it, rather than all making it.
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        key = _read(path)
        if key is None:
            key = make()
            _write(path, key)
        return key
