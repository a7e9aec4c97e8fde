"""Issue 18 findings 3 and 7: uploads under attack (anonymous, huge, concurrent, disguised).

Before: multipart bodies were spooled to disk before sign-in was checked; an anonymous
100 MiB upload spooled 81 MiB, three anonymous chunked uploads peaked at 707 MiB.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.helpers.abuse import figures, spool_bytes
from tests.helpers.rawhttp import stream_body
from tests.helpers.submitting import (
    PASSPORT_FORM,
    SUBMIT,
    citizen_token,
    fresh_citizen,
    multipart,
    submit,
)

MIB = 2**20
UPLOAD_HEAD = (
    b'--abuse\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
    b'{"query": "mutation($f: Upload!) { __typename }", "variables": {"f": null}}\r\n'
    b'--abuse\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
    b'{"0": ["variables.f"]}\r\n'
    b'--abuse\r\nContent-Disposition: form-data; name="0"; filename="a.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
)
MULTIPART = {"Content-Type": "multipart/form-data; boundary=abuse", "GraphQL-Preflight": "1"}


class SpoolWatch:
    """Samples this process's spooled temporary files every 5 ms; `peak` in bytes."""

    def __init__(self) -> None:
        self.peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, spool_bytes())
            time.sleep(0.005)

    def __enter__(self) -> SpoolWatch:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_anonymous_upload_is_refused_before_its_body_is_read(
    gateway: Gateway, chunked: bool
) -> None:
    with figures(f"anonymous-upload-100MiB-{'chunked' if chunked else 'length'}") as found:
        with SpoolWatch() as watch:
            answer = stream_body(
                gateway.url,
                "/graphql",
                total=100 * MIB,
                headers=MULTIPART,
                chunked=chunked,
                prefix=UPLOAD_HEAD,
            )
        found.note("sent_mib", answer.sent / MIB)
        found.note("spool_peak_mib", watch.peak / MIB)
    assert answer.status == 401, answer.head
    assert answer.sent < 16 * MIB
    assert watch.peak < MIB


@pytest.fixture(scope="module")
def tight_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    """A gateway whose uploads may spool 4 MiB in total."""
    settings = gateway_settings.override(upload_spool_total_bytes=4 * MIB)
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


def test_concurrent_uploads_share_one_spool_budget(
    tight_gateway: Gateway, sandbox: Sandbox
) -> None:
    headers = MULTIPART | {"Authorization": f"Bearer {sandbox.demo_token('erika')}"}
    host, port = tight_gateway.url.removeprefix("http://").split(":")
    # The first upload declares 3 MiB and sends only part of it: it holds its share.
    holder = socket.create_connection((host, int(port)), 10)
    head = ["POST /graphql HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {3 * MIB}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    holder.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + UPLOAD_HEAD)
    try:
        time.sleep(0.2)
        with figures("second-upload-over-total-budget") as found, SpoolWatch() as watch:
            answer = stream_body(
                tight_gateway.url, "/graphql", total=3 * MIB, headers=headers, prefix=UPLOAD_HEAD
            )
            found.note("sent_mib", answer.sent / MIB)
        assert answer.status == 503, answer.head
        assert b"retry-after" in answer.head.lower()
        assert watch.peak < MIB, "the refused upload was not spooled"
    finally:
        holder.close()
    # The holder's share is released once it is gone: a small upload fits again, and is
    # refused only because it ends before its closing boundary (its spool closed at once).
    time.sleep(0.3)
    again = stream_body(
        tight_gateway.url, "/graphql", total=MIB, headers=headers, prefix=UPLOAD_HEAD
    )
    assert again.status == 400, again.head
    assert b"closing boundary" in again.head


def test_a_signed_in_chunked_upload_must_declare_its_length(
    tight_gateway: Gateway, sandbox: Sandbox
) -> None:
    headers = MULTIPART | {"Authorization": f"Bearer {sandbox.demo_token('erika')}"}
    answer = stream_body(
        tight_gateway.url,
        "/graphql",
        total=8 * MIB,
        headers=headers,
        chunked=True,
        prefix=UPLOAD_HEAD,
    )
    assert answer.status == 411, answer.head
    assert answer.sent < 4 * MIB


DISGUISED_TEXT = [
    ("setup.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
    ("run.txt", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),
    ("page.txt", b"  <!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("svg.txt", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("latin1.txt", "Grüße aus Köln".encode("latin-1")),
    ("nul.txt", b"hello\x00world"),
]


@pytest.mark.parametrize(("name", "content"), DISGUISED_TEXT, ids=[n for n, _ in DISGUISED_TEXT])
def test_text_plain_must_be_text(
    gateway: Gateway, sandbox: Sandbox, name: str, content: bytes
) -> None:
    token = citizen_token(sandbox, fresh_citizen(sandbox, "koeln", skip=4))
    result = submit(gateway, token, f"text-{name}", files=[(name, content, "text/plain")])
    assert result["code"] == "ATTACHMENT_TYPE_REFUSED", result


def test_plain_utf8_text_is_accepted(gateway: Gateway, sandbox: Sandbox) -> None:
    token = citizen_token(sandbox, fresh_citizen(sandbox, "koeln", skip=4))
    text = "Grüße aus Köln, bitte um Rückruf.\n".encode()
    variables = {
        "input": {
            "leikaKey": "99085001012000",
            "ars": "053150000000",
            "form": PASSPORT_FORM,
            "attachments": [None],
            "clientMutationId": "text-ok",
        }
    }
    files = {"variables.input.attachments.0": ("notiz.txt", text, "text/plain")}
    body = multipart(gateway, SUBMIT, variables, files, token)
    # The content check let it through; what follows depends on the upstreams (on a loaded
    # machine a directory may time out), so only a type refusal fails this test.
    assert "ATTACHMENT_TYPE_REFUSED" not in json.dumps(body), body
