"""A platform's account records name the municipality's Portal where they say which one.

Kommunalportal.NRW is one `[[portals]]` entry for hundreds of municipalities. Its account
area answers `GET /v1/me` with `portalId` (the sandbox's, as in docs/sandbox.md) and may
name an `ars`; the record then belongs to that municipality's Portal. Where a record
names nothing (the sandbox's application rows), it stays with the platform's entry.
"""

from __future__ import annotations

from typing import Any

from sources.account_area import parse_account, parse_applications
from sources.base import Tier
from sources.base.portal_directory import PortalDirectory
from sources.base.topology import PortalApiRecord, PortalEntryRecord, ServedMunicipality

ACCOUNTS = PortalApiRecord(url="https://konto.kommunalportal.example", adapter=None)
PLATFORM = PortalEntryRecord(
    id="kommunalportal-nrw",
    name="Kommunalportal.NRW",
    tier=Tier.MUNICIPAL,
    ars=None,
    serves=(
        ServedMunicipality(ars="051620008008", id="dormagen", name="Dormagen"),
        ServedMunicipality(ars="053620024024"),
    ),
    accounts=ACCOUNTS,
)
KOELN = PortalEntryRecord(
    id="koeln", name="Köln", tier=Tier.MUNICIPAL, ars="053150000000", accounts=ACCOUNTS
)
DIRECTORY = PortalDirectory((KOELN, PLATFORM))


def platform_portal(item: dict[str, Any]) -> str:
    """What `PortalAccountArea` does for a platform entry (graph/wiring/portal_entries.py)."""
    named = item.get("ars") or item.get("portalId")
    return DIRECTORY.named_by(PLATFORM.id, named)


def test_a_record_naming_a_served_municipality_belongs_to_its_portal() -> None:
    assert DIRECTORY.named_by(PLATFORM.id, "dormagen") == "dormagen"
    assert DIRECTORY.named_by(PLATFORM.id, "051620008008") == "dormagen"  # by its ARS
    assert DIRECTORY.named_by(PLATFORM.id, "053620024024") == "kommunalportal-nrw-053620024024"


def test_a_record_naming_nothing_or_another_entrys_portal_stays_with_the_entry() -> None:
    assert DIRECTORY.named_by(PLATFORM.id, None) == PLATFORM.id
    assert DIRECTORY.named_by(PLATFORM.id, "koeln") == PLATFORM.id  # Köln is not served here
    assert DIRECTORY.named_by(PLATFORM.id, "053150000000") == PLATFORM.id
    assert DIRECTORY.named_by(PLATFORM.id, "atlantis") == PLATFORM.id


def test_the_account_area_payloads_are_attributed_record_by_record() -> None:
    account = parse_account(
        {"accountId": "DO-1", "portalId": "dormagen", "services": []}, platform_portal
    )
    assert account.portal_id == "dormagen"
    page = {
        "applications": [
            {"applicationId": "a1", "caseId": "c1", "ars": "053620024024"},
            {"applicationId": "a2", "caseId": "c2"},  # says nothing: the platform's
        ],
        "totalCount": 2,
    }
    applications, total = parse_applications(page, platform_portal)
    assert total == 2
    assert [a.portal_id for a in applications] == [
        "kommunalportal-nrw-053620024024",
        "kommunalportal-nrw",
    ]
