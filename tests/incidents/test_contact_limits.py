"""Public write limits per contact: one phone number or e-mail address cannot be used to file in
bulk, or to flood its owner with messages, by a client that changes its network address; and the
contact reaches the shared cache only as a keyed hash."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client, override_settings
from pytest_django import Settings
from rest_framework.test import APIClient

from geoapp import throttling
from geoapp.api_keys import api_client_issue
from incidents.models import Incident, IncidentEvent
from notifications.models import Notification, Subscription
from tests.conftest import Territory

from .api.test_public import CREATE_URL, report_body
from .conftest import CACHE_KEY_PREFIX, FileReport
from .open311.test_conformance import post_form
from .test_citizen_pages import report_form
from .test_rate_limits import CLOSED_PORT_CACHE

PHONE = "0905 123 456"
EMAIL = "binh@example.vn"


@pytest.fixture(autouse=True)
def _no_counts_in_this_process() -> Iterator[None]:
    throttling._PROCESS_COUNTS.clear()
    yield
    throttling._PROCESS_COUNTS.clear()


def written() -> tuple[int, int, int]:
    return Incident.objects.count(), IncidentEvent.objects.count(), Notification.objects.count()


def file_from(address: str, **overrides: Any) -> int:
    response = APIClient(REMOTE_ADDR=address).post(
        CREATE_URL, report_body(**overrides), format="json"
    )
    return response.status_code


def test_one_phone_number_cannot_file_beyond_its_limit_from_rotating_addresses(
    territory: Territory, categories: None, settings: Settings
) -> None:
    """Issue 8, "What to build" 2: filing was limited per client only, so a client changing its
    address could file without end with one phone number (and have it messaged for each)."""
    settings.INCIDENT_CREATE_CONTACT_RATE = "2/hour"
    # The same number however it is written; a different e-mail each time.
    spellings = ["0905 123 456", "+84 905 123 456", "0905.123.456"]

    statuses = [
        file_from(f"198.51.100.{n}", reporter_phone=phone, reporter_email=f"a{n}@example.vn")
        for n, phone in enumerate(spellings)
    ]
    before = written()
    on_the_page = Client(REMOTE_ADDR="198.51.100.50").post(
        "/gui-phan-anh/", report_form(reporter_phone="0905123456", reporter_email="")
    )
    after_refusals = written()
    another_number = file_from("198.51.100.60", reporter_phone="0905 999 999", reporter_email="")

    assert statuses == [201, 201, 429]
    assert on_the_page.status_code == 429
    page = on_the_page.content.decode()
    assert "Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn" in page
    assert 'name="description"' in page  # the form is shown again, filled in
    assert "Ổ gà sâu giữa đường Hùng Vương" in page
    assert after_refusals == before
    assert another_number == 201


def test_one_email_address_cannot_file_beyond_its_limit_and_the_answer_is_in_the_callers_language(
    territory: Territory, categories: None, settings: Settings
) -> None:
    """Issue 8, "What to build" 2: the same for the reporter's e-mail address."""
    settings.INCIDENT_CREATE_CONTACT_RATE = "1/hour"

    first = file_from("198.51.100.1", reporter_phone="", reporter_email="Binh@Example.vn ")
    before = written()
    refused = APIClient(REMOTE_ADDR="198.51.100.2").post(
        CREATE_URL,
        report_body(reporter_phone="", reporter_email="binh@example.vn"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert first == 201
    assert (refused.status_code, refused.json()["code"]) == (429, "throttled")
    assert refused.json()["detail"].startswith(
        "You have sent too many requests in a short time; please try again in "
    )
    assert written() == before


def test_with_the_cache_down_the_contact_limit_counts_in_the_process(
    territory: Territory, categories: None, settings: Settings
) -> None:
    """Issue 8, "What to build" 2: the per-contact limit keeps the fallback of finding 14."""
    settings.INCIDENT_CREATE_CONTACT_RATE = "1/hour"

    with override_settings(CACHES=CLOSED_PORT_CACHE):
        statuses = [file_from(f"198.51.100.{n}", reporter_email="") for n in range(2)]

    assert statuses == [201, 429]
    assert Incident.objects.count() == 1


def test_open311_counts_the_reporters_contact_whatever_the_key_and_answers_in_its_format(
    territory: Territory, categories: None, settings: Settings
) -> None:
    """Issue 8, "What to build" 2: Open311 filing was limited per API key only."""
    settings.INCIDENT_CREATE_CONTACT_RATE = "1/hour"
    keys = [api_client_issue(name=f"Ứng dụng {n}")[1] for n in range(3)]
    client = Client(REMOTE_ADDR="203.0.113.20")

    first = client.post("/open311/v2/requests.json", post_form(api_key=keys[0], email=""))
    before = written()
    as_json = client.post("/open311/v2/requests.json", post_form(api_key=keys[1], email=""))
    as_xml = client.post("/open311/v2/requests.xml", post_form(api_key=keys[2], email=""))

    assert first.status_code == 201
    assert (as_json.status_code, as_xml.status_code) == (429, 429)
    assert int(as_json["Retry-After"]) > 0
    ((error,),) = [json.loads(as_json.content)]
    assert error["code"] == 429
    assert error["description"].startswith("Số điện thoại hoặc thư điện tử này đã được dùng ")
    root = ElementTree.fromstring(as_xml.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "429"
    assert written() == before


def test_one_email_address_cannot_ask_to_follow_beyond_its_limit_from_rotating_addresses(
    file_report: FileReport, settings: Settings
) -> None:
    """Issue 8, "What to build" 2: subscription requests were limited per client only, so
    rotating addresses could send one inbox a confirmation per report."""
    settings.SUBSCRIPTION_REQUEST_CONTACT_RATE = "2/hour"
    codes = [file_report().incident.tracking_code for _ in range(3)]
    before_requests = Notification.objects.count()

    statuses = [
        APIClient(REMOTE_ADDR=f"198.51.100.{n}")
        .post("/api/v1/subscriptions/", {"email": email, "tracking_code": code}, format="json")
        .status_code
        for n, (email, code) in enumerate(
            zip(
                ["theo.doi@example.vn", "Theo.Doi@example.vn", "theo.doi@example.vn"],
                codes,
                strict=True,
            )
        )
    ]

    assert statuses == [202, 202, 429]
    assert Subscription.objects.count() == 2
    assert Notification.objects.count() == before_requests + 2


def test_the_contact_is_in_the_cache_only_as_a_hash_keyed_with_the_secret_key(
    territory: Territory, categories: None, settings: Settings
) -> None:
    """Issue 8, "What to build" 2: a per-contact count must not put phone numbers and e-mail
    addresses in clear into Redis."""
    assert file_from("198.51.100.1", reporter_phone=PHONE, reporter_email=EMAIL) == 201

    keys = {
        key.decode()
        for key in redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"]).scan_iter(
            match=f"{CACHE_KEY_PREFIX}:*:throttle_*"
        )
    }
    phone = throttling.contact_fingerprint(PHONE)
    email = throttling.contact_fingerprint(EMAIL)

    assert {key.split(":", 2)[2] for key in keys} == {
        "throttle_incident_create_address:198.51.100.1",
        f"throttle_incident_create_contact_contact:{phone}",
        f"throttle_incident_create_contact_contact:{email}",
    }
    assert not any(text in key for key in keys for text in ("905", "123456", "binh", "example"))
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert throttling.contact_fingerprint(PHONE) not in (phone, email)
