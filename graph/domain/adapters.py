"""The upstream adapters of the network, by portal id and capability.

Built once by the composition root (graph/wiring.py); the per-request loaders and
actions, the live hub and the submission desk read them. Protocols only: nothing here
knows which standard an adapter speaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.domain.submitting import SubmissionDesk
from graph.domain.uploads import NoVirusScan
from sources.base import (
    AccountArea,
    CaseEvents,
    PaymentProvider,
    Postbox,
    ServiceDirectory,
    VirusScanner,
)


@dataclass(frozen=True, slots=True)
class Adapters:
    directories: Mapping[str, ServiceDirectory] = field(default_factory=dict)
    account_areas: Mapping[str, AccountArea] = field(default_factory=dict)
    case_events: Mapping[str, CaseEvents] = field(default_factory=dict)
    postboxes: Mapping[str, Postbox] = field(default_factory=dict)
    payments: Mapping[str, PaymentProvider] = field(default_factory=dict)
    submission_desk: SubmissionDesk | None = None
    scanner: VirusScanner = field(default_factory=NoVirusScan)
