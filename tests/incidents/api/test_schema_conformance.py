"""The exact requests with which the fuzzing (test_schema_fuzzing.py) found answers that broke
the OpenAPI document, each checked against it as the fuzzing checks (issue 8). Before the fixes:
an HTML 404 for an address no route matches, `application/geo+json` declared as
`application/json`, `null` timestamps declared as strings, and 400/404/409 answers the document
did not list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from incidents.models import Incident
from notifications.models import Subscription

from ..conftest import FileReport
from .openapi import CHECKS, api_schema

schema = api_schema()

pytestmark = pytest.mark.usefixtures("connection_kept_between_requests")


def call(
    path: str,
    method: str,
    *,
    status: int,
    headers: dict[str, str] | None = None,
    **parts: Any,
) -> Any:
    """Send one request of the operation (method, path) and check the answer against the
    document: its status, content type and body."""
    case = schema[path][method].Case(**parts)
    response = case.call(headers=headers or {})
    assert response.status_code == status, response.text[:500]
    case.validate_response(response, checks=CHECKS, headers=headers or {})
    return response


def staff_headers(user: User) -> dict[str, str]:
    token, _created = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.mark.parametrize(
    ("path", "method", "parameters"),
    [
        ("/api/v1/areas/{area_id}/", "GET", {"area_id": "abc"}),
        ("/api/v1/staff/photos/{photo_id}/hide/", "POST", {"photo_id": "x"}),
    ],
)
def test_an_api_address_no_route_matches_answers_a_json_404(
    db: None, path: str, method: str, parameters: dict[str, str]
) -> None:
    """Was an HTML page (Django's 404), which no API client can read."""
    response = call(path, method, status=404, path_parameters=parameters)

    assert response.headers["content-type"] == ["application/json"]
    assert json.loads(response.text) == {
        "detail": "Không có tài nguyên nào ở địa chỉ này.",
        "code": "not_found",
    }


def test_open311_answers_an_unknown_address_with_its_error_list(client: Any, db: None) -> None:
    response = client.get("/open311/v2/khong-co.json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == [
        {"code": 404, "description": "Không có tài nguyên nào ở địa chỉ này."}
    ]


def test_a_page_address_no_route_matches_is_still_a_page(client: Any, db: None) -> None:
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_the_areas_are_declared_as_geojson(territory: Any) -> None:
    """Was `application/geo+json` answered where the document said `application/json`."""
    call(
        "/api/v1/areas/",
        "GET",
        status=200,
        query={"date": "2000-01-01", "level": "commune", "parent": "0"},
    )


def test_the_public_reports_are_declared_as_geojson(file_report: FileReport) -> None:
    """The same, for the public list of reports."""
    file_report()

    call(
        "/api/v1/incidents/",
        "GET",
        status=200,
        query={"from": "2000-01-01", "limit": "0", "offset": "0", "status": "acknowledged"},
    )


def test_the_timestamps_of_steps_not_taken_are_null_in_the_public_detail(
    file_report: FileReport,
) -> None:
    """Was `null is not of type "string"` for acknowledged_at, answered_at, resolved_at,
    closed_at and rejected_at of a new report."""
    incident = file_report().incident

    response = call(
        "/api/v1/incidents/{tracking_code}/",
        "GET",
        status=200,
        path_parameters={"tracking_code": incident.tracking_code},
    )

    body = json.loads(response.text)
    assert [body[name] for name in ("acknowledged_at", "resolved_at", "rejected_at")] == [None] * 3


def test_the_timestamps_of_steps_not_taken_are_null_in_the_staff_answer(
    file_report: FileReport, officer_a: User
) -> None:
    """The same for the staff operations (StaffIncident: started_at, reopened_at…)."""
    incident = file_report().incident

    response = call(
        "/api/v1/staff/incidents/{tracking_code}/acknowledge/",
        "POST",
        status=200,
        headers=staff_headers(officer_a),
        path_parameters={"tracking_code": incident.tracking_code},
        body={},
        media_type="application/json",
    )

    assert json.loads(response.text)["started_at"] is None


def test_an_action_that_does_not_fit_the_state_is_a_declared_409(
    file_report: FileReport, officer_a: User
) -> None:
    """Closing a new report: 409, which the document did not list."""
    incident = file_report().incident

    call(
        "/api/v1/staff/incidents/{tracking_code}/close/",
        "POST",
        status=409,
        headers=staff_headers(officer_a),
        path_parameters={"tracking_code": incident.tracking_code},
        body={},
        media_type="application/json",
    )

    incident.refresh_from_db()
    assert incident.status == "new"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/areas/lookup/", {"lat": "0", "lon": "0"}),
        ("/api/v1/routing/", {"lat": "0", "lon": "0"}),
    ],
)
def test_a_point_outside_every_area_is_a_declared_404(
    territory: Any, path: str, query: dict[str, str]
) -> None:
    """Was a 404 the document did not list (only 200)."""
    call(path, "GET", status=404, query=query)


def test_filing_outside_the_territory_is_a_declared_404_and_files_nothing(
    territory: Any, categories: None
) -> None:
    call(
        "/api/v1/incidents/",
        "POST",
        status=404,
        body={
            "category": "giao-thong",
            "description": "Ổ gà",
            "lat": 0,
            "lon": 0,
            "attributes": {"loai-hu-hong": "o-ga"},
        },
        media_type="application/json",
    )

    assert Incident.objects.count() == 0


def test_following_an_unknown_report_is_a_declared_404_and_subscribes_nobody(db: None) -> None:
    call(
        "/api/v1/subscriptions/",
        "POST",
        status=404,
        body={"email": "an@example.vn", "tracking_code": "PA-0000-0000"},
        media_type="application/json",
    )

    assert Subscription.objects.count() == 0


def test_a_bad_parameter_is_a_declared_400(db: None) -> None:
    call("/api/v1/incidents/", "GET", status=400, query={"limit": "-1"})
