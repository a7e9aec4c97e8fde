"""Form payloads checked against the service's JSON schema, with one error per field."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

MAX_FIELD_ERRORS = 50
REQUIRED = re.compile(r"^'(.+)' is a required property$")


def field_errors(schema: dict[str, Any], form: Any) -> list[tuple[str, str]]:
    """(JSON-pointer-like path, message) per violation; empty when the form is valid.

    A schema that is itself broken is the destination's fault, not the citizen's: it is
    reported as one error on the root so nothing is submitted against it.
    """
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError:
        return [("/", "The authority's form definition is broken; try again later.")]
    validator = Draft202012Validator(schema)
    found = sorted(validator.iter_errors(form), key=lambda e: list(map(str, e.absolute_path)))
    return [(_path(error), error.message) for error in found[:MAX_FIELD_ERRORS]]


def _path(error: ValidationError) -> str:
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        # The error sits on the object; the client wants the field that is missing.
        missing = REQUIRED.match(error.message)
        parts += [missing.group(1)] if missing else []
    return "/" + "/".join(parts)
