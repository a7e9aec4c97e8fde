"""A search hit's full description, read when a client asks for one of its texts.

A services page builds its `Service`s from search hits (sources.base.ServiceHit) and reads
a text's fees, links and texts only for the fields asked for. A text the directory sent
malformed fails then, after the search succeeded: it becomes the directory's outage (one
error with its code, as a failed search) and the description shows no texts, while the
rest of the page stands.
"""

from __future__ import annotations

from graph.domain.outages import OutageLog
from sources.base import ServiceHit, ServiceRecord, bare_record
from sources.errors import SourceError


def full_record(hit: ServiceHit, outages: OutageLog) -> ServiceRecord:
    try:
        return hit.record()
    except SourceError as error:
        outages.record(error)
        return bare_record(hit)
