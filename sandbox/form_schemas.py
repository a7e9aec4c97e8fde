"""JSON schemas of the online forms, one per LeiKa key (stand-ins for FIM schemas [I]).

Every form asks for the applicant and a free-text concern; a few services ask for more,
so tests can show field-level errors on a nested path.
"""

from __future__ import annotations

from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"
PERSON: dict[str, Any] = {
    "type": "object",
    "required": ["vorname", "familienname"],
    "properties": {
        "vorname": {"type": "string", "minLength": 1, "maxLength": 100},
        "familienname": {"type": "string", "minLength": 1, "maxLength": 100},
        "geburtsdatum": {"type": "string", "format": "date"},
        "email": {"type": "string", "maxLength": 254},
    },
    "additionalProperties": False,
}
# Services whose forms need more than the applicant and the concern [I].
EXTRA_FIELDS: dict[str, dict[str, Any]] = {
    "99085001012000": {  # Reisepass
        "geburtsort": {"type": "string", "minLength": 1, "maxLength": 100},
        "groesseCm": {"type": "integer", "minimum": 50, "maximum": 250},
    },
}
REPLY_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": "urn:portalgraph:sandbox:reply",
    "title": "Antwort auf eine Nachricht der Behörde",
    "type": "object",
    "required": ["inReplyTo", "text"],
    "properties": {
        "inReplyTo": {"type": "string"},
        "text": {"type": "string", "minLength": 1, "maxLength": 10000},
    },
}


def form_schema(leika_key: str, service_name: str) -> dict[str, Any]:
    extra = EXTRA_FIELDS.get(leika_key, {})
    return {
        "$schema": DRAFT,
        "$id": f"urn:portalgraph:sandbox:form:{leika_key}",
        "title": service_name,
        "type": "object",
        "required": ["antragsteller", "anliegen", *sorted(extra)],
        "properties": {
            "antragsteller": PERSON,
            "anliegen": {"type": "string", "minLength": 1, "maxLength": 4000},
            **extra,
        },
        "additionalProperties": False,
    }
