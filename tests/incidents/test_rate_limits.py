"""Public write limits: who a client is (never what it claims in X-Forwarded-For, unless our own
proxies wrote it), and filing that keeps working when the shared cache is down."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from pytest_django import Settings
from rest_framework.test import APIClient

from geoapp import throttling
from incidents import services
from incidents.models import Incident, IncidentEvent, IncidentSupporter
from notifications.models import Notification
from tests.conftest import Territory

from .api.test_public import CREATE_URL, report_body
from .conftest import FileReport, snapshot

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


# Supporting a report ("+1")


def support_url(incident: Incident) -> str:
    return f"/api/v1/incidents/{incident.tracking_code}/support/"


def test_an_unverified_email_does_not_make_a_new_supporter(
    file_report: FileReport,
) -> None:
    """Issue 8, finding 4: any unverified e-mail counted as a new supporter, so one client could
    add as many supporters as it could invent addresses."""
    incident = file_report().incident
    citizen = APIClient(REMOTE_ADDR="198.51.100.7")

    first = citizen.post(support_url(incident), {"email": "hoa@example.vn"}, format="json")
    invented = [
        citizen.post(support_url(incident), {"email": f"ai{n}@example.vn"}, format="json")
        for n in range(2)
    ]

    assert (first.status_code, first.json()["supporters_count"]) == (200, 1)
    assert [(answer.status_code, answer.json()["code"]) for answer in invented] == [
        (409, "already_supported"),
        (409, "already_supported"),
    ]
    assert Incident.objects.get().supporters_count == 1
    assert IncidentSupporter.objects.count() == 1


def test_support_is_rate_limited_per_client_on_the_api_and_the_page_alike(
    file_report: FileReport, settings: Settings
) -> None:
    """Issue 8, finding 4: support had no throttle, on the API or the page."""
    settings.INCIDENT_SUPPORT_RATE = "2/hour"
    reports = [file_report().incident for _ in range(4)]
    address = "198.51.100.7"
    api = APIClient(REMOTE_ADDR=address)
    page = Client(REMOTE_ADDR=address)

    allowed = [api.post(support_url(incident), {}, format="json") for incident in reports[:2]]
    refused = api.post(support_url(reports[2]), {}, format="json")
    refused_in_english = api.post(
        support_url(reports[2]), {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    refused_page = page.post(f"/phan-anh/{reports[3].tracking_code}/ung-ho/")
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.8").post(
        support_url(reports[3]), {}, format="json"
    )

    assert [answer.status_code for answer in allowed] == [200, 200]
    assert (refused.status_code, refused.json()["code"]) == (429, "throttled")
    assert refused.json()["detail"].startswith(
        "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn; vui lòng thử lại sau "
    )
    assert int(refused["Retry-After"]) > 0
    assert refused_in_english.json()["detail"].startswith(
        "You have sent too many requests in a short time; please try again in "
    )
    assert refused_page.status_code == 429
    assert "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn" in refused_page.content.decode()
    assert elsewhere.status_code == 200
    assert [Incident.objects.get(pk=incident.pk).supporters_count for incident in reports] == [
        1,
        1,
        0,
        1,
    ]
    assert IncidentSupporter.objects.count() == 3


# The reporter's actions: rating, reopening, adding information


def test_the_reporters_actions_share_one_limit_per_client_on_the_api_and_the_pages(
    file_report: FileReport, officer_a: User, settings: Settings
) -> None:
    """Issue 8, "What to build" 2: rating, reopening and adding information had no throttle."""
    settings.INCIDENT_REPORTER_ACTION_RATE = "2/hour"
    filed = file_report()
    incident = filed.incident
    services.incident_acknowledge(actor=officer_a, incident=incident)
    services.incident_resolve(actor=officer_a, incident=incident, answer="Đã vá ổ gà.")
    address = "198.51.100.7"
    api = APIClient(REMOTE_ADDR=address)
    base = f"/api/v1/incidents/{incident.tracking_code}"

    # Two guesses of the secret use the client's allowance...
    guesses = [
        api.post(f"{base}/rate/", {"reporter_token": "x" * 32, "rating": 1}, format="json")
        for _ in range(2)
    ]
    before = (snapshot(incident), IncidentEvent.objects.count(), Notification.objects.count())
    # ...so the right secret is refused too, through the API and through the pages.
    rated = api.post(f"{base}/rate/", {"reporter_token": filed.token, "rating": 5}, format="json")
    reopened = api.post(
        f"{base}/reopen/", {"reporter_token": filed.token, "reason": "Vẫn còn"}, format="json"
    )
    page = Client(REMOTE_ADDR=address)
    assert page.get(f"/phan-anh/{incident.tracking_code}/?khoa={filed.token}").status_code == 302
    rated_on_the_page = page.post(f"/phan-anh/{incident.tracking_code}/danh-gia/", {"rating": "5"})

    assert [answer.status_code for answer in guesses] == [403, 403]
    assert [(answer.status_code, answer.json()["code"]) for answer in (rated, reopened)] == [
        (429, "throttled"),
        (429, "throttled"),
    ]
    assert rated_on_the_page.status_code == 429
    text = rated_on_the_page.content.decode()
    assert "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn" in text
    assert 'name="rating"' in text  # the form is shown again
    assert (snapshot(incident), IncidentEvent.objects.count(), Notification.objects.count()) == (
        before
    )


def test_with_the_cache_down_support_and_the_reporters_actions_count_in_the_process(
    file_report: FileReport, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 8, "What to build" 2: the new limits keep the fallback of finding 14."""
    settings.INCIDENT_SUPPORT_RATE = "1/hour"
    settings.INCIDENT_REPORTER_ACTION_RATE = "1/hour"
    reports = [file_report() for _ in range(2)]
    citizen = APIClient(REMOTE_ADDR="198.51.100.7")

    with override_settings(CACHES=CLOSED_PORT_CACHE), caplog.at_level(logging.WARNING):
        supports = [
            citizen.post(support_url(filed.incident), {}, format="json").status_code
            for filed in reports
        ]
        information = [
            citizen.post(
                f"/api/v1/incidents/{filed.incident.tracking_code}/information/",
                {"reporter_token": filed.token, "information": "Số 12"},
                format="json",
            ).status_code
            for filed in reports
        ]

    # The first answer is the service's own (no information was asked for), the second the limit.
    assert (supports, information) == ([200, 429], [409, 429])
    assert IncidentSupporter.objects.count() == 1
    messages = {record.getMessage().split(":")[0] for record in caplog.records}
    assert {
        "rate limit incident_support counted in this process",
        "rate limit incident_reporter_action counted in this process",
    } <= messages
