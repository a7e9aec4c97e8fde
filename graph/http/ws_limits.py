"""Socket transport limits: the size of one frame, the sockets open per client.

Issue 18 #6 and #8: a frame above the body limit closes the socket (1009) instead of
being parsed; a client address may hold at most PORTALGRAPH_WS_MAX_PER_CLIENT sockets.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived

from graph.context import STATE_KEY

TOO_BIG = 1009
DEFAULT_FRAME_LIMIT = 1_000_000


def frame_limit(websocket: WebSocket) -> int:
    """PORTALGRAPH_MAX_BODY_BYTES: a frame carries what an HTTP body would."""
    state = websocket.scope.get("state", {}).get(STATE_KEY)
    return state.settings.server.max_body_bytes if state is not None else DEFAULT_FRAME_LIMIT


class BoundedWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's socket adapter, refusing frames above `max_bytes` (close 1009)."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                try:
                    text = await self.ws.receive_text()
                except KeyError as exc:  # a binary frame
                    raise NonTextMessageReceived from exc
                limit = frame_limit(self.ws)
                if len(text) > limit:
                    await self.close(TOO_BIG, f"A message may be at most {limit} bytes")
                    return
                try:
                    yield self.view.decode_json(text)
                except ValueError as exc:  # orjson.JSONDecodeError, json.JSONDecodeError
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except WebSocketDisconnect:
            pass


class ClientSockets:
    """At most `per_client` open WebSockets per client address (issue 18 #6); the entry
    (graph/http/ws_entry.py) refuses a handshake over the cap.

    The address is the peer's, or the one a trusted proxy forwarded (uvicorn's proxy
    headers, `PORTALGRAPH_TRUSTED_PROXIES`).
    """

    __slots__ = ("open", "per_client")

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self.open: dict[str, int] = {}

    def admit(self, client: str) -> bool:
        """Count the socket in, or refuse it (False): the client is at its cap."""
        count = self.open.get(client, 0)
        if count >= self.per_client:
            return False
        self.open[client] = count + 1
        return True

    def release(self, client: str) -> None:
        self.open[client] -= 1
        if not self.open[client]:
            del self.open[client]
