from __future__ import annotations

import httpx
import pytest

from sources._answer import decode_json, parse_retry_after
from sources._http import Upstream
from sources._pool import new_client
from sources.base import Capability, UpstreamRef
from sources.errors import (
    SourceAuthError,
    SourceBadResponseError,
    SourceError,
    SourceNotFoundError,
    SourceRateLimitedError,
    SourceRejectedError,
    SourceTimeoutError,
    SourceUnavailableError,
)


def upstream(handler: httpx.MockTransport) -> Upstream:
    client = httpx.AsyncClient(transport=handler)
    return Upstream(client, "http://portal.test", ref=UpstreamRef("koeln", Capability.SERVICES))


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, SourceUnavailableError),
        (503, SourceUnavailableError),
        (504, SourceTimeoutError),
        (429, SourceRateLimitedError),
        (401, SourceAuthError),
        (404, SourceNotFoundError),
        (400, SourceRejectedError),
    ],
)
async def test_http_statuses_become_source_errors(status: int, error: type[SourceError]) -> None:
    source = upstream(
        httpx.MockTransport(lambda r: httpx.Response(status, headers={"Retry-After": "7"}))
    )
    with pytest.raises(error) as caught:
        await source.get_json("/x")
    assert caught.value.upstream == UpstreamRef("koeln", Capability.SERVICES)
    assert (caught.value.portal_id, caught.value.capability) == ("koeln", Capability.SERVICES)
    if isinstance(caught.value, SourceRateLimitedError):
        assert caught.value.retry_after == 7


async def test_problem_json_functional_code_is_kept() -> None:
    body = {"type": "about:blank", "status": 422, "title": "x", "functionalCode": "PAYMENT_EXISTS"}
    source = upstream(
        httpx.MockTransport(
            lambda r: httpx.Response(
                422, json=body, headers={"content-type": "application/problem+json"}
            )
        )
    )
    with pytest.raises(SourceRejectedError) as caught:
        await source.get_json("/x")
    assert caught.value.functional_code == "PAYMENT_EXISTS"


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.ConnectError("refused"), SourceUnavailableError),
        (httpx.ReadTimeout("slow"), SourceTimeoutError),
        (httpx.ConnectTimeout("slow"), SourceTimeoutError),
        (httpx.RemoteProtocolError("bye"), SourceUnavailableError),
    ],
)
async def test_transport_failures_are_translated_and_chained(
    exc: Exception, error: type[SourceError]
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(error) as caught:
        await upstream(httpx.MockTransport(fail)).get_json("/x")
    assert caught.value.__cause__ is exc


async def test_a_body_that_is_not_json_is_a_bad_response() -> None:
    source = upstream(httpx.MockTransport(lambda r: httpx.Response(200, text='{"a": 1')))
    with pytest.raises(SourceBadResponseError):
        await source.get_json("/x")


def test_json_bodies_are_decoded_by_orjson_and_utf16_still_by_the_standard_library() -> None:
    body = '{"name": "Bürgeramt Köln", "ids": [1, 2], "ok": true, "none": null}'
    expected = {"name": "Bürgeramt Köln", "ids": [1, 2], "ok": True, "none": None}
    assert decode_json(body.encode()) == expected
    # orjson reads UTF-8 only; the standard library detects UTF-16 by its byte order.
    assert decode_json(body.encode("utf-16")) == expected
    with pytest.raises(ValueError, match="Expecting"):
        decode_json(b'{"a": 1')


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("12") == 12
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0


async def test_a_cookie_one_answer_sets_never_goes_out_with_the_next_request() -> None:
    # The client is shared by every viewer: a session cookie an upstream sets for one
    # citizen must not reach the upstream again with another citizen's request.
    sent: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie"))
        return httpx.Response(
            200, json={}, headers={"set-cookie": "session=erika; Path=/; Domain=portal.test"}
        )

    client = new_client(transport=httpx.MockTransport(answer))
    source = Upstream(client, "http://portal.test", ref=UpstreamRef("koeln", Capability.ACCOUNTS))
    await source.get_json("/v1/me")
    await source.get_json("/v1/me")
    assert sent == [None, None]
    assert not client.cookies
    await client.aclose()
