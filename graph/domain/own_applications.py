"""The viewer's applications that this gateway submitted, merged with the portals' lists.

In the Portalverbund no API lists "my applications" across portals: a FIT-Connect sender
knows its submissions because it keeps them. The journal is that record. A portal's
account area, where there is one, knows more (its own application id, the authority's
reference, payments), so its entry wins; the journal adds the applications of citizens
without an account there. Both name the FIT-Connect case, which identifies an application.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sources.base import ApplicationRecord
from sources.journal import SubmissionEntry, SubmissionState


def application_of(entry: SubmissionEntry) -> ApplicationRecord | None:
    """A sent submission as an application (id: its case id); None for anything unsent."""
    if entry.state is not SubmissionState.SUBMITTED or not (entry.case_id and entry.portal_id):
        return None
    return ApplicationRecord(
        portal_id=entry.portal_id,
        id=entry.case_id,
        case_id=entry.case_id,
        submission_id=entry.submission_id,
        leika_key=entry.service_key,
        service_name=entry.service_name,
        reference=None,
        created_at=entry.created_at,
        submitted_at=entry.finished_at,
        updated_at=entry.updated_at,
        payments=(),
        destination_id=entry.destination_id,
    )


def merge_own(
    listed: Sequence[ApplicationRecord], entries: Iterable[SubmissionEntry]
) -> list[ApplicationRecord]:
    """The portals' applications, plus the journal's whose case none of them lists.

    Replies into a case are journal entries of the same case: the oldest entry (the
    application itself) stands for the case.
    """
    merged = list(listed)
    seen = {record.case_id for record in listed}
    for entry in sorted(entries, key=lambda e: e.created_at):
        record = application_of(entry)
        if record is not None and record.case_id not in seen:
            seen.add(record.case_id)
            merged.append(record)
    return merged
