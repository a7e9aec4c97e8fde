"""Offline GraphiQL: the HTML page and the static assets it loads.

Strawberry's built-in GraphiQL loads React and GraphiQL from a CDN and is blank
without internet access. This module renders our own page
(``graph/static/graphiql.html``) that loads everything from the gateway itself:
the files in ``graph/static/vendor/`` fetched at install time by
``scripts/fetch_graphiql.py`` (see docs/graphiql.md).

Stdlib + Starlette only, so it can be imported without the schema.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from string import Template

from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"  # package data of `graph`
TEMPLATE_PATH = STATIC_DIR / "graphiql.html"

# What GraphiQL opens with: the citizen dashboard, and where a token comes from.
DEFAULT_QUERY = """\
# Portalgraph: the citizen dashboard (applications, payments, inbox) across portals.
#
# It needs a sign-in. Paste a token into the Headers tab below:
#   {"Authorization": "Bearer <token>"}
# `make run` prints tokens for demo citizens (Erika: eID, Max: password); the sandbox's
# identity provider lists them all at <idp>/_sandbox/demo-tokens. In production the
# token is the access token your portal's sign-in (BundID via OIDC) issued.
# Without a token, public data works: try `services(query: "Reisepass")`.

query Dashboard {
  me {
    givenName
    applications(first: 10) {
      totalCount
      edges {
        node {
          id
          serviceName
          status
          statusHistory { time status source }
          portal { id name }
          payments { id status amount { cents currency } redirectUrl }
        }
      }
    }
    unreadMessageCount
    outages { portalId capability message }
  }
}
"""
# A favicon inline, so the browser's own request for /favicon.ico is never made.
FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E"
    "%3Crect width='32' height='32' rx='6' fill='%23003064'/%3E"
    "%3Ctext x='16' y='22' font-family='sans-serif' font-size='16' text-anchor='middle'"
    " fill='%23ffcc00'%3EPG%3C/text%3E%3C/svg%3E"
)

# CSP nonces are base64 (RFC 4648, either alphabet); anything else could break
# out of the attribute.
_NONCE_RE = re.compile(r"[A-Za-z0-9+/_=-]{1,256}")


def vendor_dir(override: str | None = None) -> Path:
    """Where the fetched assets live: `PORTALGRAPH_GRAPHIQL_VENDOR_DIR` or graph/static/vendor."""
    return Path(override) if override else STATIC_DIR / "vendor"


def graphiql_assets_app(override: str | None = None) -> StaticFiles:
    """ASGI app serving the vendored assets; mount it at the ``assets_prefix`` of the page.

    Built even when the assets are missing (requests then get 404 and the page
    explains how to fetch them) so the gateway still starts.
    """
    return StaticFiles(directory=vendor_dir(override), check_dir=False)


@lru_cache(maxsize=1)
def _template() -> Template:
    try:
        return Template(TEMPLATE_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeError(
            f"GraphiQL page template {TEMPLATE_PATH} is missing; "
            "is graph/static/*.html listed in the package data?"
        ) from None


def _json_in_script(value: object) -> str:
    """JSON that cannot end the surrounding <script> element or open a comment."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _local_url(value: str, what: str) -> str:
    # The page must not load anything from another host: only same-origin paths.
    if "://" in value or value.startswith(("//", "\\")) or value.lower().startswith("javascript:"):
        raise ValueError(f"{what} must be a path on this server, got {value!r}")
    return value


def graphiql_html(
    *,
    endpoint: str = "/graphql",
    assets_prefix: str = "/graphiql/assets",
    default_headers: str = "",
    default_query: str = DEFAULT_QUERY,
    nonce: str = "",
) -> str:
    """Render the GraphiQL page.

    ``endpoint``: path of the GraphQL endpoint (HTTP; subscriptions use ws(s)://
    on the same host and path). ``assets_prefix``: where ``graphiql_assets_app()``
    is mounted. ``default_headers`` / ``default_query``: initial text of the
    headers and query editors. ``nonce``: CSP nonce put on every <script> and
    <style> element, so the gateway can send e.g.
    ``Content-Security-Policy: script-src 'nonce-<nonce>'``; empty for none.
    """
    if nonce and not _NONCE_RE.fullmatch(nonce):
        raise ValueError("nonce must be a base64 string")
    config = {
        "endpoint": _local_url(endpoint, "endpoint"),
        "defaultHeaders": default_headers,
        "defaultQuery": default_query,
    }
    assets = _local_url(assets_prefix, "assets_prefix").rstrip("/")
    return _template().safe_substitute(
        assets=html.escape(assets, quote=True),
        nonce_attr=f' nonce="{html.escape(nonce, quote=True)}"' if nonce else "",
        favicon=html.escape(FAVICON, quote=True),
        config_json=_json_in_script(config),
    )
