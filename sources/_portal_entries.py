"""`[[portals]]` of network file version 2: single portals and platforms serving many municipalities.

```toml
[[portals]]                       # a platform: one entry, ~396 Portals in the graph
id = "kommunalportal-nrw"
name = "Kommunalportal.NRW"
tier = "MUNICIPAL"
serves = ["051620008008", { ars = "053150000000", id = "koeln", name = "Köln" }]
website_template = "https://{slug}.kommunalportal.nrw"
[portals.accounts]                # only where the portal offers an API: a plug-in adapter
url = "https://api.kommunalportal.nrw/accounts"
adapter = "kommunalportal-nrw"
```
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from sources._config_values import (
    ADAPTER_NAME,
    ARS12,
    IDENTIFIER,
    InvalidValueError,
    http_url,
    known_keys,
    optional_str,
    pattern,
    required_str,
    table,
)
from sources._toml_lines import Path
from sources._topology_tables import ARS_PREFIX, POLICY, auth_of
from sources.base.topology import PortalApiRecord, PortalEntryRecord, ServedMunicipality
from sources.base.vocabulary import Tier

ENTRY_KEYS = {"id", "name", "tier", "ars", "website", "serves", "ars_prefix", "website_template"}
API_KEYS = {"url", "adapter", "auth"} | POLICY
INBOX_KEYS = API_KEYS | {"every_viewer"}
APIS = ("accounts", "inbox")
MOVED = {
    "services": "[pvog] (one Suchdienst for all of Germany)",
    "status": "[fitconnect] (one Submission API for all destinations)",
    "submissions": "[fitconnect]",
    "payments": "[[payment_providers]] with tenants by ARS prefix",
}


def portal_entry(value: Any, path: Path) -> PortalEntryRecord:
    found = table(value, path)
    for key, target in MOVED.items():
        if key in found:
            raise InvalidValueError(
                (*path, key), f"{key} is no longer per portal in version 2: see {target}"
            )
    known_keys(found, ENTRY_KEYS | set(APIS), path)
    entry_id = pattern(found, "id", IDENTIFIER, "lower-case letters, digits and '-'", path)
    shapes = [key for key in ("ars", "serves", "ars_prefix") if key in found]
    if len(shapes) != 1:
        raise InvalidValueError(
            (*path, shapes[1] if len(shapes) > 1 else "ars"),
            "a portal has exactly one of ars (a single portal), serves (a list of ARS)"
            " or ars_prefix (every municipality under it)",
        )
    platform = shapes[0] != "ars"
    tier_name = found.get("tier", "MUNICIPAL" if platform else None)
    try:
        tier = Tier(tier_name)
    except ValueError:
        raise InvalidValueError(
            (*path, "tier"), f"tier must be FEDERAL, STATE or MUNICIPAL (got {tier_name!r})"
        ) from None
    template = optional_str(found, "website_template", path)
    if template is not None:
        _check_template(template, (*path, "website_template"))
    return PortalEntryRecord(
        id=entry_id,
        name=required_str(found, "name", path),
        tier=tier,
        ars=pattern(found, "ars", ARS12, "a 12-digit ARS", path) if not platform else None,
        website=http_url(found, "website", path, required=False),
        serves=_served(found["serves"], (*path, "serves")) if "serves" in found else (),
        ars_prefix=(
            pattern(found, "ars_prefix", ARS_PREFIX, "an ARS prefix of 2–12 digits", path)
            if "ars_prefix" in found
            else None
        ),
        website_template=template,
        accounts=_api(found, "accounts", path),
        inbox=_api(found, "inbox", path),
    )


def _served(value: Any, path: Path) -> tuple[ServedMunicipality, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidValueError(
            path, "serves must be a non-empty list of ARS or { ars, id, name } tables"
        )
    served: list[ServedMunicipality] = []
    for index, raw in enumerate(value):
        where = (*path, index)
        if isinstance(raw, str):
            if not ARS12.match(raw):
                raise InvalidValueError(
                    where, f"serves[{index}] must be a 12-digit ARS (got {raw!r})"
                )
            served.append(ServedMunicipality(ars=raw))
            continue
        item = table(raw, where)
        known_keys(item, {"ars", "id", "name", "website"}, where)
        item_id = item.get("id")
        if item_id is not None:
            item_id = pattern(item, "id", IDENTIFIER, "lower-case letters, digits and '-'", where)
        served.append(
            ServedMunicipality(
                ars=pattern(item, "ars", ARS12, "a 12-digit ARS", where),
                id=item_id,
                name=optional_str(item, "name", where),
                website=http_url(item, "website", where, required=False),
            )
        )
    return tuple(served)


def _api(found: dict[str, Any], key: str, path: Path) -> PortalApiRecord | None:
    if key not in found:
        return None
    where = (*path, key)
    api = table(found[key], where)
    known_keys(api, INBOX_KEYS if key == "inbox" else API_KEYS, where)
    every_viewer = api.get("every_viewer", False)
    if not isinstance(every_viewer, bool):
        raise InvalidValueError((*where, "every_viewer"), "every_viewer must be true or false")
    adapter = api.get("adapter")
    if adapter is not None and not (isinstance(adapter, str) and ADAPTER_NAME.match(adapter)):
        raise InvalidValueError(
            (*where, "adapter"), "adapter must name an entry point of group portalgraph.sources"
        )
    return PortalApiRecord(
        url=str(http_url(api, "url", where)),
        adapter=adapter,
        auth=auth_of(api, "auth", where),
        every_viewer=every_viewer,
    )


def _check_template(template: str, path: Path) -> None:
    try:
        fields = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise InvalidValueError(path, f"website_template: {exc}") from None
    if not fields or not fields <= {"slug", "ars"}:
        raise InvalidValueError(path, "website_template takes {slug} and/or {ars} and nothing else")
    if not template.startswith(("http://", "https://")):
        raise InvalidValueError(path, "website_template must be an http(s) URL")


def unique_portals(entries: list[tuple[Path, PortalEntryRecord]]) -> None:
    """Portal ids (including derived ones) and explicitly served ARS are unique."""
    ids: dict[str, Path] = {}
    owners: dict[str, str] = {}
    for path, entry in entries:
        own = [(entry.id, (*path, "id"), entry.ars)]
        own += [
            (entry.served_id(s), (*path, "serves", i), s.ars) for i, s in enumerate(entry.serves)
        ]
        for portal_id, where, ars in own:
            if portal_id in ids:
                raise InvalidValueError(where, f"portal id {portal_id!r} is defined twice")
            ids[portal_id] = where
            if ars is None:
                continue
            if ars in owners:
                raise InvalidValueError(
                    where, f"ARS {ars} is served by both {owners[ars]} and {entry.id}"
                )
            owners[ars] = entry.id
