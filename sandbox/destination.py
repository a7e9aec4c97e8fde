"""A portal's FIT-Connect destination (Zustellpunkt): its id and its two published keys.

The destination signs the events it writes into a case's event log (accept-submission,
reject-submission, forward-submission) with its PS512 signing key and receives submissions
encrypted to its RSA-OAEP-256 key; both are served at `/v1/destinations/{id}/keys/{kid}`
(Submission API 1.1.3). Keys come from `sandbox.pki` by name, so the status and the
submission upstream of one portal share them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sandbox import pki


def destination_id(portal_id: str) -> str:
    """The portal's destination id: a UUIDv5 of the portal id [I]."""
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"https://sandbox.portalgraph/destinations/{portal_id}")
    )


class Destination:
    """`keys_of` shares another destination's key material (own ids and key ids, same keys:
    the topology sandbox's hundreds of municipal destinations); `ars` is the region it
    serves when `portal_id` is not one of the hand-written portals."""

    def __init__(
        self, portal_id: str, *, keys_of: str | None = None, ars: str | None = None
    ) -> None:
        self.portal_id = portal_id
        self.ars = ars
        self.id = destination_id(portal_id)
        # Key ids are 8..64 characters in FIT-Connect; UUIDs, as the spec's examples use.
        self.encryption_kid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.id}/encryption"))
        self.signing_kid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.id}/signing"))
        owner = keys_of or portal_id
        self._names = {
            self.encryption_kid: (f"destination-{owner}-encryption", "RSA-OAEP-256"),
            self.signing_kid: (f"destination-{owner}-signing", "PS512"),
        }

    def warm(self) -> None:
        for kid, (name, alg) in self._names.items():
            pki.prepare(name, kid=kid, alg=alg)

    def key_pair(self, kid: str) -> pki.KeyPair:
        name, alg = self._names[kid]
        return pki.key_pair(name, kid=kid, alg=alg)

    @property
    def encryption(self) -> pki.KeyPair:
        return self.key_pair(self.encryption_kid)

    @property
    def signing(self) -> pki.KeyPair:
        return self.key_pair(self.signing_kid)

    def public_key(self, kid: str) -> dict[str, Any] | None:
        """The published JWK with that id (blocks while it is generated), or None."""
        return self.key_pair(kid).public if kid in self._names else None
