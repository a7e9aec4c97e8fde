"""A raw HTTP/1.1 client for abuse tests: send a body slowly or huge, see when the server answers.

httpx sends a whole body before it reads the answer; an attacker does not have to, and a
server that answers 413 early must be seen answering early.
"""

from __future__ import annotations

import select
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class RawAnswer:
    status: int | None
    head: bytes
    sent: int  # body bytes the server took before it answered or closed


def stream_body(
    url: str,
    path: str,
    *,
    total: int,
    headers: dict[str, str] | None = None,
    chunk: int = 1 << 16,
    chunked: bool = False,
    prefix: bytes = b"",
    timeout: float = 30.0,
) -> RawAnswer:
    """POST `prefix` and 'a's, `total` bytes, to `path`; stop as soon as the server answers."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    block = b"a" * chunk
    sent = 0
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            if sent < len(prefix):
                data = prefix[sent : sent + chunk]
            else:
                data = block[: min(chunk, total - sent)]
            size = len(data)
            if chunked:
                data = f"{size:x}\r\n".encode() + data + b"\r\n"
            sock.sendall(data)
            sent += size
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed while we sent: its answer may be readable
    try:
        head = _read_head(sock, timeout)
    except OSError:
        head = b""
    finally:
        sock.close()
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else None
    return RawAnswer(status, head, sent)


def _read_head(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            return data
        data += piece
    # ...and the body, as long as Content-Length says (it may come in a later packet).
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(v)
            for k, _, v in (h.partition(b":") for h in head.split(b"\r\n")[1:])
            if k.strip().lower() == b"content-length"
        ),
        0,
    )
    while len(body) < length and (piece := sock.recv(65536)):
        body += piece
    return head + b"\r\n\r\n" + body
