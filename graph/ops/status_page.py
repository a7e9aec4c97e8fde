"""`/status`: a server-rendered page for people, one row per portal and upstream.

No script, no external asset: inline CSS and SVG fit the HTML policy of
graph/http/security.py (`style-src 'self' 'unsafe-inline'`, `img-src 'self' data:`).
The numbers are this process's own (breakers, the last few minutes of calls), like the
metrics; German labels, because the readers run German public-sector IT.
"""

from __future__ import annotations

import asyncio
import datetime
import html
import os
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse

from graph.context import GatewayState
from graph.ops.status_svg import calls_chart, sparkline
from graph.ops.upstream_window import UpstreamSummary, UpstreamWindow
from sources.base import EventLogStatus
from sources.topology import Topology
from sources.transport import BreakerSnapshot, UpstreamGuards

CAPABILITIES = {
    "services": "Leistungsverzeichnis (PVOG)",
    "accounts": "Nutzerkonto",
    "status": "Antragsstatus (FIT-Connect)",
    "payments": "Bezahldienst",
    "inbox": "Postfach",
    "submissions": "Antragstellung (FIT-Connect)",
}
STATES = {
    "closed": ("ok", "verfügbar"),
    "half-open": ("warn", "wird geprüft"),
    "open": ("bad", "gestört – Aufrufe ausgesetzt"),
    None: ("idle", "noch nicht aufgerufen"),
}
TIERS = {"FEDERAL": "Bund", "STATE": "Land", "MUNICIPAL": "Kommune"}
CENTRAL = "Zentral"
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1b1f24;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .2rem}.meta{color:#57606a;margin:0 0 1.2rem}
.banner{padding:.7rem 1rem;border-radius:6px;font-weight:600;margin-bottom:1.2rem}
.banner.ok{background:#dafbe1;color:#116329}.banner.bad{background:#ffebe9;color:#a40e26}
.banner.warn{background:#fff8c5;color:#7d4e00}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #d0d7de}
th{font-size:.85rem;color:#57606a;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.state{display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-size:.85rem}
.state.ok{background:#dafbe1;color:#116329}.state.bad{background:#ffebe9;color:#a40e26}
.state.warn{background:#fff8c5;color:#7d4e00}.state.idle{background:#eaeef2;color:#57606a}
.portal{font-weight:600}.tier{color:#57606a;font-size:.85rem}figure{margin:0 0 1.5rem}
figcaption{color:#57606a;font-size:.85rem}
"""


def de(value: float, digits: int = 0) -> str:
    """German number formatting: 1.234,5."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def seconds_text(seconds: float) -> str:
    return de(seconds, 0 if seconds == int(seconds) else 1)


def millis(seconds: float | None) -> str:
    return "–" if seconds is None else f"{de(seconds * 1000)} ms"


def rate(summary: UpstreamSummary) -> str:
    share = summary.error_rate
    return "–" if share is None else f"{de(share * 100, 1)} %"


def rows(
    topology: Topology | None,
    breakers: dict[tuple[str, str], BreakerSnapshot],
    window: UpstreamWindow,
) -> list[tuple[str, str, str, str]]:
    """(upstream name, display name, kind, capability) per upstream: the network file's
    order (PVOG, FIT-Connect, payment providers, portal entries), then the rest."""
    found: list[tuple[str, str, str, str]] = []
    if topology is not None:
        found.append(("pvog", "PVOG Suchdienst", CENTRAL, "services"))
        found += [("fitconnect", "FIT-Connect", CENTRAL, c) for c in ("status", "submissions")]
        found += [(p.id, p.name, "Bezahldienst", "payments") for p in topology.payment_providers]
    for entry in topology.portals if topology else ():
        tier = TIERS.get(entry.tier.value, entry.tier.value)
        apis = (("accounts", entry.accounts), ("inbox", entry.inbox))
        found += [(entry.id, entry.name, tier, c) for c, api in apis if api is not None]
    known = {(row[0], row[3]) for row in found}
    extras = sorted((set(breakers) | set(window.upstreams())) - known)
    found.extend((p, p, "Gateway", c) for p, c in extras)
    return found


def render(
    network: Topology | None,
    guards: UpstreamGuards | None,
    window: UpstreamWindow,
    now: float,
    journal: tuple[str, bool] | None = None,
    events: EventLogStatus | None = None,
) -> str:
    """`journal`: the journal's backend and whether it answered, when there is one;
    `events`: the live-update event log's status."""
    states_of = guards.breaker_states() if guards else []
    breakers = {(b.upstream.portal_id, b.upstream.capability.value): b for b in states_of}
    body, states, totals = [], [], [window.summary(p, c) for p, c in window.upstreams()]
    previous = None
    for portal_id, name, tier, capability in rows(network, breakers, window):
        summary = window.summary(portal_id, capability)
        breaker = breakers.get((portal_id, capability))
        css, text = STATES[breaker.state.value if breaker else None]
        if css == "ok" and not summary.calls:
            css, text = "idle", "ohne Aufrufe"
        states.append(css)
        cell = (
            ""
            if portal_id == previous
            else f'<span class="portal">{html.escape(name)}</span><br>'
            f'<span class="tier">{html.escape(tier)} · {html.escape(portal_id)}</span>'
        )
        previous = portal_id
        body.append(
            f"<tr><td>{cell}</td><td>{html.escape(CAPABILITIES.get(capability, capability))}</td>"
            f'<td><span class="state {css}">{text}</span></td>'
            f'<td class="num">{de(summary.calls)}</td><td class="num">{rate(summary)}</td>'
            f'<td class="num">{millis(summary.p50)}</td><td class="num">{millis(summary.p95)}</td>'
            f"<td>{sparkline(summary)}</td></tr>"
        )
    down = states.count("bad")
    banner = (
        ("bad", f"Eingeschränkt: {down} Dienst{'e' if down > 1 else ''} gestört")
        if down
        else ("warn", "Ein Dienst wird geprüft")
        if "warn" in states
        else ("ok", "Alle aufgerufenen Dienste verfügbar")
    )
    stamp = datetime.datetime.fromtimestamp(now, datetime.UTC).strftime("%d.%m.%Y, %H:%M:%S")
    minutes = seconds_text(window.span_seconds / 60)
    seconds = window.bucket_seconds
    slot = "je Sekunde" if seconds == 1 else f"je {seconds_text(seconds)} Sekunden"
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="refresh" content="15"><title>Portalgraph – Dienststatus</title>'
        f"<style>{STYLE}</style></head><body><h1>Portalgraph – Dienststatus</h1>"
        f'<p class="meta">Stand {stamp} UTC · letzte {minutes} Minuten · Prozess {os.getpid()}'
        " · aktualisiert sich alle 15 Sekunden</p>"
        f'<div class="banner {banner[0]}" role="status">{banner[1]}</div>'
        f"{journal_line(journal)}{events_line(events)}"
        f"<figure>{calls_chart(totals, window.bucket_seconds)}<figcaption>Aufrufe an alle Upstreams"
        f" {slot}; rot: davon fehlgeschlagen</figcaption></figure>"
        "<table><thead><tr><th>Portal</th><th>Dienst</th><th>Zustand</th>"
        '<th class="num">Aufrufe</th><th class="num">Fehlerquote</th><th class="num">Median</th>'
        '<th class="num">95. Perzentil</th><th>Verlauf (95. Perzentil)</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></body></html>"
    )


def journal_line(journal: tuple[str, bool] | None) -> str:
    """The gateway's own record (the journal): its database and whether it answers."""
    if journal is None:
        return ""
    backend, up = journal
    css, text = (
        ("ok", "erreichbar") if up else ("bad", "nicht erreichbar – Anträge werden abgewiesen")
    )
    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(backend, backend)
    return (
        f'<p class="meta">Antragsjournal ({html.escape(name)}): '
        f'<span class="state {css}" id="journal">{text}</span></p>'
    )


def events_line(events: EventLogStatus | None) -> str:
    """The live-update event log: reachable (and durable), or degraded (issue 19)."""
    if events is None:
        return ""
    name = {"redis": "Redis Streams", "jetstream": "NATS JetStream", "memory": "im Prozess"}
    backend = name.get(events.backend, events.backend)
    if not events.connected:
        css, text = "bad", "nicht erreichbar – Live-Updates warten, Rückrufe werden wiederholt"
    elif events.durable is False:
        css, text = "warn", "erreichbar, aber nicht dauerhaft konfiguriert"
    else:
        css, text = "ok", "erreichbar"
    return (
        f'<p class="meta">Ereignisprotokoll ({html.escape(backend)}): '
        f'<span class="state {css}" id="events">{text}</span>'
        f" · Rückstand {de(events.lag, 1)} s · Neuverbindungen {de(events.reconnects)}</p>"
    )


async def journal_health(gateway: GatewayState) -> tuple[str, bool] | None:
    if gateway.journal is None:
        return None
    try:
        async with asyncio.timeout(1.0):
            await gateway.journal.ping()
    except Exception:  # the page shows it; metrics count the error
        return gateway.journal.backend, False
    return gateway.journal.backend, True


def status_endpoint(window: UpstreamWindow) -> Callable[[Request], Awaitable[HTMLResponse]]:
    async def status(request: Request) -> HTMLResponse:
        gateway = GatewayState.of(request)
        network, guards = gateway.topology, gateway.guards
        return HTMLResponse(
            render(
                network,
                guards,
                window,
                time.time(),
                await journal_health(gateway),
                gateway.live.feed.log.status() if gateway.live else None,
            ),
            headers={"Cache-Control": "no-store"},
        )

    return status
