"""Who is calling, and how often each client may write: one home for every public limit.

Every app's public writes (filing a report, reading a photo's metadata, asking to follow a report
or an area) are limited here, per client, in the shared Redis cache, so every web process counts
the same requests. The rates are settings (see `.env.example`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from geoapp.api_keys import api_client_identity
from geoapp.models import ApiClient


def client_identity(request: HttpRequest) -> str:
    """Who is calling, for rate limits and idempotency: the integration client (by its API key),
    the account, or else the network address. A page and the API give the same person the same
    identity, so they share one count."""
    # `auth` exists on DRF requests only; pages pass Django's own request.
    if isinstance(getattr(request, "auth", None), ApiClient):
        return api_client_identity(request.auth)  # type: ignore[attr-defined]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    # get_ident reads only META, which Django's and DRF's requests both carry.
    return f"address:{BaseThrottle().get_ident(request)}"  # type: ignore[arg-type]


class ClientRateThrottle(SimpleRateThrottle):
    """Requests per client (`client_identity`), at the rate the setting `rate_setting` names."""

    rate_setting: str

    def get_rate(self) -> str:
        rate: str = getattr(settings, self.rate_setting)
        return rate

    def client_key(self, request: Any) -> str:
        return client_identity(request)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.client_key(request)}


class IncidentCreateThrottle(ClientRateThrottle):
    """Reports filed per client, through the API, the pages and Open311 alike."""

    scope = "incident_create"
    rate_setting = "INCIDENT_CREATE_RATE"


class PhotoMetadataThrottle(IncidentCreateThrottle):
    # Decoding a 10 MB photo costs CPU: limited like filing a report, with its own count.
    scope = "incident_photo_metadata"


class ApiKeyIncidentCreateThrottle(IncidentCreateThrottle):
    """The limit on filing reports, counted per API key rather than per network address (Open311
    clients authenticate by a key in the form, not by a header DRF reads)."""

    def __init__(self, client: ApiClient) -> None:
        super().__init__()
        self.identity = api_client_identity(client)

    def client_key(self, request: Any) -> str:
        return self.identity


class SubscriptionRequestThrottle(ClientRateThrottle):
    """Requests to follow a report or an area, per client."""

    scope = "subscription_request"
    rate_setting = "SUBSCRIPTION_REQUEST_RATE"
