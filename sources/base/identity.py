"""Who is asking, their accounts at the portals, and the token seams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sources.base.cases import ApplicationRecord, PaymentLinkRecord
from sources.base.portals import PortalRecord
from sources.base.vocabulary import TrustLevel


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """The viewer's account in one portal's account area (Mein Konto)."""

    portal_id: str
    account_id: str
    created_at: datetime | None
    services: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_at: float


class TokenIssuer(Protocol):
    """The identity provider's token endpoint (OAuth 2.0 client flows).

    `exchange` is RFC 8693 token exchange for one audience; `client_credentials`
    is the service-to-service grant. Failures raise `SourceAuthError` or
    `SourceUnavailableError`.
    """

    async def exchange(self, subject_token: str, audience: str) -> IssuedToken: ...

    async def client_credentials(
        self, client_id: str, client_secret: str, audience: str | None
    ) -> IssuedToken: ...


class AccountArea(Protocol):
    """A portal's account area; calls carry a token exchanged for that portal."""

    portal: PortalRecord

    async def account(self, subject_token: str) -> AccountRecord | None: ...

    async def applications(self, subject_token: str) -> list[ApplicationRecord]: ...

    async def link_payment(
        self, subject_token: str, application_id: str, link: PaymentLinkRecord
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class PostalAddressRecord:
    street_address: str | None
    postal_code: str | None
    locality: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class ViewerRecord:
    """Who is asking: the claims of a validated BundID/OIDC access token.

    `token` is the raw sign-in token, kept only to exchange it per portal; it
    is never logged, cached in a shared store or forwarded upstream.
    """

    subject: str
    trust_level: TrustLevel
    sign_in_methods: tuple[str, ...]
    given_name: str | None
    family_name: str | None
    birthdate: date | None
    address: PostalAddressRecord | None
    email: str | None
    postfach_handle: str | None
    is_organisation: bool
    organisation_name: str | None
    expires_at: float
    token: str = field(repr=False)
