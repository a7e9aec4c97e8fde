"""FIT-Connect callbacks from the sandbox's submission services to the gateway.

When a case gets new events the Zustelldienst POSTs `{"type": ".../new-events",
"submissions": [...]}` to the sender's callback URL, authenticated with
`callback-authentication` = hex HMAC-SHA512 over "{callback-timestamp}.{raw body}"
(reference/portalverbund.md §3.6), and retries a few times until it gets a 200. A case whose
create-submission carried `callback {url, secret}` is called back there with that secret,
as a real Zustelldienst does. Other cases (seeded ones, or a sender that gave none) go to
`{url}/hooks/fitconnect/{portal}` with the portal's fixed demo secret [I], and only when
`url` is set: a gateway on network file version 2 knows no such secret and refuses them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time

import httpx

from sandbox.case_model import Application

NEW_EVENTS = "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events"
ATTEMPTS = 4
logger = logging.getLogger("sandbox.callbacks")


def callback_secret(portal_id: str) -> str:
    """A fixed demo secret per portal (32–512 characters, as FIT-Connect requires)."""
    return f"sandbox-callback-secret-{portal_id}-not-for-production-use"


def callback_secret_env(portal_id: str) -> str:
    return f"PORTALGRAPH_CALLBACK_SECRET_{portal_id.upper().replace('-', '_')}"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha512).hexdigest()


class CallbackSender:
    """Sends callbacks to `url` (the gateway's base URL) once one is set."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.sent = 0
        self.failed = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def new_events(self, portal_id: str, destination_id: str, app: Application) -> None:
        if app.callback is not None:
            url, secret = app.callback
        elif self.url is not None:
            url, secret = f"{self.url}/hooks/fitconnect/{portal_id}", callback_secret(portal_id)
        else:
            return
        submission = {
            "destinationId": destination_id,
            "submissionId": app.submission_id,
            "caseId": app.case_id,
        }
        body = json.dumps({"type": NEW_EVENTS, "submissions": [submission]}).encode()
        task = asyncio.get_running_loop().create_task(self._deliver(url, secret, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Cancel deliveries still retrying: a task destroyed with the loop would leave its
        connection to be closed by the garbage collector, in some later test."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _deliver(self, url: str, secret: str, body: bytes) -> None:
        async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
            for attempt in range(ATTEMPTS):
                timestamp = str(int(time.time()))
                headers = {
                    "content-type": "application/json",
                    "callback-timestamp": timestamp,
                    "callback-authentication": sign(secret, timestamp, body),
                }
                try:
                    response = await client.post(url, content=body, headers=headers)
                    if response.status_code == 200:
                        self.sent += 1
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2 * 2**attempt)
        self.failed += 1
        # The host only: a callback URL is the sender's and may carry its own tokens.
        logger.warning("callback to %s failed after %d attempts", httpx.URL(url).host, ATTEMPTS)
