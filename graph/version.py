"""The version of the schema: the contract frontends build against.

Bumped with every change to schema.graphql (tests/test_schema_file.py checks that the
file and this version move together): minor for additions and new deprecations, major
for a removal, which only comes after the deprecation period (docs/frontend.md).
Clients read it from the schema's description or the `Portalgraph-Schema-Version`
header of every /graphql answer.
"""

from __future__ import annotations

SCHEMA_VERSION = "1.5.0"
# sha256 of the SDL this version names (without the description); a schema change
# without a version bump fails tests/test_schema_file.py, which prints the new value.
SCHEMA_FINGERPRINT = "0f8716b5303f84b2e841f402722eba5ca78b3699cad77cae9d81bb22abc17d22"
VERSION_HEADER = "Portalgraph-Schema-Version"
SCHEMA_DESCRIPTION = (
    f"Portalgraph schema {SCHEMA_VERSION}: the German Portalverbund (PVOG, FIT-Connect,"
    " XBezahldienste, Postfach) as one graph. Deprecated fields stay at least 6 months"
    " after the release that deprecates them; `@deprecated(reason:)` names the replacement"
    " and the earliest removal date."
)
