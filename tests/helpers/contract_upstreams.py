"""The throwaway sandbox of tests/e2e/test_contracts.py: tokens, existing ids and valid bodies.

Everything is read over HTTP from the running network, as a client of the upstreams would:
erika's applications, messages and payments at koeln, one koeln service description, and
two announced submissions (to submit, to upload an attachment to).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwe
from joserfc.jwk import RSAKey

from sandbox.destination import Destination
from sandbox.idp_grants import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE
from sandbox.runner import GATEWAY_CLIENT_ID, IDP_SECRET, SandboxNetwork, service_audiences
from sandbox.submission_intake import REGISTRY

PORTAL = "koeln"
REISEPASS = "99085001012000"


@dataclass
class Upstreams:
    network: SandboxNetwork
    tokens: dict[str, str] = field(default_factory=dict)  # capability -> bearer token
    ids: dict[str, dict[str, str]] = field(default_factory=dict)  # capability -> path ids
    fixed: dict[str, dict[str, Any]] = field(default_factory=dict)  # operation -> strategy args

    def url(self, capability: str) -> str:
        key = {"idp": ("identity", "idp"), "routing": ("routing", "routing")}
        return self.network.urls[key.get(capability, (PORTAL, capability))]

    def call(self, http: httpx.Client, capability: str, method: str, path: str, **kw: Any) -> Any:
        token = self.tokens.get(capability)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = http.request(method, self.url(capability) + path, headers=headers, **kw)
        response.raise_for_status()
        return response.json()


def _token(http: httpx.Client, idp: str, form: dict[str, str]) -> str:
    response = http.post(f"{idp}/token", data=form, auth=(GATEWAY_CLIENT_ID, IDP_SECRET))
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _known_ids(http: httpx.Client, up: Upstreams) -> None:
    """Ids of erika's data at koeln (and of the koeln catalogue) that the operations accept."""
    apps = up.call(http, "accounts", "GET", "/v1/me/applications")["applications"]
    app = next(a for a in apps if a["payments"])
    messages = up.call(http, "inbox", "GET", "/v1/messages")["messages"]
    message = next(m for m in messages if m["attachments"])
    search = up.call(http, "services", "GET", "/v8beta1/servicedescriptions?ars=053150000000")
    link = app["payments"][0]
    organisation = search["serviceDescriptions"]["content"][0]["organisationIds"][0]
    up.fixed = {"GET /v5/organisationunits/detail": {"query": {"q": organisation}}}
    up.ids = {
        "services": {"id": search["serviceDescriptions"]["content"][0]["id"]},
        "accounts": {"applicationId": app["applicationId"], "transactionId": link["transactionId"]},
        "inbox": {"id": message["id"], "attachmentId": message["attachments"][0]["attachmentId"]},
        "status": {
            "caseId": app["caseId"],
            "destinationId": Destination(PORTAL).id,
            "keyId": Destination(PORTAL).signing_kid,
        },
        "payments": {k: link[k] for k in ("originatorId", "endPointId", "transactionId")},
    }


def _submissions(http: httpx.Client, up: Upstreams) -> None:
    """Destination ids, and one announced submission each for submit and upload."""
    query = {"leikaKey": REISEPASS, "ars": "053150000000"}
    destination_id = up.call(http, "routing", "GET", "/v1/routes", params=query)["routes"][0][
        "destinationId"
    ]
    destination = up.call(http, "submissions", "GET", f"/v1/destinations/{destination_id}")
    kid = destination["encryptionKid"]
    jwk = up.call(http, "submissions", "GET", f"/v1/destinations/{destination_id}/keys/{kid}")
    key = RSAKey.import_key({k: v for k, v in jwk.items() if k != "key_ops"})  # wrapKey only
    create = {
        "destinationId": destination_id,
        "announcedAttachments": [],
        "serviceType": {
            "name": "Reisepass",
            "identifier": f"urn:de:fim:leika:leistung:{REISEPASS}",
        },
    }
    attachment = str(uuid.uuid4())
    made = [
        up.call(http, "submissions", "POST", "/v1/submissions", json=create | extra)["submissionId"]
        for extra in ({}, {"announcedAttachments": [attachment]})
    ]

    def seal(plain: bytes, content_type: str) -> str:
        header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid, "cty": content_type}
        return jwe.encrypt_compact(header, plain, key, registry=REGISTRY)

    metadata = json.dumps({"contentStructure": {"attachments": []}}).encode()
    up.ids["submissions"] = {"destinationId": destination_id, "keyId": kid, "leikaKey": REISEPASS}
    up.fixed |= {
        "GET /v1/routes": {"query": query},
        "GET /v1/areas": {"query": {"areaSearchexpression": ["Köln"]}},
        "POST /v1/submissions": {"body": create},
        "PUT /v1/submissions/{submissionId}": {
            "path_parameters": {"submissionId": made[0]},
            "body": {"encryptedMetadata": seal(metadata, "application/json")},
        },
        "PUT /v1/submissions/{submissionId}/attachments/{attachmentId}": {
            "path_parameters": {"submissionId": made[1], "attachmentId": attachment},
            "body": seal(b"%PDF-1.4 sandbox", "application/pdf"),
        },
    }


def prepare(network: SandboxNetwork) -> Upstreams:
    up = Upstreams(network)
    with httpx.Client(timeout=10, trust_env=False) as http:
        idp = up.url("idp")
        demo = http.get(f"{idp}/_sandbox/demo-tokens").json()
        citizen = _token(
            http,
            idp,
            {
                "grant_type": TOKEN_EXCHANGE,
                "subject_token": next(t["accessToken"] for t in demo if t["login"] == "erika"),
                "subject_token_type": ACCESS_TOKEN_TYPE,
                "audience": service_audiences(PORTAL)["accounts"],
            },
        )
        up.tokens = {"accounts": citizen, "inbox": citizen}
        for capability in ("status", "submissions", "payments"):
            audience = service_audiences(PORTAL)[capability]
            form = {"grant_type": "client_credentials", "audience": audience}
            up.tokens[capability] = _token(http, idp, form)
        _known_ids(http, up)
        _submissions(http, up)
    return up
