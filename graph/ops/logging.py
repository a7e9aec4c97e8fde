"""Structured JSON logs with a request id, pseudonyms, and the audit logger.

Logs never carry tokens or personal data: subjects appear only as keyed hashes, the
audit log names types and ids (no payload), access-log lines lose their query string
(GET variables), and anything shaped like a JWT or a bearer credential is blanked as a
last line of defence (OWASP Logging Cheat Sheet, "data to exclude").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

AUDIT = logging.getLogger("portalgraph.audit")
REQUEST_ID_HEADER = "x-request-id"
request_id: ContextVar[str] = ContextVar("request_id", default="-")
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
SECRETS = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*|(?i:bearer)\s+\S+")


class Pseudonyms:
    """HMAC of a subject: stable within one key, useless without it."""

    def __init__(self, key: str | None = None) -> None:
        # Without a configured key the hash is stable per process only; set
        # PORTALGRAPH_AUDIT_KEY to correlate audit lines across replicas and restarts.
        self.key = key.encode() if key else os.urandom(32)

    def __call__(self, subject: str) -> str:
        return hmac.new(self.key, subject.encode(), hashlib.sha256).hexdigest()[:32]


def audit(who: str, what: str, object_id: str, result: str) -> None:
    AUDIT.info(
        "access %s %s",
        what,
        result,
        extra={"audit": {"who": who, "what": what, "id": object_id, "result": result}},
    )


def redact(text: str) -> str:
    return SECRETS.sub("[redacted]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if (
            record.name == "uvicorn.access"
            and isinstance(record.args, tuple)
            and len(record.args) > 2
        ):
            # The request line's query string holds GET variables; keep the path only.
            args = list(record.args)
            args[2] = str(args[2]).split("?", 1)[0]
            record.args = tuple(args)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "requestId": request_id.get(),
            "message": redact(record.getMessage()),
        }
        details = getattr(record, "audit", None)
        if isinstance(details, dict):
            entry["audit"] = details
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` (and uvicorn `log_config`) writing JSON lines."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    quiet = {"level": "WARNING"}  # httpx logs every upstream URL at INFO
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
            "httpx": quiet,
            "httpcore": quiet,
        },
    }


def request_id_of(scope: Scope) -> str:
    """The client's X-Request-ID when well-formed, else a new one (HTTP and WebSocket;
    graph/http/ws_entry.py sets it for sockets)."""
    offered = dict(scope.get("headers", [])).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
    return offered if SAFE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Accept a well-formed X-Request-ID or make one; echo it and put it on every log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        value = request_id_of(scope)
        token = request_id.set(value)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
