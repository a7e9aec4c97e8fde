"""Helpers for submission tests: citizens of their own, multipart requests, the mutations."""

from __future__ import annotations

import json
import time
from typing import Any

from sandbox.citizens import Citizen
from sandbox.idp_grants import citizen_claims
from tests.conftest import Gateway, Sandbox

SUBMIT = """
mutation Submit($input: SubmitApplicationInput!) {
  submitApplication(input: $input) {
    __typename
    ... on ApplicationSubmitted {
      submissionId caseId duplicate clientMutationId
      application { id caseId leikaKey serviceName status portal { id } }
    }
    ... on SubmissionRejected { code message retryable clientMutationId fieldErrors { path message } }
  }
}
"""
REPLY = """
mutation Reply($id: ID!, $body: String!, $key: String!, $files: [Upload!]) {
  replyToMessage(messageId: $id, body: $body, clientMutationId: $key, attachments: $files) {
    __typename
    ... on ReplySent { submissionId caseId duplicate inReplyTo { id subject } }
    ... on SubmissionRejected { code message retryable }
  }
}
"""
PDF = b"%PDF-1.7\n" + b"Lichtbild und Nachweise\n" * 200 + b"%%EOF\n"
PASSPORT_FORM = {
    "antragsteller": {"vorname": "Jana", "familienname": "Beispiel"},
    "anliegen": "Neuer Reisepass, der alte ist abgelaufen.",
    "geburtsort": "Köln",
    "groesseCm": 172,
}


def citizen_token(sandbox: Sandbox, citizen: Citizen, *, level: int | None = None) -> str:
    """A sign-in token of the sandbox IdP for any seeded citizen (demo tokens cover four)."""
    now = int(time.time())
    claims = citizen_claims(citizen) | {
        "iss": sandbox.issuer,
        "aud": "portalgraph",
        "iat": now,
        "exp": now + 600,
        "azp": "portalgraph-graphiql",
    }
    if level is not None:
        claims["acr"] = f"STORK-QAA-Level-{level}"
    return sandbox.sign(claims)


def fresh_citizen(sandbox: Sandbox, portal_id: str, skip: int = 0) -> Citizen:
    """A seeded, non-demo citizen with an account at `portal_id` (untouched by other tests)."""
    store = sandbox.network.cases
    assert store is not None
    found = [
        c
        for c in store.citizens.values()
        if c.account_at(portal_id) and c.trust_level == 3 and c.login.startswith("buerger")
    ]
    return found[-1 - skip]


def multipart(
    gateway: Gateway,
    query: str,
    variables: dict[str, Any],
    files: dict[str, tuple[str, bytes, str]],
    token: str,
) -> dict[str, Any]:
    """A GraphQL multipart request; `files` maps a variable path to (name, bytes, type)."""
    if not files:
        return gateway.query(query, variables, token=token)
    operations = {"query": query, "variables": variables}
    paths = list(files)
    response = gateway.http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({str(i): [p] for i, p in enumerate(paths)}),
        },
        files={str(i): files[p] for i, p in enumerate(paths)},
        # Multipart is a "simple" request for browsers; the gateway wants proof of a preflight.
        headers={"Authorization": f"Bearer {token}", "GraphQL-Preflight": "1"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def submit(
    gateway: Gateway,
    token: str,
    key: str,
    *,
    form: dict[str, Any] | None = None,
    leika: str = "99085001012000",
    ars: str = "053150000000",
    files: list[tuple[str, bytes, str]] | None = None,
) -> dict[str, Any]:
    files = files or []
    variables = {
        "input": {
            "leikaKey": leika,
            "ars": ars,
            "form": PASSPORT_FORM if form is None else form,
            "attachments": [None] * len(files),
            "clientMutationId": key,
        }
    }
    paths = {f"variables.input.attachments.{i}": f for i, f in enumerate(files)}
    body = multipart(gateway, SUBMIT, variables, paths, token)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["submitApplication"]
    return result
