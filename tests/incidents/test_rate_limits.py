"""Public write limits: who a client is (never what it claims in X-Forwarded-For, unless our own
proxies wrote it), and filing that keeps working when the shared cache is down."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from pytest_django import Settings
from rest_framework.test import APIClient

from geoapp import throttling
from incidents.models import Incident
from tests.conftest import Territory

from .api.test_public import CREATE_URL, report_body

CLOSED_PORT_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}


@pytest.fixture(autouse=True)
def _no_counts_in_this_process() -> Iterator[None]:
    throttling._PROCESS_COUNTS.clear()
    yield
    throttling._PROCESS_COUNTS.clear()


def filed_statuses(client: APIClient, times: int, **headers: Any) -> list[int]:
    return [
        client.post(CREATE_URL, report_body(), format="json", **headers).status_code
        for _ in range(times)
    ]


def test_a_forged_forwarded_for_header_neither_escapes_the_limit_nor_spends_another_quota(
    territory: Territory, categories: None, settings: Settings
) -> None:
    settings.INCIDENT_CREATE_RATE = "1/hour"
    attacker = APIClient(REMOTE_ADDR="198.51.100.7")

    statuses = [
        attacker.post(
            CREATE_URL, report_body(), format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(3)
    ]
    victim = APIClient(REMOTE_ADDR="203.0.113.1").post(CREATE_URL, report_body(), format="json")

    assert statuses == [201, 429, 429]
    assert victim.status_code == 201
    assert Incident.objects.count() == 2


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(
    territory: Territory, categories: None, settings: Settings
) -> None:
    settings.INCIDENT_CREATE_RATE = "1/hour"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = APIClient(REMOTE_ADDR="10.0.0.2")

    # The proxy appends the address it saw; whatever the client wrote before it is ignored.
    first = filed_statuses(proxy, 2, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    second = filed_statuses(proxy, 1, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.8")

    assert (first, second) == ([201, 429], [201])
    assert Incident.objects.count() == 2


def test_with_the_cache_down_reports_are_filed_and_the_limit_counts_in_the_process(
    territory: Territory,
    categories: None,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.INCIDENT_CREATE_RATE = "2/hour"
    citizen = APIClient(REMOTE_ADDR="198.51.100.7")

    with override_settings(CACHES=CLOSED_PORT_CACHE), caplog.at_level(logging.WARNING):
        statuses = filed_statuses(citizen, 3)

    assert statuses == [201, 201, 429]
    assert Incident.objects.count() == 2
    assert any(
        "rate limit incident_create counted in this process" in record.getMessage()
        for record in caplog.records
    )
