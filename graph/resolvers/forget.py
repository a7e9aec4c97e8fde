"""The citizen's right to erasure (GDPR Art. 17) for what this gateway recorded.

Deletes the viewer's finished journal entries (sent or finally failed submissions) with
their attachment digests, case routes and payment links, and every account link learned
for them (docs/journal.md "Account links"); entries still being sent stay,
else a retry would send a second application. What the authorities and the portals hold
is theirs to delete: a portal's account area still lists them once its link is learned again.
The audit log records who (pseudonym), "Application", "me" and "deleted": nothing of
what was deleted.
"""

from __future__ import annotations

import logging

from graph.actions import RecordUnavailableError
from graph.context import Info
from graph.types.submission import ApplicationsForgotten

logger = logging.getLogger("portalgraph.journal")


async def forget_finished_applications(info: Info) -> ApplicationsForgotten:
    info.context.token()  # refuses anonymous requests
    viewer, gateway = info.context.viewer, info.context.gateway
    assert viewer is not None
    if gateway.journal is None or gateway.subject_keys is None:
        return ApplicationsForgotten(count=0)
    try:
        count = await gateway.journal.delete_finished(gateway.subject_keys(viewer.subject))
    except Exception as exc:
        logger.warning("forgetting finished applications failed: %s", type(exc).__name__)
        raise RecordUnavailableError(
            "The gateway's record cannot be changed right now; try again later."
        ) from exc
    return ApplicationsForgotten(count=count)
