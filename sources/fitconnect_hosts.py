"""FIT-Connect's event logs across its Submission API hosts.

FIT-Connect is one infrastructure, but routes may name more than one Submission API
host (`submissionHost`, mapped by `[fitconnect.submission_hosts]`), and a case's event
log lives at the host it was submitted to. A look-up asks the host that knew the case
before, else the default host first and the others in turn while they answer 404: the
cost is bounded by the number of configured hosts (usually one), never by the number
of portals. The host that knew a case is remembered (in this process, bounded).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sources.base import PortalRecord, StatusEventRecord
from sources.errors import SourceNotFoundError
from sources.fitconnect import FitConnectCases

T = TypeVar("T")
MAX_REMEMBERED = 10_000


class CasesAcrossHosts:
    def __init__(self, logs: Sequence[FitConnectCases]) -> None:
        """`logs`: one event-log client per Submission API host, the default first."""
        if not logs:
            raise ValueError("at least one Submission API host")
        self.logs = tuple(logs)
        self.portal: PortalRecord = logs[0].portal
        self._hosts: OrderedDict[str, FitConnectCases] = OrderedDict()

    async def events(
        self, case_id: str, destination_id: str | None = None
    ) -> list[StatusEventRecord]:
        return await self._at(case_id, lambda log: log.events(case_id, destination_id))

    async def latest(
        self, case_id: str, destination_id: str | None = None
    ) -> StatusEventRecord | None:
        return await self._at(case_id, lambda log: log.latest(case_id, destination_id))

    async def _at(self, case_id: str, ask: Callable[[FitConnectCases], Awaitable[T]]) -> T:
        known = self._hosts.get(case_id)
        order = [known] if known is not None else list(self.logs)
        for log in order[:-1]:
            try:
                found = await ask(log)
            except SourceNotFoundError:
                continue
            self._remember(case_id, log)
            return found
        found = await ask(order[-1])
        self._remember(case_id, order[-1])
        return found

    def _remember(self, case_id: str, log: FitConnectCases) -> None:
        self._hosts[case_id] = log
        self._hosts.move_to_end(case_id)
        while len(self._hosts) > MAX_REMEMBERED:
            self._hosts.popitem(last=False)
