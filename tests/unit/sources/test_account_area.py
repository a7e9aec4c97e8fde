"""The account-area adapter over the recorded samples of tests/samples/account_area/.

The account area has no published API (tests/samples/account_area/SOURCE.md): each sample is
first held to the contract it follows, the sandbox's OpenAPI document, then parsed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sandbox.openapi.accounts import accounts_document
from sources.account_area import parse_account, parse_applications
from sources.base import PaymentLinkRecord

SAMPLES = Path(__file__).parents[2] / "samples" / "account_area"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def schema_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Messages of every way `instance` breaks `schema` (refs resolve in the whole document)."""
    root = {**accounts_document(), **schema}
    validator = jsonschema.Draft202012Validator(root)
    return sorted(error.message for error in validator.iter_errors(instance))


def operation_schema(path: str, method: str, status: str = "200") -> dict[str, Any]:
    operation = accounts_document()["paths"][path][method]
    if status == "request":
        found: dict[str, Any] = operation["requestBody"]["content"]["application/json"]["schema"]
    else:
        found = operation["responses"][status]["content"]["application/json"]["schema"]
    return found


@pytest.mark.parametrize(
    ("name", "path", "method", "status"),
    [
        ("me.json", "/v1/me", "get", "200"),
        ("applications.json", "/v1/me/applications", "get", "200"),
        (
            "payment-link-request.json",
            "/v1/me/applications/{applicationId}/payments/{transactionId}",
            "put",
            "request",
        ),
    ],
)
def test_each_sample_follows_the_sandbox_openapi_document(
    name: str, path: str, method: str, status: str
) -> None:
    assert schema_errors(sample(name), operation_schema(path, method, status)) == []


def test_the_schema_check_can_fail() -> None:
    broken = sample("applications.json")
    del broken["applications"][0]["caseId"]
    found = schema_errors(broken, operation_schema("/v1/me/applications", "get"))
    assert found == ["'caseId' is a required property"]


def test_the_account_sample_parses() -> None:
    record = parse_account(sample("me.json"), lambda item: str(item["portalId"]))
    assert (record.portal_id, record.account_id) == ("koeln", "KO-00A3F1C27E")
    assert record.created_at == datetime(2023, 4, 17, 9, 42, tzinfo=UTC)
    assert record.services == ("applications", "payments", "inbox")


def test_the_applications_sample_parses_with_its_payment_links() -> None:
    applications, total = parse_applications(sample("applications.json"), lambda _: "koeln")
    assert total == 2
    first, second = applications
    assert (first.case_id, first.leika_key, first.reference) == (
        "452b5ee6-1f8e-4b2a-9f2b-3c4d5e6f7a8b", "99085001012000", "Az. 32-4/2025-4711",
    )  # fmt: skip
    assert first.submitted_at == datetime(2025, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert first.destination_id == "2a38ee58-72bf-5a4c-a1ae-59e71c0417ad"
    assert first.payments == (
        PaymentLinkRecord(
            transaction_id="TX4711",
            originator_id="99085001012000",
            end_point_id="053150000000",
            request_id="c0ffee00-4711-4c1d-9e7a-0815deadbeef",
        ),
    )
    assert second.payments == ()
    assert {a.portal_id for a in applications} == {"koeln"}


def test_the_samples_join_up_with_the_payment_samples() -> None:
    # The linked transaction is the one of tests/samples/xbezahldienste/.
    transaction = json.loads(
        (SAMPLES.parent / "xbezahldienste" / "payment-transaction.json").read_text("utf-8")
    )
    link = sample("applications.json")["applications"][0]["payments"][0]
    assert link["transactionId"] == transaction["paymentInformation"]["transactionId"]
    assert link["requestId"] == transaction["paymentRequest"]["requestId"]
    assert sample("payment-link-request.json") == {
        k: link[k] for k in sample("payment-link-request.json")
    }
