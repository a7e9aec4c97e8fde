"""What a subscription sets up and lets go: the feed's subscription (with a resume
position), the follow of the viewer's applications, inboxes and payments, and their
release when it ends. The resolvers' event loop is graph/resolvers/subscriptions.py."""

from __future__ import annotations

import asyncio
import uuid

from graph.context import Context
from graph.domain.errors import EventLogDownError, EventPositionInvalidError, NotFoundError
from graph.domain.live import Follow, LiveHub, LiveSubscription
from graph.domain.live_reader import FollowingReader
from sources.base import ApplicationRecord, EventPosition, PaymentLinkRecord, ViewerRecord
from sources.errors import EventLogUnavailableError, EventPositionError

LETTING_GO: set[asyncio.Task[None]] = set()  # strong references: the loop keeps weak ones


async def let_go(live: LiveHub, reader: FollowingReader | None, audience: str) -> None:
    """Unfollow and release the viewer's slot, even from a task cancelled for good.

    When an SSE client leaves, Starlette cancels the stream in an anyio scope that cancels
    every later await too: an `await reader.close()` in the subscription's `finally` never
    ran, so the viewer's mailbox and payments stayed polled and their subscription slot
    taken (tests/e2e/test_live.py::test_a_closed_sse_client_is_let_go). The release runs in
    a task of its own; the caller's cancellation goes on.
    """

    async def release() -> None:
        try:
            if reader is not None:
                await reader.close()
        finally:
            live.close(audience)

    task = asyncio.ensure_future(release())
    LETTING_GO.add(task)
    task.add_done_callback(LETTING_GO.discard)
    await asyncio.shield(task)


async def follow_viewer(
    context: Context, live: LiveHub, viewer: ViewerRecord, application: tuple[str, str] | None
) -> Follow:
    followed, inboxes, payments = await what_to_follow(context, viewer, application)
    return await live.follow(viewer, followed, uuid.uuid4().hex, inboxes=inboxes, payments=payments)


async def what_to_follow(
    context: Context, viewer: ViewerRecord, application: tuple[str, str] | None
) -> tuple[list[ApplicationRecord], list[str], list[tuple[PaymentLinkRecord, ApplicationRecord]]]:
    """The applications to follow, the linked account entries whose inboxes to watch and
    the applications' payment links: only what the viewer has (graph/citizen)."""
    # Fresh loaders, dropped right after: the connection may live for hours, and a
    # set of loaders held per subscription was ~15 KiB of idle memory (bench/).
    citizen = Context.build(context.gateway, context.request, None, viewer).citizen
    applications = await citizen.applications()
    followed = applications
    if application is not None:
        followed = [a for a in applications if (a.portal_id, a.id) == application]
        if not followed:
            raise NotFoundError("No such application in your account.")
    payments = [(link, a) for a in followed for link in await citizen.payment_links(a)]
    return followed, await citizen.inbox_entries(), payments


def resume_position(live: LiveHub, after: str | None) -> EventPosition | None:
    if after is None:
        return None
    try:
        return live.position(after)
    except EventPositionError as exc:
        raise EventPositionInvalidError(
            "This eventId was not issued by this gateway's event log: subscribe without"
            " `after` and refetch what you show.",
            reason="INVALID",
        ) from exc


async def subscribe(
    live: LiveHub, audience: str, position: EventPosition | None
) -> LiveSubscription:
    """The feed's subscription; a resume the log can no longer serve in full is refused."""
    try:
        stream = await live.subscribe(audience, position)
    except EventPositionError as exc:
        raise EventPositionInvalidError(
            "This eventId is ahead of the event log: subscribe without `after`.",
            reason="INVALID",
        ) from exc
    except EventLogUnavailableError as exc:
        raise EventLogDownError(
            "Live updates cannot be resumed right now; retry with the same `after` shortly."
        ) from exc
    if stream.missed != 0:  # trimmed, or the log restarted since: some events are gone
        stream.close()
        kept = live.retention
        raise EventPositionInvalidError(
            f"This eventId is older than the events kept (the last {kept.max_age / 3600:g}"
            f" hours, at most {kept.max_events:,} events): subscribe without `after` and"
            " refetch what you show.",
            reason="EXPIRED",
            resumableSeconds=kept.max_age,
        )
    return stream
