"""The public REST API: filing, the GeoJSON map, detail with the public timeline, support,
rating, reopening, duplicates, categories; and that nothing public carries personal data."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django import Settings
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Incident, IncidentEvent
from tests.conftest import ClientResponse, Territory

from ..conftest import AN_PHU_POINT, Filed, FileReport, jpeg_bytes, upload, vietnam
from ..test_photos import PHOTO_WITH_GPS

CREATE_URL = "/api/v1/incidents/"
REPORTER = {
    "reporter_name": "Trần Thị Bình",
    "reporter_phone": "0905123456",
    "reporter_email": "binh@example.vn",
}
PERSONAL_KEYS = {
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "reporter",
    "reporter_token",
    "reporter_token_hash",
    "client_fingerprint",
    "idempotency_key",
    "data",
    "exif_location",
    "taken_at",
    "rating_comment",
    "hidden_reason",
    "description_hidden_reason",
    "attributes",
    "actor_username",
}


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "giao-thong",
        "description": "Ổ gà sâu trước số 12 Hùng Vương",
        "lat": "15.05",
        "lon": "108.80",
        "address": "12 Hùng Vương",
        "attributes": {"loai-hu-hong": "o-ga"},
        **REPORTER,
        "reporter_may_be_contacted": True,
    }
    body.update(overrides)
    return body


def keys_of(document: object) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {key for value in document.values() for key in keys_of(value)}
    if isinstance(document, list):
        return {key for item in document for key in keys_of(item)}
    return set()


def assert_no_personal_data(text: str, *secrets: str) -> None:
    document = json.loads(text)
    assert keys_of(document) & PERSONAL_KEYS == set()
    for value in (*REPORTER.values(), *secrets):
        assert value not in text


# Filing


def test_a_citizen_files_a_report_anonymously_and_gets_a_code_and_a_secret(
    citizen: APIClient, territory: Territory, categories: None
) -> None:
    response = citizen.post(CREATE_URL, report_body(), format="json")

    assert response.status_code == 201
    body = response.json()
    incident = Incident.objects.get()
    assert body["tracking_code"] == incident.tracking_code
    assert len(body["reporter_token"]) == 32
    assert body["status"] == "new"
    assert body["area"]["code"] == "21025"
    assert body["agency"]["code"] == territory.committee_cam_thanh.code
    assert body["reported_at"].endswith("+07:00")
    assert incident.channel == "api"
    assert incident.reporter_name == "Trần Thị Bình"
    assert set(body) == {
        "tracking_code", "reporter_token", "status", "category", "area", "agency",
        "reported_at", "acknowledge_by", "resolve_by", "photos_count",
    }  # fmt: skip
    assert "Trần" not in response.content.decode()


def test_a_report_with_photos_is_filed_as_multipart(
    citizen: APIClient, territory: Territory, categories: None
) -> None:
    body = report_body(attributes=json.dumps({"loai-hu-hong": "nut"}))
    body["photos"] = [upload("a.jpg", PHOTO_WITH_GPS), upload("b.jpg", jpeg_bytes())]

    response = citizen.post(CREATE_URL, body, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["photos_count"] == 2
    incident = Incident.objects.get()
    assert incident.attributes == {"loai-hu-hong": "nut"}
    assert incident.photos.count() == 2


def test_the_photo_addresses_in_the_detail_serve_the_photos_without_their_metadata(
    citizen: APIClient, territory: Territory, categories: None
) -> None:
    from urllib.parse import urlsplit

    from PIL import Image

    body = report_body(attributes=json.dumps({"loai-hu-hong": "nut"}))
    body["photos"] = [upload("a.jpg", PHOTO_WITH_GPS)]
    created = citizen.post(CREATE_URL, body, format="multipart")
    assert created.status_code == 201, created.json()
    code = created.json()["tracking_code"]
    (photo,) = citizen.get(f"{CREATE_URL}{code}/").json()["photos"]

    image = citizen.get(urlsplit(photo["url"]).path)
    thumbnail = citizen.get(urlsplit(photo["thumbnail_url"]).path)

    assert urlsplit(photo["url"]).path == f"/phan-anh/{code}/anh/{photo['id']}/"
    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")
    assert (thumbnail.status_code, thumbnail["Content-Type"]) == (200, "image/jpeg")
    served = Image.open(io.BytesIO(image.getvalue()))
    assert dict(served.getexif()) == {}


def test_open311_style_attribute_fields_are_accepted_in_multipart(
    citizen: APIClient, territory: Territory, categories: None
) -> None:
    body = report_body(category="ve-sinh-moi-truong")
    del body["attributes"]
    body["attribute[loai-rac][]"] = ["sinh-hoat", "nguy-hai"]

    response = citizen.post(CREATE_URL, body, format="multipart")

    assert response.status_code == 201, response.json()
    assert Incident.objects.get().attributes == {"loai-rac": ["sinh-hoat", "nguy-hai"]}


def test_html_in_the_description_comes_back_verbatim_in_json(
    citizen: APIClient, territory: Territory, categories: None
) -> None:
    text = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    code = citizen.post(CREATE_URL, report_body(description=text), format="json").json()[
        "tracking_code"
    ]

    detail = citizen.get(f"/api/v1/incidents/{code}/")

    assert detail.json()["description"] == text
    assert detail["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"lat": "10.78", "lon": "106.70"}, 404, "outside_territory"),
        ({"lat": "108.80", "lon": "15.05"}, 400, "swapped_coordinates"),
        ({"lat": "95", "lon": "200"}, 400, "coordinate_out_of_range"),
        ({"lat": "NaN", "lon": "108.8"}, 400, "invalid_coordinate"),
        ({"category": "khong-co"}, 400, "unknown_category"),
        ({"attributes": {"loai-hu-hong": "khong-co"}}, 400, "invalid_attribute"),
        ({"description": ""}, 400, "required"),
        ({"description": "x" * 4001}, 400, "too_long"),
    ],
    ids=[
        "outside the territory",
        "swapped coordinates",
        "out-of-range coordinates",
        "not a number",
        "unknown category",
        "unknown attribute value",
        "empty description",
        "over-long description",
    ],
)
def test_bad_input_gets_a_clear_error_and_files_nothing(
    citizen: APIClient,
    territory: Territory,
    categories: None,
    overrides: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = citizen.post(CREATE_URL, report_body(**overrides), format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert (Incident.objects.count(), IncidentEvent.objects.count()) == (0, 0)


def test_a_non_image_named_jpg_is_refused_with_a_clear_error(
    citizen: APIClient, territory: Territory, categories: None
) -> None:
    body = report_body(attributes=json.dumps({"loai-hu-hong": "o-ga"}))
    body["photos"] = [upload("anh.jpg", b"MZ\x90\x00 an executable pretending to be a photo")]

    response = citizen.post(CREATE_URL, body, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "not_an_image"
    assert "không phải là ảnh" in response.json()["detail"]
    assert Incident.objects.count() == 0


def test_a_retried_submission_with_the_same_key_returns_the_same_report_with_200(
    citizen: APIClient, territory: Territory, categories: None
) -> None:
    first = citizen.post(
        CREATE_URL, report_body(), format="json", HTTP_IDEMPOTENCY_KEY="b7c1a9e0-retry"
    )
    again = citizen.post(
        CREATE_URL, report_body(), format="json", HTTP_IDEMPOTENCY_KEY="b7c1a9e0-retry"
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (Incident.objects.count(), IncidentEvent.objects.count()) == (1, 1)


def test_the_same_key_from_another_address_files_a_second_report(
    territory: Territory, categories: None
) -> None:
    for address in ("203.0.113.1", "203.0.113.2"):
        response = APIClient(REMOTE_ADDR=address).post(
            CREATE_URL, report_body(), format="json", HTTP_IDEMPOTENCY_KEY="same-key"
        )
        assert response.status_code == 201

    assert Incident.objects.count() == 2


def test_filing_is_rate_limited_per_client_in_the_shared_cache(
    territory: Territory, categories: None, settings: Settings
) -> None:
    settings.INCIDENT_CREATE_RATE = "2/hour"
    first_client = APIClient(REMOTE_ADDR="198.51.100.7")

    statuses = [
        first_client.post(CREATE_URL, report_body(), format="json").status_code for _ in range(3)
    ]
    other_client = APIClient(REMOTE_ADDR="198.51.100.8").post(
        CREATE_URL, report_body(), format="json"
    )

    assert statuses == [201, 201, 429]
    assert other_client.status_code == 201
    assert Incident.objects.count() == 3
    # The count lives in Redis, so every web process sees the same limit.
    from django.core.cache import cache

    assert cache.get("throttle_incident_create_address:198.51.100.7") is not None


def test_reading_the_map_is_not_rate_limited(
    territory: Territory, categories: None, settings: Settings, citizen: APIClient
) -> None:
    settings.INCIDENT_CREATE_RATE = "1/hour"

    assert [citizen.get(CREATE_URL).status_code for _ in range(3)] == [200, 200, 200]


# The public map


@pytest.fixture
def mapped(file_report: FileReport, officer_a: User) -> dict[str, Incident]:
    reports = {
        "pothole": file_report(reported_at=vietnam(2025, 10, 10, 9)).incident,
        "lamp": file_report(
            category_code="chieu-sang", attributes={}, reported_at=vietnam(2025, 10, 12, 9)
        ).incident,
        "an_phu": file_report(point=AN_PHU_POINT, reported_at=vietnam(2025, 10, 14, 9)).incident,
        "private": file_report(is_public=False, reported_at=vietnam(2025, 10, 11, 9)).incident,
        "spam": file_report(reported_at=vietnam(2025, 10, 11, 10)).incident,
        "before_reform": file_report(reported_at=vietnam(2025, 6, 20, 9)).incident,
    }
    services.incident_reject(actor=officer_a, incident=reports["spam"], reason="spam")
    services.incident_acknowledge(actor=officer_a, incident=reports["lamp"])
    return reports


def codes(response: ClientResponse) -> list[str]:
    return [feature["id"] for feature in response.json()["features"]]


def test_the_map_lists_public_reports_newest_first_as_geojson(
    citizen: APIClient, mapped: dict[str, Incident]
) -> None:
    response = citizen.get(CREATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    document = response.json()
    assert document["type"] == "FeatureCollection"
    assert (document["numberReturned"], document["next_offset"]) == (4, None)
    assert codes(response) == [
        mapped[name].tracking_code for name in ("an_phu", "lamp", "pothole", "before_reform")
    ]
    feature = document["features"][2]
    assert feature["geometry"] == {"type": "Point", "coordinates": [108.8, 15.05]}
    assert feature["properties"] == {
        "tracking_code": mapped["pothole"].tracking_code,
        "category": "giao-thong",
        "status": "new",
        "reported_at": "2025-10-10T09:00:00+07:00",
        "summary": "Ổ gà sâu giữa đường Hùng Vương",
        "supporters_count": 0,
    }
    assert_no_personal_data(response.content.decode())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bbox=108.7,15.1,108.9,15.2", ["an_phu"]),
        ("category=chieu-sang", ["lamp"]),
        ("status=acknowledged", ["lamp"]),
        ("area=21034", ["an_phu"]),
        ("area=21025", ["lamp", "pothole", "before_reform"]),
        ("from=2025-10-10&to=2025-10-12", ["lamp", "pothole"]),
        ("to=2025-06-30", ["before_reform"]),
        ("limit=2", ["an_phu", "lamp"]),
        ("limit=2&offset=2", ["pothole", "before_reform"]),
    ],
)
def test_the_map_filters_and_pages(
    citizen: APIClient, mapped: dict[str, Incident], query: str, expected: list[str]
) -> None:
    response = citizen.get(f"{CREATE_URL}?{query}")

    assert response.status_code == 200
    assert codes(response) == [mapped[name].tracking_code for name in expected]


def test_a_full_page_points_to_the_next_one(
    citizen: APIClient, mapped: dict[str, Incident]
) -> None:
    full = citizen.get(f"{CREATE_URL}?limit=2&offset=1").json()
    last = citizen.get(f"{CREATE_URL}?limit=2&offset=3").json()

    assert (full["numberReturned"], full["next_offset"]) == (2, 3)
    assert (last["numberReturned"], last["next_offset"]) == (1, None)


def test_the_summary_is_the_start_of_a_long_description(
    citizen: APIClient, file_report: FileReport
) -> None:
    file_report(description="Đ" * 500 + '"<b>')

    summary = citizen.get(CREATE_URL).json()["features"][0]["properties"]["summary"]

    assert summary == "Đ" * 140


@pytest.mark.parametrize(
    ("description", "summary"),
    [
        ("Đ" * 140, "Đ" * 140),  # 280 bytes, 140 characters: the whole text
        ("a" * 140, "a" * 140),
        ("a" * 141, "a" * 140),
        ("ổ" * 139 + "ab", "ổ" * 139 + "a"),
    ],
)
def test_the_summary_counts_characters_not_bytes(
    citizen: APIClient, file_report: FileReport, description: str, summary: str
) -> None:
    file_report(description=description)

    assert citizen.get(CREATE_URL).json()["features"][0]["properties"]["summary"] == summary


def test_text_with_quotes_and_backslashes_stays_valid_json(
    citizen: APIClient, file_report: FileReport
) -> None:
    text = 'Nói "ổ gà" \\ rồi\n<script>alert(1)</script>\t hết'
    file_report(description=text)

    response = citizen.get(CREATE_URL)

    assert response.json()["features"][0]["properties"]["summary"] == text


def test_an_empty_page_is_an_empty_collection(citizen: APIClient, db: None) -> None:
    assert citizen.get(CREATE_URL).json() == {
        "type": "FeatureCollection",
        "numberReturned": 0,
        "next_offset": None,
        "features": [],
    }


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("bbox=1,2,3", "invalid_bbox"),
        ("bbox=108.9,15.2,108.7,15.1", "invalid_bbox"),
        ("bbox=a,b,c,d", "invalid_bbox"),
        ("status=unknown", "invalid_choice"),
        ("limit=-1", "invalid_number"),
        ("limit=10001", "invalid_number"),
        ("from=10/10/2025", "invalid_date"),
    ],
)
def test_bad_map_parameters_get_a_clear_error(
    citizen: APIClient, db: None, query: str, code: str
) -> None:
    response = citizen.get(f"{CREATE_URL}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == code


def test_the_map_follows_every_change_of_a_report(
    citizen: APIClient, file_report: FileReport, officer_a: User
) -> None:
    incident = file_report(reported_at=vietnam(2025, 10, 10, 9, 30)).incident
    services.incident_support(incident=incident, supporter_identity="address:10.0.0.2")
    services.incident_support(incident=incident, supporter_identity="address:10.0.0.3")
    services.incident_acknowledge(actor=officer_a, incident=incident)
    services.incident_transfer(
        actor=officer_a,
        incident=incident,
        reason="Vị trí đúng là ở xã An Phú.",
        point=AN_PHU_POINT,
        category_code="chieu-sang",
    )

    feature = citizen.get(CREATE_URL).json()["features"][0]

    assert feature == {
        "type": "Feature",
        "id": incident.tracking_code,
        "geometry": {"type": "Point", "coordinates": [108.8, 15.15]},
        "properties": {
            "tracking_code": incident.tracking_code,
            "category": "chieu-sang",
            "status": "new",
            "reported_at": "2025-10-10T09:30:00+07:00",
            "summary": "Ổ gà sâu giữa đường Hùng Vương",
            "supporters_count": 2,
        },
    }


def test_a_hidden_description_is_null_on_the_map(
    citizen: APIClient, file_report: FileReport, officer_a: User
) -> None:
    incident = file_report().incident
    services.incident_text_hide(actor=officer_a, incident=incident, reason="Xúc phạm")

    feature = citizen.get(CREATE_URL).json()["features"][0]

    assert feature["properties"]["summary"] is None


# Detail and timeline


def test_the_detail_shows_the_public_timeline_only_and_no_personal_data(
    citizen: APIClient, file_report: FileReport, officer_a: User, second_officer_a: User
) -> None:
    filed = file_report(photos=[upload("a.jpg", PHOTO_WITH_GPS), upload("b.jpg", jpeg_bytes())])
    incident = filed.incident
    services.incident_acknowledge(actor=officer_a, incident=incident, note="Đã tiếp nhận")
    services.incident_assign(actor=officer_a, incident=incident, assignee=second_officer_a)
    services.incident_note_add(actor=officer_a, incident=incident, note="NỘI BỘ: gọi nhà thầu")
    last_photo = incident.photos.last()
    assert last_photo is not None
    services.photo_hide(actor=officer_a, photo=last_photo, reason="Lộ biển số")
    services.incident_answer(actor=officer_a, incident=incident, answer="Sẽ vá trong tuần")

    response = citizen.get(f"/api/v1/incidents/{incident.tracking_code.lower()}/")

    assert response.status_code == 200
    body = response.json()
    assert body["tracking_code"] == incident.tracking_code
    assert [event["action"] for event in body["timeline"]] == [
        "created",
        "acknowledged",
        "photo_hidden",
        "answered",
    ]
    assert body["timeline"][1]["actor"] == officer_a.agency_memberships.get().agency.name
    first_photo = incident.photos.first()
    assert first_photo is not None
    assert [photo["id"] for photo in body["photos"]] == [first_photo.id]
    assert body["public_answer"] == "Sẽ vá trong tuần"
    text = response.content.decode()
    assert "NỘI BỘ" not in text
    assert officer_a.username not in text and second_officer_a.username not in text
    assert_no_personal_data(text, filed.token)


def test_a_private_or_spam_report_is_not_found_publicly(
    citizen: APIClient, mapped: dict[str, Incident]
) -> None:
    for name in ("private", "spam"):
        response = citizen.get(f"/api/v1/incidents/{mapped[name].tracking_code}/")
        assert response.status_code == 404
        assert response.json()["code"] == "incident_not_found"


def test_an_unknown_code_is_not_found(citizen: APIClient, db: None) -> None:
    assert citizen.get("/api/v1/incidents/PA-0000-0000/").status_code == 404
    assert citizen.get("/api/v1/incidents/not-a-code/").status_code == 404


# Citizens' actions


def test_support_counts_once_per_client_and_an_email_is_accepted_but_ignored(
    citizen: APIClient, file_report: FileReport
) -> None:
    code = file_report().incident.tracking_code
    url = f"/api/v1/incidents/{code}/support/"

    first = citizen.post(url, {}, format="json")
    again = citizen.post(url, {}, format="json")
    by_email = citizen.post(url, {"email": "Hoa@Example.vn"}, format="json")
    from_elsewhere = APIClient(REMOTE_ADDR="198.51.100.9").post(
        url, {"email": "hoa@example.vn"}, format="json"
    )

    assert (first.status_code, first.json()["supporters_count"]) == (200, 1)
    assert (again.status_code, again.json()["code"]) == (409, "already_supported")
    assert (by_email.status_code, by_email.json()["code"]) == (409, "already_supported")
    assert (from_elsewhere.status_code, from_elsewhere.json()["supporters_count"]) == (200, 2)
    assert Incident.objects.get().supporters_count == 2


def _resolved_via_services(file_report: FileReport, officer: User) -> Filed:
    filed = file_report()
    services.incident_acknowledge(actor=officer, incident=filed.incident)
    services.incident_resolve(actor=officer, incident=filed.incident, answer="Đã xử lý")
    return filed


def test_the_reporter_rates_with_their_secret(
    citizen: APIClient, file_report: FileReport, officer_a: User
) -> None:
    filed = _resolved_via_services(file_report, officer_a)
    url = f"/api/v1/incidents/{filed.incident.tracking_code}/rate/"

    wrong = citizen.post(url, {"reporter_token": "x" * 32, "rating": 5}, format="json")
    right = citizen.post(
        url, {"reporter_token": filed.token, "rating": 4, "comment": "Tốt"}, format="json"
    )

    assert (wrong.status_code, wrong.json()["code"]) == (403, "invalid_reporter_token")
    assert right.status_code == 200
    assert right.json()["rating"] == 4
    assert right.json()["timeline"][-1]["note"] == "4/5"
    assert_no_personal_data(right.content.decode(), filed.token, "Tốt")


def test_the_reporter_reopens_with_their_secret(
    citizen: APIClient, file_report: FileReport, officer_a: User
) -> None:
    filed = _resolved_via_services(file_report, officer_a)

    response = citizen.post(
        f"/api/v1/incidents/{filed.incident.tracking_code}/reopen/",
        {"reporter_token": filed.token, "reason": "Mưa xong lại thủng"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert "Mưa xong" not in response.content.decode()


def test_reopening_late_is_refused_over_the_api(
    citizen: APIClient, file_report: FileReport, officer_a: User
) -> None:
    filed = _resolved_via_services(file_report, officer_a)
    Incident.objects.update(resolved_at=timezone.now() - timedelta(days=8))

    response = citizen.post(
        f"/api/v1/incidents/{filed.incident.tracking_code}/reopen/",
        {"reporter_token": filed.token, "reason": "x"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "reopen_window_passed")
    assert Incident.objects.get().status == "resolved"


def test_the_reporter_answers_a_request_for_information(
    citizen: APIClient, file_report: FileReport, officer_a: User
) -> None:
    filed = file_report()
    services.incident_acknowledge(actor=officer_a, incident=filed.incident)
    services.incident_request_information(
        actor=officer_a, incident=filed.incident, question="Gần số nhà nào?"
    )

    response = citizen.post(
        f"/api/v1/incidents/{filed.incident.tracking_code}/information/",
        {"reporter_token": filed.token, "information": "Số 12"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert [event["note"] for event in response.json()["timeline"]][-2:] == ["Gần số nhà nào?", ""]


# Duplicates, photo metadata, categories


def test_duplicate_suggestions_give_distances_in_metres_and_no_personal_data(
    citizen: APIClient, file_report: FileReport
) -> None:
    from ..conftest import CAM_THANH_POINT
    from ..test_duplicate_suggestions import offset

    near = file_report(point=offset(CAM_THANH_POINT, metres=120)).incident

    response = citizen.get("/api/v1/incidents/duplicates/?lat=15.05&lon=108.80&category=giao-thong")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [result["tracking_code"] for result in results] == [near.tracking_code]
    assert results[0]["distance_metres"] == pytest.approx(120.0, abs=0.01)
    assert_no_personal_data(response.content.decode())


def test_the_photo_metadata_endpoint_proposes_a_location_and_stores_nothing(
    citizen: APIClient, db: None
) -> None:
    response = citizen.post(
        "/api/v1/incidents/photo-metadata/",
        {"photo": upload("IMG.jpg", PHOTO_WITH_GPS)},
        format="multipart",
    )

    assert response.status_code == 200
    assert response.json() == {
        "lat": pytest.approx(15.05),
        "lon": pytest.approx(108.8),
        "taken_at": "2025-10-10T08:30:15+07:00",
    }
    assert Incident.objects.count() == 0


def test_the_categories_come_with_their_questions(citizen: APIClient, categories: None) -> None:
    response = citizen.get("/api/v1/categories/")

    assert response.status_code == 200
    body = response.json()
    assert [category["code"] for category in body] == [
        "giao-thong",
        "chieu-sang",
        "cap-thoat-nuoc",
        "ve-sinh-moi-truong",
        "trat-tu-do-thi",
        "xay-dung",
        "cay-xanh",
        "an-ninh-trat-tu",
    ]
    roads = body[0]
    assert roads["name_en"] == "Roads and traffic"
    assert roads["attributes"][0]["code"] == "loai-hu-hong"
    assert roads["attributes"][0]["datatype"] == "singlevaluelist"
    assert roads["attributes"][0]["values"][0] == {
        "key": "o-ga",
        "name": "Ổ gà",
        "name_en": "Pothole",
    }


def test_the_openapi_schema_documents_the_incident_endpoints(citizen: APIClient, db: None) -> None:
    response = citizen.get("/api/schema/?format=json")

    paths = response.json()["paths"]
    assert "/api/v1/incidents/" in paths
    assert {"get", "post"} <= set(paths["/api/v1/incidents/"])
    assert "/api/v1/staff/incidents/{tracking_code}/transfer/" in paths


# Integration clients with an API key


def test_an_integration_client_is_one_client_whatever_its_network_address(
    territory: Territory, categories: None
) -> None:
    from geoapp.api_keys import api_client_issue

    _client, key = api_client_issue(name="Tổng đài 1022")
    answers = [
        APIClient(REMOTE_ADDR=address).post(
            CREATE_URL,
            report_body(),
            format="json",
            HTTP_IDEMPOTENCY_KEY="hotline-4711",
            HTTP_X_API_KEY=key,
        )
        for address in ("203.0.113.1", "203.0.113.2")
    ]

    assert [answer.status_code for answer in answers] == [201, 200]
    assert answers[0].json() == answers[1].json()
    assert Incident.objects.count() == 1


def test_a_wrong_api_key_is_refused_and_files_nothing(
    territory: Territory, categories: None
) -> None:
    response = APIClient().post(
        CREATE_URL, report_body(), format="json", HTTP_X_API_KEY="not-a-key"
    )

    assert response.status_code == 403
    assert response.json()["detail"]
    assert Incident.objects.count() == 0
