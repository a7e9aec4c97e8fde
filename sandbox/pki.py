"""RSA-4096 keys with certificate chains from a test CA, for the sandbox's FIT-Connect parties.

FIT-Connect publishes every key as a JWK with `x5c` (certificate chain) and at least 4096
bits (`n` ≥ 683 characters, Submission API 1.1.3 `JWK` schema). Generating such a key takes
about half a second, so keys are made once per process, by name, in background threads:
`warm()` starts them when an upstream app is built, `jwk()` waits for one (call it through
`asyncio.to_thread` from a handler; generation releases the GIL). A test session shares them
between its processes through `sandbox.key_cache`. The CA is invented for the sandbox
("Portalgraph Sandbox Test CA"), standing in for the Verwaltungs-PKI.
"""

from __future__ import annotations

import base64
import datetime
import threading
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc.jwk import RSAKey

from sandbox import key_cache

KEY_BITS = 4096
CA_NAME = "Portalgraph Sandbox Test CA"
_lock = threading.Lock()
_keys: dict[str, rsa.RSAPrivateKey] = {}
_pending: dict[str, threading.Event] = {}
_slots = threading.Semaphore(2)  # at most two keys in generation at once (2 cores)
_preparing: dict[tuple[str, str, str], threading.Event] = {}


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A private key for signing or decrypting and its public JWK (with `x5c`) to publish."""

    private: RSAKey
    public: dict[str, Any]


def _make() -> rsa.RSAPrivateKey:
    with _slots:
        return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def _generate(name: str, done: threading.Event) -> None:
    key = key_cache.load_or_make(name, _make)  # from the test session's folder, if it has one
    with _lock:
        _keys[name] = key
    done.set()


def warm(*names: str) -> None:
    """Start generating the named keys (and the CA's) in the background; returns at once."""
    for name in (CA_NAME, *names):
        with _lock:
            if name in _keys or name in _pending:
                continue
            _pending[name] = done = threading.Event()
        threading.Thread(target=_generate, args=(name, done), daemon=True).start()


def prepare(name: str, *, kid: str, alg: str) -> None:
    """Like `warm`, and also build the JWK pair (certificate chain included) in the background."""
    with _lock:
        if (name, kid, alg) in _pairs or (name, kid, alg) in _preparing:
            return
        _preparing[(name, kid, alg)] = done = threading.Event()
    warm(name)

    def build() -> None:
        key_pair(name, kid=kid, alg=alg)
        done.set()

    threading.Thread(target=build, daemon=True).start()


def ready() -> None:
    """Block until every key and pair asked for so far exists (a sandbox start waits for them)."""
    with _lock:
        pending = [*_pending.values(), *_preparing.values()]
    for done in pending:
        done.wait()


def private_key(name: str) -> rsa.RSAPrivateKey:
    """The named key, generated on first use; blocks until it exists."""
    warm(name)
    _pending[name].wait()
    return _keys[name]


_certificates: dict[str, x509.Certificate] = {}


def _certificate(name: str) -> x509.Certificate:
    """A certificate for the named key, issued by the test CA (the CA's own is self-signed)."""
    with _lock:
        cached = _certificates.get(name)
    if cached is not None:
        return cached
    ca_key = private_key(CA_NAME)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(private_key(name).public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=name == CA_NAME, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    with _lock:
        return _certificates.setdefault(name, certificate)


def chain(name: str) -> list[str]:
    """`x5c`: standard base64 DER of the key's certificate, then the CA's."""
    return [
        base64.b64encode(_certificate(n).public_bytes(serialization.Encoding.DER)).decode()
        for n in (name, CA_NAME)
    ]


_pairs: dict[tuple[str, str, str], KeyPair] = {}


def key_pair(name: str, *, kid: str, alg: str) -> KeyPair:
    """The named key as a FIT-Connect JWK pair: PS512 keys verify, RSA-OAEP-256 keys wrap."""
    with _lock:
        cached = _pairs.get((name, kid, alg))
    if cached is not None:
        return cached
    private = RSAKey.import_key(private_key(name), {"kid": kid, "alg": alg})
    public = {k: v for k, v in private.as_dict(private=False).items() if k in ("kty", "n", "e")}
    operation = "verify" if alg == "PS512" else "wrapKey"
    public |= {"kid": kid, "alg": alg, "key_ops": [operation], "x5c": chain(name)}
    with _lock:
        return _pairs.setdefault((name, kid, alg), KeyPair(private, public))
