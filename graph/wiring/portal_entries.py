"""The adapters of one `[[portals]]` entry: its account area and its inbox.

Built in (the published account-area and Postfach APIs, sent the citizen's token exchanged
for the portal, RFC 8693) or a plug-in (`adapter = "…"`, docs/submissions.md "Plug-in
adapters"), which is handed the exchanged token where the entry's `auth` says so.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sources._auth import ExchangedBearer
from sources._http import Upstream
from sources._plugin_tokens import Exchange, ExchangingAccountArea, ExchangingPostbox
from sources._upstreams import UpstreamFactory
from sources.account_area import PortalAccountArea
from sources.base import (
    AccountArea,
    Capability,
    EndpointRecord,
    PortalRecord,
    Postbox,
    TokenIssuer,
    UpstreamRef,
)
from sources.base.portal_directory import PortalDirectory
from sources.base.topology import PortalApiRecord, PortalEntryRecord
from sources.base.upstream_auth import TokenExchange
from sources.network import NetworkConfigError
from sources.plugins import AdapterContext, PluginError, load_adapter
from sources.postfach import PostfachBox


def account_area(
    make: UpstreamFactory,
    tokens: TokenIssuer | None,
    entry: PortalEntryRecord,
    portals: PortalDirectory,
) -> AccountArea:
    api = entry.accounts
    assert api is not None
    if api.adapter is not None:
        plugged: AccountArea = _plugin(make, entry, Capability.ACCOUNTS, api)
        exchange = _plugin_exchange(make, tokens, entry, Capability.ACCOUNTS, api)
        return plugged if exchange is None else ExchangingAccountArea(plugged, exchange)
    # A platform's records may name the municipality: its Portal, not the platform's entry.
    attribute = partial(portals.named_by, entry.id) if entry.is_platform else None
    return PortalAccountArea(
        *_exchanging(make, tokens, entry, Capability.ACCOUNTS, api), attribute=attribute
    )


def postbox(make: UpstreamFactory, tokens: TokenIssuer | None, entry: PortalEntryRecord) -> Postbox:
    api = entry.inbox
    assert api is not None
    if api.adapter is not None:
        plugged: Postbox = _plugin(make, entry, Capability.INBOX, api)
        exchange = _plugin_exchange(make, tokens, entry, Capability.INBOX, api)
        return plugged if exchange is None else ExchangingPostbox(plugged, exchange)
    return PostfachBox(*_exchanging(make, tokens, entry, Capability.INBOX, api))


def _exchanging(
    make: UpstreamFactory,
    tokens: TokenIssuer | None,
    entry: PortalEntryRecord,
    capability: Capability,
    api: PortalApiRecord,
) -> tuple[PortalRecord, Upstream, ExchangedBearer]:
    """The built-in account area and inbox clients send the citizen's token exchanged for
    the portal (RFC 8693): only where the entry's `auth` says `token_exchange`."""
    name = f"portals.{entry.id}.{capability.value}"
    scheme = api.auth.scheme if api.auth is not None else None
    if tokens is None or not isinstance(scheme, TokenExchange):
        raise NetworkConfigError(
            make.source,
            f"{name}: the built-in {capability.value} client sends the citizen's token"
            " exchanged for the portal: it needs [identity] and auth type token_exchange",
        )
    upstream = make.upstream(entry.id, capability, api.url, api.auth, policy=name)
    bearer = ExchangedBearer(tokens, scheme.audience, upstream=UpstreamRef(entry.id, capability))
    return make.entry_portal(entry), upstream, bearer


def _plugin_exchange(
    make: UpstreamFactory,
    tokens: TokenIssuer | None,
    entry: PortalEntryRecord,
    capability: Capability,
    api: PortalApiRecord,
) -> Exchange | None:
    """Where a plug-in's entry says `token_exchange`, the plug-in is handed the citizen's
    token exchanged for the portal, never the sign-in token; otherwise None."""
    scheme = api.auth.scheme if api.auth is not None else None
    if not isinstance(scheme, TokenExchange):
        return None
    if tokens is None:
        raise NetworkConfigError(
            make.source, f"portals.{entry.id}.{capability.value}: token_exchange needs [identity]"
        )
    ref = UpstreamRef(entry.id, capability)
    return ExchangedBearer(tokens, scheme.audience, upstream=ref).token


def _plugin(
    make: UpstreamFactory, entry: PortalEntryRecord, capability: Capability, api: PortalApiRecord
) -> Any:
    """A plug-in adapter (entry point `api.adapter`, docs/submissions.md "Plug-in adapters")."""
    endpoint = EndpointRecord(url=api.url, adapter=api.adapter)
    context = AdapterContext(make.entry_portal(entry), capability, endpoint, make.client)
    try:
        return load_adapter(context)
    except PluginError as exc:
        raise NetworkConfigError(
            make.source, f"portals.{entry.id}.{capability.value}: {exc}"
        ) from exc
