"""Signed download links: a plain `<a href>` that opens one attachment for one viewer.

A browser link cannot carry an Authorization header, yet the gateway needs the viewer's
sign-in token to fetch the file from the portal's mailbox (per-portal token exchange).
So the link carries that token sealed with AES-GCM under a key only the gateway holds,
and the seal's associated data binds it to one message, one attachment, one viewer
(a keyed pseudonym of the subject) and an expiry: change any of them and the seal
breaks. The link lives `ttl` seconds (never past the token's own expiry); whoever holds
it in that time gets that one file, which is why it is short and `Referrer-Policy:
no-referrer` keeps it out of other sites' logs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from graph.domain.errors import PublicError
from sources.base import ErrorCode

NONCE_BYTES = 12


class DownloadLinkError(PublicError):
    """The link was tampered with, is for someone else, or is unreadable."""

    code = ErrorCode.DOWNLOAD_LINK_INVALID


class DownloadLinkExpiredError(DownloadLinkError):
    code = ErrorCode.DOWNLOAD_LINK_EXPIRED


@dataclass(frozen=True, slots=True)
class SignedLink:
    expires: int
    viewer: str
    ticket: str


class DownloadSigner:
    def __init__(self, key: str | None, ttl: float) -> None:
        # Without a configured key, links only open on the process that issued them;
        # PORTALGRAPH_DOWNLOAD_KEY shares one across replicas and restarts.
        secret = key.encode() if key else os.urandom(32)
        self._seal = AESGCM(hmac.new(secret, b"portalgraph-download-seal", hashlib.sha256).digest())
        self._names = hmac.new(secret, b"portalgraph-download-viewer", hashlib.sha256).digest()
        self.ttl = ttl

    def pseudonym(self, subject: str) -> str:
        return hmac.new(self._names, subject.encode(), hashlib.sha256).hexdigest()[:32]

    def sign(
        self,
        path: str,
        subject: str,
        token: str,
        token_expires: float,
        *,
        now: float | None = None,
    ) -> str:
        """`path` with the query that opens it without an Authorization header."""
        expires = int(min((now or time.time()) + self.ttl, token_expires))
        viewer = self.pseudonym(subject)
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._seal.encrypt(nonce, token.encode(), _bound(path, viewer, expires))
        ticket = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{path}?{urlencode({'expires': expires, 'viewer': viewer, 'ticket': ticket})}"

    def open(self, path: str, link: SignedLink, *, now: float | None = None) -> str:
        """The sealed token, if the link is intact and current; raises DownloadLinkError."""
        try:
            raw = base64.urlsafe_b64decode(link.ticket + "=" * (-len(link.ticket) % 4))
            token = self._seal.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _bound(path, link.viewer, link.expires)
            )
        except (InvalidTag, ValueError, binascii.Error):
            raise DownloadLinkError("This download link is not valid.") from None
        if link.expires < (now or time.time()):
            raise DownloadLinkExpiredError("This download link expired.")
        return token.decode()

    def belongs_to(self, link: SignedLink, subject: str) -> bool:
        return hmac.compare_digest(link.viewer, self.pseudonym(subject))


def _bound(path: str, viewer: str, expires: int) -> bytes:
    return f"{path}\n{viewer}\n{expires}".encode()


def parse_link(params: dict[str, str]) -> SignedLink | None:
    """The signed-link parameters of a request, None when it has none."""
    if "ticket" not in params:
        return None
    try:
        return SignedLink(
            int(params.get("expires", "")), params.get("viewer", ""), params["ticket"]
        )
    except ValueError:
        raise DownloadLinkError("This download link is not valid.") from None


@lru_cache(maxsize=4)
def download_signer(key: str | None, ttl: float) -> DownloadSigner:
    """One signer per process and setting (a random key must stay the same for the process)."""
    return DownloadSigner(key, ttl)
