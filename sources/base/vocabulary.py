"""Identifiers, enums and region arithmetic every other module speaks in."""

from __future__ import annotations

import enum
import re

ARS_PATTERN = re.compile(r"^(\d{2}|\d{3}|\d{5}|\d{9}|\d{12})$")


LEIKA_PATTERN = re.compile(r"^99\d{12}$")


FEDERAL_ARS = "000000000000"


class Tier(enum.Enum):
    FEDERAL = "FEDERAL"
    STATE = "STATE"
    MUNICIPAL = "MUNICIPAL"


class Capability(enum.Enum):
    SERVICES = "services"
    ACCOUNTS = "accounts"
    STATUS = "status"
    PAYMENTS = "payments"
    INBOX = "inbox"
    SUBMISSIONS = "submissions"


class TrustLevel(enum.IntEnum):
    """STORK-QAA levels as BundID reports them (level 2 is unused in practice)."""

    BASIC = 1
    NORMAL = 2
    SUBSTANTIAL = 3
    HIGH = 4


# BundID and its brokers speak three vocabularies for the same four levels: STORK QAA (the
# SAML AuthnContextClassRef, opdt/keycloak-extension-bundid AuthnLevel.java), akdb's attribute
# trust levels (same file, fromAkdbTrustlevel) and the eIDAS levels of assurance, which have no
# level 2 (low → 1, substantial → 3, high → 4; reference/portalverbund.md §2.3).
_TRUST_NAMES: dict[str, TrustLevel] = {
    **{f"STORK-QAA-Level-{level.value}": level for level in TrustLevel},
    "http://eidas.europa.eu/LoA/low": TrustLevel.BASIC,
    "http://eidas.europa.eu/LoA/substantial": TrustLevel.SUBSTANTIAL,
    "http://eidas.europa.eu/LoA/high": TrustLevel.HIGH,
    "UNTERGEORDNET": TrustLevel.BASIC,
    "NORMAL": TrustLevel.NORMAL,
    "SUBSTANTIELL": TrustLevel.SUBSTANTIAL,
    "HOCH": TrustLevel.HIGH,
}


def trust_level_from(value: object) -> TrustLevel | None:
    """The TrustLevel an `acr` or level attribute names, or None for anything unknown.

    Matching is exact: an unknown or misspelt level must not grant any level at all.
    """
    return _TRUST_NAMES.get(value) if isinstance(value, str) else None


def pad_ars(ars: str) -> str:
    """Truncated ARS are area prefixes; pad them to the 12-digit form."""
    return ars.ljust(12, "0")


def ars_prefix(ars: str) -> str:
    """The significant prefix of a 12-digit ARS: the part that names its area."""
    if ars == FEDERAL_ARS:
        return ""
    for length in (2, 3, 5, 9):
        if ars[length:] == "0" * (12 - length):
            return ars[:length]
    return ars


def ars_covers(area: str, ars: str) -> bool:
    """Whether the region `area` contains (or is) the region `ars`."""
    return pad_ars(ars).startswith(ars_prefix(pad_ars(area)))


class ApplicationStatus(enum.Enum):
    """One status vocabulary over FIT-Connect transport events and ZBP Statusmonitor updates."""

    INITIATED = "INITIATED"
    SUBMITTED = "SUBMITTED"
    RECEIVED = "RECEIVED"
    PROCESSING = "PROCESSING"
    ACTION_REQUIRED = "ACTION_REQUIRED"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    DELETED = "DELETED"


class StatusSource(enum.Enum):
    FIT_CONNECT = "FIT_CONNECT"
    STATUS_MONITOR = "STATUS_MONITOR"


class PaymentStatus(enum.Enum):
    INITIAL = "INITIAL"
    PAYED = "PAYED"
    CANCELED = "CANCELED"
    FAILED = "FAILED"


class EventKind(enum.Enum):
    APPLICATION_STATUS = "APPLICATION_STATUS"
    PAYMENT_STATUS = "PAYMENT_STATUS"
    INBOX_MESSAGE = "INBOX_MESSAGE"
