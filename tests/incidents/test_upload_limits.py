"""Limits on a request's body and its number of files, before anything is decoded (issue 8,
finding 5): a refusal in the caller's format (REST JSON, Open311 JSON or XML, a page), never a
500 or Django's bare "Bad Request", and nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from geoapp.api_keys import api_client_issue
from incidents.models import Incident, IncidentEvent, IncidentPhoto
from notifications.models import Notification
from tests.conftest import ClientResponse, Territory

from .conftest import jpeg_bytes, upload
from .hostile_images import huge_exif_jpeg

pytestmark = pytest.mark.django_db

TOO_LARGE = "Dữ liệu gửi lên quá lớn: tối đa 0.05 MB mỗi lần gửi, kể cả ảnh."
TOO_MANY_FILES = "Gửi quá nhiều tệp trong một lần: tối đa 2 tệp."


def nothing_stored() -> bool:
    return (
        Incident.objects.count(),
        IncidentEvent.objects.count(),
        IncidentPhoto.objects.count(),
        Notification.objects.count(),
    ) == (0, 0, 0, 0)


REST_FIELDS = {
    "category": "giao-thong",
    "description": "Ổ gà sâu trước số 12 Hùng Vương",
    "lat": "15.05",
    "lon": "108.80",
    "attribute[loai-hu-hong]": "o-ga",
}
PAGE_FIELDS = {
    "category": "giao-thong",
    "attribute-giao-thong-loai-hu-hong": "o-ga",
    "description": "Ổ gà sâu giữa đường Hùng Vương",
    "lat": "15.05",
    "lon": "108.80",
    "idempotency_key": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
}


def open311_fields() -> dict[str, Any]:
    _client, key = api_client_issue(name="Ứng dụng thử giới hạn")
    return {
        "service_code": "giao-thong",
        "lat": "15.05",
        "long": "108.80",
        "description": "Ổ gà sâu trước số 12",
        "attribute[loai-hu-hong]": "o-ga",
        "api_key": key,
    }


def open311_error(response: ClientResponse) -> tuple[int, str]:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    ((error),) = json.loads(response.content)
    return error["code"], error["description"]


@pytest.fixture
def small_body_limit(settings: Settings, territory: Territory, categories: None) -> None:
    settings.REQUEST_BODY_MAX_BYTES = 50_000


def big_photo() -> Any:
    # 63 kB: over the 50 kB limit of the fixture, well under the per-photo limit.
    return upload("IMG_0001.jpg", huge_exif_jpeg())


def test_a_rest_filing_over_the_body_limit_is_refused_with_413_json(
    small_body_limit: None,
) -> None:
    """Issue 8, finding 5: no request body limit; before the fix this report was filed (201)."""
    response = Client().post("/api/v1/incidents/", {**REST_FIELDS, "photos": [big_photo()]})

    assert response.status_code == 413
    assert response.json() == {"detail": TOO_LARGE, "code": "request_too_large"}
    assert nothing_stored()


def test_an_open311_filing_over_the_body_limit_is_refused_in_open311s_format(
    small_body_limit: None,
) -> None:
    """Issue 8, finding 5: no request body limit; before the fix this report was filed (201)."""
    response = Client().post(
        "/open311/v2/requests.json", {**open311_fields(), "media": big_photo()}
    )

    assert response.status_code == 413
    assert open311_error(response) == (413, TOO_LARGE)
    assert nothing_stored()


def test_a_filing_page_over_the_body_limit_answers_a_page_saying_so(
    small_body_limit: None,
) -> None:
    """Issue 8, finding 5: no request body limit; before the fix this report was filed (302)."""
    # With the CSRF check on, as in production: the check reads the body first.
    browser = Client(enforce_csrf_checks=True)
    browser.get("/gui-phan-anh/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/gui-phan-anh/", {**PAGE_FIELDS, "csrfmiddlewaretoken": token, "photos": [big_photo()]}
    )

    assert response.status_code == 413
    html = response.content.decode()
    assert TOO_LARGE in html
    assert 'href="/gui-phan-anh/"' in html
    assert nothing_stored()


def test_the_photo_metadata_endpoint_refuses_a_body_over_the_limit(
    small_body_limit: None,
) -> None:
    response = Client().post("/api/v1/incidents/photo-metadata/", {"photo": big_photo()})

    assert response.status_code == 413
    assert response.json() == {"detail": TOO_LARGE, "code": "request_too_large"}


def test_a_body_within_the_limit_is_filed(small_body_limit: None) -> None:
    response = Client().post(
        "/api/v1/incidents/", {**REST_FIELDS, "photos": [upload("a.jpg", jpeg_bytes())]}
    )

    assert response.status_code == 201
    assert IncidentPhoto.objects.count() == 1


@pytest.fixture
def two_files_at_most(settings: Settings, territory: Territory, categories: None) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2


def three_photos() -> list[Any]:
    return [upload(f"{number}.jpg", jpeg_bytes()) for number in range(3)]


def test_more_files_than_django_reads_are_refused_in_json_by_the_rest_api(
    two_files_at_most: None,
) -> None:
    """Issue 8, finding 5: before the fix Django's TooManyFilesSent gave its bare HTML 400."""
    response = Client().post("/api/v1/incidents/", {**REST_FIELDS, "photos": three_photos()})

    assert response.status_code == 400
    assert response.json() == {"detail": TOO_MANY_FILES, "code": "too_many_files"}
    assert nothing_stored()


def test_more_files_than_django_reads_are_refused_in_open311s_format(
    two_files_at_most: None,
) -> None:
    """Issue 8, finding 5: before the fix Django's TooManyFilesSent gave its bare HTML 400."""
    response = Client().post(
        "/open311/v2/requests.json", {**open311_fields(), "media": three_photos()}
    )

    assert response.status_code == 400
    assert open311_error(response) == (400, TOO_MANY_FILES)
    assert nothing_stored()


def test_more_files_than_django_reads_are_explained_on_a_page(two_files_at_most: None) -> None:
    """Issue 8, finding 5: before the fix Django's TooManyFilesSent gave its bare HTML 400."""
    response = Client().post("/gui-phan-anh/", {**PAGE_FIELDS, "photos": three_photos()})

    assert response.status_code == 400
    assert TOO_MANY_FILES in response.content.decode()
    assert nothing_stored()


def test_the_english_refusal_is_in_english(small_body_limit: None) -> None:
    response = Client().post(
        "/api/v1/incidents/",
        {**REST_FIELDS, "photos": [big_photo()]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The request is too large: at most 0.05 MB per request, photos included."
    )
