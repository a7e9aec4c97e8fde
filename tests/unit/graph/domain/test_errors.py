"""Public errors carry their ErrorCode and extensions."""

from __future__ import annotations

from graph.domain.errors import InsufficientTrustLevelError, PublicError
from sources.base import ErrorCode


def test_public_errors_carry_their_code_and_extensions() -> None:
    error = InsufficientTrustLevelError("Sign in again.", requiredTrustLevel="HIGH")
    assert isinstance(error, PublicError)
    assert error.extensions == {
        "code": ErrorCode.INSUFFICIENT_TRUST_LEVEL,
        "requiredTrustLevel": "HIGH",
    }
