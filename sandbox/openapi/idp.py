"""OpenAPI document of the sandbox OIDC identity provider (BundID brokered into OIDC)."""

from __future__ import annotations

from sandbox.openapi.common import (
    JWKS,
    SANDBOX,
    STRING,
    Doc,
    array,
    document,
    obj,
    ok,
    ref,
)

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
NO_STORE = {
    "Cache-Control": {"schema": {"const": "no-store"}, "required": True},
    "Pragma": {"schema": {"const": "no-cache"}, "required": True},
}
TOKEN_REQUEST = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"enum": ["password", "client_credentials", TOKEN_EXCHANGE]},
        "client_id": STRING,
        "client_secret": {"type": "string", "description": "client_secret_post"},
        "username": {"type": "string", "description": "password grant"},
        "password": {"type": "string", "description": "password grant"},
        "scope": STRING,
        "audience": {"type": "string", "description": "client_credentials and token exchange"},
        "subject_token": {"type": "string", "description": "RFC 8693"},
        "subject_token_type": {"const": ACCESS_TOKEN_TYPE},
    },
}
TOKEN_RESPONSE = obj(
    ["access_token", "token_type", "expires_in"],
    {
        "access_token": STRING,
        "token_type": {"const": "Bearer"},
        "expires_in": {"type": "integer", "minimum": 0},
        "issued_token_type": {"const": ACCESS_TOKEN_TYPE},
    },
)
OAUTH_ERROR = obj(
    ["error", "error_description"],
    {
        "error": {
            "enum": [
                "invalid_request",
                "invalid_client",
                "invalid_grant",
                "invalid_target",
                "unsupported_grant_type",
            ]
        },
        "error_description": STRING,
    },
)
DISCOVERY = {
    "type": "object",
    "required": ["issuer", "jwks_uri", "token_endpoint", "grant_types_supported"],
    "properties": {
        "issuer": STRING,
        "jwks_uri": STRING,
        "token_endpoint": STRING,
        "grant_types_supported": array(STRING),
        "token_endpoint_auth_methods_supported": array(STRING),
        "response_types_supported": array(STRING),
        "subject_types_supported": array(STRING),
        "id_token_signing_alg_values_supported": array(STRING),
        "acr_values_supported": array(STRING),
    },
}


def idp_document() -> Doc:
    token = {
        "operationId": "token",
        "summary": "OAuth 2.0 token endpoint: password (demo sign-in), client_credentials "
        "and RFC 8693 token exchange",
        "description": "Confidential clients authenticate with HTTP Basic (client_secret_basic) "
        "or client_id + client_secret in the form (client_secret_post); public clients send "
        "only client_id with the password grant.",
        "security": [{"clientBasic": []}, {}],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": ref("TokenRequest")}},
        },
        "responses": {
            "200": ok(ref("TokenResponse"), headers=NO_STORE),
            "400": ok(ref("OAuthError"), "OAuth error (RFC 6749 §5.2)", headers=NO_STORE),
            "401": ok(
                ref("OAuthError"),
                "invalid_client",
                headers=NO_STORE | {"WWW-Authenticate": {"schema": STRING, "required": True}},
            ),
        },
    }
    discovery = {
        "operationId": "discovery",
        "summary": "OpenID Provider metadata",
        "responses": {"200": ok(ref("ProviderMetadata"))},
    }
    jwks = {
        "operationId": "jwks",
        "summary": "Token signing keys (RS256): the current key, then the retiring one",
        "responses": {
            "200": ok(JWKS, headers={"Cache-Control": {"schema": STRING, "required": True}})
        },
    }
    return document(
        "Identity provider (sandbox)",
        "OIDC provider standing in for BundID brokered into OIDC: discovery, JWKS and the "
        "token endpoint. The grants and claims follow OAuth 2.0 / RFC 8693; the rest is [I].",
        {
            "/.well-known/openid-configuration": {"get": discovery},
            "/jwks": {"get": jwks} | SANDBOX,
            "/token": {"post": token},
        },
        {
            "TokenRequest": TOKEN_REQUEST,
            "TokenResponse": TOKEN_RESPONSE,
            "OAuthError": OAUTH_ERROR,
            "ProviderMetadata": DISCOVERY,
        },
        security_schemes={
            "clientBasic": {
                "type": "http",
                "scheme": "basic",
                "description": "client_secret_basic (RFC 6749 §2.3.1)",
            }
        },
    )
