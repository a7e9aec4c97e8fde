"""An application's status history and its current status, from both sources.

FIT-Connect's event log (transport: submitted, received, rejected) and the authority's
Statusmonitor (processing, action required, completed) are merged into one history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sources.base import ApplicationStatus, StatusEventRecord, StatusSource

# On equal times the authority's own update is the later word.
SOURCE_ORDER = {StatusSource.FIT_CONNECT: 0, StatusSource.STATUS_MONITOR: 1}


def merged_history(
    events: Sequence[StatusEventRecord], updates: Sequence[StatusEventRecord]
) -> list[StatusEventRecord]:
    """Both sources, oldest first; on equal times the authority's own update comes last.

    An entry documenting a reply (FIT-Connect reply events, `reply_id` set) does not move
    the case: it keeps the status of the entry before it, whichever source wrote that one
    (a reply after "action required" leaves the application waiting for the viewer).
    """
    merged: list[StatusEventRecord] = []
    for entry in sorted([*events, *updates], key=lambda e: (e.time, SOURCE_ORDER[e.source])):
        keep = entry.reply_id is not None and merged
        merged.append(replace(entry, status=merged[-1].status) if keep else entry)
    return merged


def current_status(history: Sequence[StatusEventRecord]) -> ApplicationStatus:
    """The latest entry's status; an application with no history yet counts as submitted."""
    return history[-1].status if history else ApplicationStatus.SUBMITTED
