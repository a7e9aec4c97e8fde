"""Where a payment provider may send the citizen back to: the portal's own origins only.

`startPayment(redirectUrl:)` took any URL (issue 18 #9), so a crafted link could end a
real payment on a phishing page. Framework-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL without credentials, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    port = port or DEFAULT_PORTS[parts.scheme]
    return f"{parts.scheme}://{parts.hostname.lower()}:{port}"


def redirect_allowed(url: str, origins: Iterable[str]) -> bool:
    """Whether `url` is an http(s) URL on one of `origins` (exact origin match)."""
    wanted = origin_of(url)
    return wanted is not None and wanted in {origin_of(o) for o in origins}
