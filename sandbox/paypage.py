"""The payment provider's pay page, for a person in a browser (no token, no external assets).

`GET /paypage/{transactionId}` shows amount, purpose and items with three buttons; each
POSTs to `/paypage/{transactionId}/pay|cancel|fail`, settles the INITIAL transaction and
redirects (303) to the request's `redirectUrl` with `?transactionId=`. The redirect carries
no trusted status: the online service must ask the API, as with real providers (§4.4).
"""

from __future__ import annotations

import html
import time
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox.case_model import Transaction
from sandbox.case_store import CaseStore
from sandbox.data import euro
from sandbox.payment_seed import settle

ACTIONS = {"pay": "PAYED", "cancel": "CANCELED", "fail": "FAILED"}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}"
    "table{width:100%;border-collapse:collapse}td{padding:.3rem;border-bottom:1px solid #ddd}"
    "td.n{text-align:right}form{display:inline}button{margin:.5rem .5rem 0 0;padding:.5rem 1rem}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f'</title><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(document, status, headers={"Cache-Control": "no-store"})


def _cents(value: object) -> int:
    return round(float(str(value)) * 100)


def _details(tx: Transaction) -> str:
    request = tx.request
    rows = "".join(
        f"<tr><td>{html.escape(str(item.get('description') or item.get('id', '')))}</td>"
        f'<td class="n">{euro(_cents(item["totalNetAmount"]) + _cents(item.get("totalTaxAmount", 0)))} €</td></tr>'
        for item in request["items"]
    )
    return (
        f"<p>Verwendungszweck: <strong>{html.escape(request['purpose'])}</strong></p>"
        f"<p>{html.escape(request.get('description') or '')}</p>"
        f'<table>{rows}<tr><td><strong>Gesamt</strong></td><td class="n"><strong>'
        f"{euro(_cents(request['grosAmount']))} €</strong></td></tr></table>"
    )


def paypage_routes(portal_id: str, cases: CaseStore) -> list[Route]:
    def find(request: Request) -> Transaction | None:
        tx = cases.transaction(request.path_params["transactionId"])
        return tx if tx is not None and tx.portal_id == portal_id else None

    async def show(request: Request) -> Response:
        tx = find(request)
        if tx is None:
            return _page("Zahlung nicht gefunden", "<p>Diese Zahlung ist unbekannt.</p>", 404)
        if tx.status != "INITIAL":
            return _page("Zahlung abgeschlossen", f"<p>Status: {tx.status}</p>{_details(tx)}", 409)
        base = f"/paypage/{html.escape(tx.transaction_id)}"
        buttons = "".join(
            f'<form method="post" action="{base}/{action}"><button type="submit">{label}</button></form>'
            for action, label in (
                ("pay", "Bezahlen"),
                ("cancel", "Abbrechen"),
                ("fail", "Fehler simulieren"),
            )
        )
        return _page("Gebühr bezahlen", f"{_details(tx)}<p>Sandbox-Bezahlseite [I]</p>{buttons}")

    async def act(request: Request) -> Response:
        tx = find(request)
        if tx is None:
            return _page("Zahlung nicht gefunden", "<p>Diese Zahlung ist unbekannt.</p>", 404)
        status = ACTIONS[request.url.path.rsplit("/", 1)[1]]
        if tx.status != "INITIAL":
            body = f"<p>Diese Zahlung ist bereits abgeschlossen (Status {tx.status}).</p>"
            return _page("Zahlung abgeschlossen", body, 409)
        settle(tx, status, int(time.time()))
        target = str(tx.request["redirectUrl"])
        separator = "&" if "?" in target else "?"
        query = urlencode({"transactionId": tx.transaction_id})
        return RedirectResponse(f"{target}{separator}{query}", status_code=303)

    return [
        Route("/paypage/{transactionId}", show),
        *(
            Route(f"/paypage/{{transactionId}}/{action}", act, methods=["POST"])
            for action in ACTIONS
        ),
    ]
