"""A destination as the Submission API publishes it (`GET /v1/destinations/{id}`, 1.1.3):
its key, metadata versions, reply channels and the services it takes, by region."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.destination import Destination

LEIKA_URN = "urn:de:fim:leika:leistung:"


def destination_json(
    destination: Destination, services: Mapping[str, str], base: str
) -> dict[str, Any]:
    return {
        "destinationId": destination.id,
        "status": "active",
        "encryptionKid": destination.encryption_kid,
        "metadataVersions": ["2.1.0"],
        "replyChannels": {"fink": {}},
        "services": [
            {
                "identifier": LEIKA_URN + key,
                "regions": ["DE" + destination_region(destination.portal_id, destination.ars)],
                "submissionSchemas": [
                    {
                        "schemaUri": f"{base}/schemas/{key}.schema.json",
                        "mimeType": "application/json",
                    }
                ],
            }
            for key in sorted(services)
        ],
    }


def destination_region(portal_id: str, ars: str | None = None) -> str:
    """The ARS prefix a portal's destination serves (`DE` + region, `^DE[0-9]{0,12}$`) [I]."""
    from sandbox.data_places import PORTALS  # noqa: PLC0415 - the catalogue is big; only here

    ars = ars or next(p.ars for p in PORTALS if p.id == portal_id)
    for length in (0, 2, 3, 5, 9):
        if ars[length:] == "0" * (12 - length):
            return ars[:length]
    return ars
