"""Who is calling, and how often each client may write: one home for every public limit.

Every app's public writes (filing a report, supporting one, the reporter's rating, reopening and
added information, reading a photo's metadata, asking to follow a report or an area) are limited
here, per client, in the shared Redis cache, so every web process counts the same requests. Where
a write carries a phone number or an e-mail address (the reporter's contact, the follower's
address), it is counted per contact as well: changing network address must neither flood one
person's phone or inbox nor let one contact file in bulk. The rates are settings (see
`.env.example` and docs/security.md).

The client's network address is REMOTE_ADDR, or, behind `NUM_PROXIES` trusted reverse proxies,
the address the outermost of them saw (DRF's `get_ident`): X-Forwarded-For is written by the
client itself, so without trusted proxies it is never read (`NUM_PROXIES = 0`).

A limit must not stop a citizen from filing when Redis is down: when the shared cache cannot be
reached the count goes on in this process's memory (a warning is logged), so the limit still
holds per process, and nothing is refused because of the outage.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import redis
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
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


def throttles_allow(request: HttpRequest, throttles: Iterable[ClientRateThrottle]) -> bool:
    """Whether every one of `throttles` lets the request through, for the pages and Open311 (DRF
    views list them in `throttle_classes` or `get_throttles`). Like DRF, every throttle is asked,
    so a request counts against each limit that lets it through."""
    return all([throttle.allow_request(request, None) for throttle in throttles])  # noqa: C419


_PHONE_PUNCTUATION = re.compile(r"[^0-9]")


def contact_normalise(contact: str) -> str:
    """One spelling per phone number or e-mail address, so "+84 905 123 456" and "0905.123.456"
    are one contact, and so are "Binh@Example.vn " and "binh@example.vn". Empty when none."""
    text = str(contact or "").strip()
    if "@" in text:
        return "email:" + text.lower()
    digits = _PHONE_PUNCTUATION.sub("", text)
    # Vietnam's country code written instead of the trunk 0: +84 905… is 0905….
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return "phone:" + digits if digits else ""


def contact_fingerprint(contact: str) -> str:
    """A contact as the cache keys carry it: an HMAC keyed with SECRET_KEY of its normal form,
    so the shared cache never holds a phone number or an address, and a copy of it cannot be
    matched against a list of numbers without the key. Empty when there is no contact."""
    normal = contact_normalise(contact)
    if not normal:
        return ""
    return salted_hmac("geoapp.throttling.contact", normal, algorithm="sha256").hexdigest()


class ContactRateThrottle(ClientRateThrottle):
    """Requests per contact (phone number or e-mail address, as `contact_fingerprint`), whoever
    sends them. A view builds one per contact its request carries: `for_contacts`."""

    def __init__(self, fingerprint: str) -> None:
        super().__init__()
        self.fingerprint = fingerprint

    @classmethod
    def for_contacts(cls, *contacts: object) -> list[ContactRateThrottle]:
        """One throttle per distinct contact among `contacts` (blank ones left out); values
        come unchecked from the request, so anything that is not text counts as no contact."""
        fingerprints = {
            contact_fingerprint(contact) for contact in contacts if isinstance(contact, str)
        }
        return [cls(fingerprint) for fingerprint in sorted(fingerprints) if fingerprint]

    def client_key(self, request: Any) -> str:
        return f"contact:{self.fingerprint}"


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


class IncidentCreateContactThrottle(ContactRateThrottle):
    """Reports filed with one reporter phone number or e-mail address, through every channel."""

    scope = "incident_create_contact"
    rate_setting = "INCIDENT_CREATE_CONTACT_RATE"


class IncidentSupportThrottle(ClientRateThrottle):
    """Supports ("+1") per client, through the API and the pages alike."""

    scope = "incident_support"
    rate_setting = "INCIDENT_SUPPORT_RATE"


class ReporterActionThrottle(ClientRateThrottle):
    """The reporter's rating, reopening and added information, one count per client for the
    three, through the API and the pages: each tries a secret, so the count also bounds
    guessing."""

    scope = "incident_reporter_action"
    rate_setting = "INCIDENT_REPORTER_ACTION_RATE"


class SubscriptionRequestThrottle(ClientRateThrottle):
    """Requests to follow a report or an area, per client."""

    scope = "subscription_request"
    rate_setting = "SUBSCRIPTION_REQUEST_RATE"


class SubscriptionRequestContactThrottle(ContactRateThrottle):
    """Requests to follow something with one e-mail address, whoever asks: each sends the
    address a confirmation."""

    scope = "subscription_request_contact"
    rate_setting = "SUBSCRIPTION_REQUEST_CONTACT_RATE"


def subscription_request_throttles(email: object) -> list[ClientRateThrottle]:
    """The limits on asking to follow a report or an area, per client and per e-mail address
    whoever asks (each request may send that address a confirmation): one list for the API and
    the follow forms of the pages, so that a limit added here holds for both."""
    return [
        SubscriptionRequestThrottle(),
        *SubscriptionRequestContactThrottle.for_contacts(email),
    ]
