"""REST authentication of integration clients by an `X-Api-Key` header.

The client is not a user: a successful authentication leaves `request.user` anonymous (None in
this project's settings) and puts the `ApiClient` in `request.auth`, so nothing an account may do
is granted to a key, and views that need a client read it from `request.auth`.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from geoapp.api_keys import api_client_authenticate
from geoapp.exceptions import DomainError
from geoapp.models import ApiClient

API_KEY_HEADER = "X-Api-Key"


class ApiKeyAuthentication(BaseAuthentication):
    """`X-Api-Key: <key>`; requests without the header are left to the other authenticators."""

    def authenticate(self, request: Request) -> tuple[None, ApiClient] | None:
        raw_key = request.headers.get(API_KEY_HEADER)
        if raw_key is None:
            return None
        try:
            return None, api_client_authenticate(raw_key)
        except DomainError as error:
            raise AuthenticationFailed(error.message, code=error.code) from None


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the key: an `X-Api-Key` header."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}
