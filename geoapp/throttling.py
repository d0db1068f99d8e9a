"""Who is calling, and how often each client may write: one home for every public limit.

Every app's public writes (filing a report, reading a photo's metadata, asking to follow a report
or an area) are limited here, per client, in the shared Redis cache, so every web process counts
the same requests. The rates are settings (see `.env.example`).

The client's network address is REMOTE_ADDR, or, behind `NUM_PROXIES` trusted reverse proxies,
the address the outermost of them saw (DRF's `get_ident`): X-Forwarded-For is written by the
client itself, so without trusted proxies it is never read (`NUM_PROXIES = 0`).

A limit must not stop a citizen from filing when Redis is down: when the shared cache cannot be
reached the count goes on in this process's memory (a warning is logged), so the limit still
holds per process, and nothing is refused because of the outage.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from geoapp.api_keys import api_client_identity
from geoapp.models import ApiClient


def client_address(request: HttpRequest) -> str:
    """The client's network address: REMOTE_ADDR, or behind NUM_PROXIES trusted proxies the
    address the outermost of them saw (never what the client itself wrote)."""
    # get_ident reads only META and the NUM_PROXIES setting, which both kinds of request have.
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type]


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
    return f"address:{client_address(request)}"


logger = logging.getLogger(__name__)

# Where the counts go while the shared cache is unreachable: this process's memory.
_PROCESS_COUNTS = LocMemCache("geoapp-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class ClientRateThrottle(SimpleRateThrottle):
    """Requests per client (`client_identity`), at the rate the setting `rate_setting` names."""

    rate_setting: str

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except (redis.RedisError, OSError) as error:
            logger.warning(
                "rate limit %s counted in this process: the shared cache is unreachable (%s)",
                self.scope,
                error,
            )
            self.cache = _PROCESS_COUNTS
            return super().allow_request(request, view)

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


def subscription_request_throttles() -> list[ClientRateThrottle]:
    """The limits on asking to follow a report or an area: one list for the API and the follow
    forms of the pages, so that a limit added here holds for both."""
    return [SubscriptionRequestThrottle()]


def throttles_allow(request: HttpRequest, throttles: list[ClientRateThrottle]) -> bool:
    """Whether every one of `throttles` lets a page's request through (DRF views ask theirs
    themselves). Like DRF, every throttle is asked, so the request counts against each limit."""
    answers = [throttle.allow_request(request, None) for throttle in throttles]
    return all(answers)
