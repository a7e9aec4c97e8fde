"""FIT-Connect's event logs across its Submission API hosts.

FIT-Connect is one infrastructure, but routes may name more than one Submission API
host (`submissionHost`, mapped by `[fitconnect.submission_hosts]`), and a case's event
log lives at the host it was submitted to. A look-up asks the host that knew the case
(or its destination) before, else the default host first and the others in turn while
they answer 404: the cost is bounded by the number of configured hosts (usually one),
never by the number of portals. Which host knew a case and a destination is remembered
(in this process, bounded).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sources.base import CaseEvents, PortalRecord, StatusEventRecord
from sources.errors import SourceNotFoundError

T = TypeVar("T")
MAX_REMEMBERED = 10_000


class CasesAcrossHosts:
    """One `CaseEvents` over the event logs of every host (each a FIT-Connect adapter)."""

    def __init__(self, logs: Sequence[CaseEvents]) -> None:
        """`logs`: one event-log client per Submission API host, the default first."""
        if not logs:
            raise ValueError("at least one Submission API host")
        self.logs = tuple(logs)
        self.portal: PortalRecord = logs[0].portal
        self._hosts: OrderedDict[str, CaseEvents] = OrderedDict()

    async def events(
        self, case_id: str, destination_id: str | None = None
    ) -> list[StatusEventRecord]:
        def ask(log: CaseEvents) -> Awaitable[list[StatusEventRecord]]:
            return log.events(case_id, destination_id)

        return await self._at(case_id, destination_id, ask)

    async def latest(
        self, case_id: str, destination_id: str | None = None
    ) -> StatusEventRecord | None:
        def ask(log: CaseEvents) -> Awaitable[StatusEventRecord | None]:
            return log.latest(case_id, destination_id)

        return await self._at(case_id, destination_id, ask)

    async def _at(
        self,
        case_id: str,
        destination_id: str | None,
        ask: Callable[[CaseEvents], Awaitable[T]],
    ) -> T:
        """The host that knew the case; else the one that knew its destination, then the
        others (a destination lives at one host)."""
        known = self._hosts.get(case_id)
        if known is not None:
            return await ask(known)
        hinted = self._hosts.get(f"destination:{destination_id}") if destination_id else None
        order = [log for log in (hinted, *self.logs) if log is not None]
        order = list(dict.fromkeys(order))
        for log in order[:-1]:
            try:
                found = await ask(log)
            except SourceNotFoundError:
                continue
            self._remember(case_id, destination_id, log)
            return found
        found = await ask(order[-1])
        self._remember(case_id, destination_id, order[-1])
        return found

    def _remember(self, case_id: str, destination_id: str | None, log: CaseEvents) -> None:
        keys = [case_id] + ([f"destination:{destination_id}"] if destination_id else [])
        for key in keys:
            self._hosts[key] = log
            self._hosts.move_to_end(key)
        while len(self._hosts) > MAX_REMEMBERED:
            self._hosts.popitem(last=False)
