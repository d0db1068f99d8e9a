"""The staff REST API: lists and details scoped to the caller's units, each workflow action, token
authentication for integrations, and the reporter's contact only for staff with a role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Incident, IncidentEvent
from tests.conftest import Territory

from ..conftest import AN_PHU_POINT, FileReport, client_for, jpeg_bytes, snapshot, upload, vietnam

STAFF = "/api/v1/staff/incidents/"


@pytest.fixture
def two_reports(file_report: FileReport) -> dict[str, Incident]:
    return {
        "a": file_report().incident,
        "b": file_report(point=AN_PHU_POINT, description="Ở An Phú").incident,
    }


def listed(client: APIClient, query: str = "") -> list[str]:
    response = client.get(f"{STAFF}{query}")
    assert response.status_code == 200
    return [row["tracking_code"] for row in response.json()["results"]]


def test_an_anonymous_caller_gets_nothing_from_the_staff_api(
    citizen: APIClient, two_reports: dict[str, Incident]
) -> None:
    code = two_reports["a"].tracking_code

    # 403 rather than 401: session authentication comes first and sends no challenge.
    for response in (
        citizen.get(STAFF),
        citizen.get(f"{STAFF}{code}/"),
        citizen.post(f"{STAFF}{code}/acknowledge/", {}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"]
    assert Incident.objects.get(pk=two_reports["a"].pk).status == "new"


def test_each_officer_lists_only_their_units_reports(
    two_reports: dict[str, Incident], officer_a: User, officer_b: User
) -> None:
    assert listed(client_for(officer_a)) == [two_reports["a"].tracking_code]
    assert listed(client_for(officer_b)) == [two_reports["b"].tracking_code]


def test_leaders_and_administrators_list_every_report(
    two_reports: dict[str, Incident], leader: User, administrator: User
) -> None:
    expected = [two_reports["b"].tracking_code, two_reports["a"].tracking_code]

    assert listed(client_for(leader)) == expected
    assert listed(client_for(administrator)) == expected


def test_the_staff_list_filters(
    two_reports: dict[str, Incident], officer_a: User, administrator: User, second_officer_a: User
) -> None:
    from incidents import services

    services.incident_assign(actor=officer_a, incident=two_reports["a"], assignee=second_officer_a)
    admin = client_for(administrator)

    assert listed(admin, f"?agency={two_reports['b'].agency.code}") == [
        two_reports["b"].tracking_code
    ]
    assert listed(admin, "?status=acknowledged") == []
    assert listed(admin, "?category=giao-thong&limit=1") == [two_reports["b"].tracking_code]
    assert listed(client_for(second_officer_a), "?assigned_to_me=true") == [
        two_reports["a"].tracking_code
    ]
    assert admin.get(f"{STAFF}?status=nope").status_code == 400


def test_overdue_means_past_the_deadline_of_the_current_stage(
    file_report: FileReport, officer_a: User, administrator: User
) -> None:
    from incidents import services

    # Filed on Tuesday 1 July 2025 at 08:00: 8 working hours to acknowledge end on Wednesday at
    # 08:00 (7 working hours are left on Tuesday); 3 working days to resolve end on Friday.
    unacknowledged = file_report(reported_at=vietnam(2025, 7, 1, 8)).incident
    acknowledged_late = file_report(reported_at=vietnam(2025, 7, 1, 8)).incident
    services.incident_acknowledge(actor=officer_a, incident=acknowledged_late)
    resolved = file_report(reported_at=vietnam(2025, 7, 1, 8)).incident
    services.incident_acknowledge(actor=officer_a, incident=resolved)
    services.incident_resolve(actor=officer_a, incident=resolved, answer="Đã vá ổ gà.")
    on_time = file_report().incident  # filed now: its acknowledge deadline is ahead

    overdue = set(listed(client_for(administrator), "?overdue=true"))

    assert overdue == {unacknowledged.tracking_code, acknowledged_late.tracking_code}
    assert on_time.tracking_code not in overdue
    assert Incident.objects.overdue(at=vietnam(2025, 7, 2, 8, 0)).count() == 0
    # Acknowledged since, the second report now runs against its resolve deadline.
    assert list(Incident.objects.overdue(at=vietnam(2025, 7, 2, 8, 1))) == [unacknowledged]
    assert set(Incident.objects.overdue(at=vietnam(2025, 7, 4, 8, 1))) == {
        unacknowledged,
        acknowledged_late,
    }


def test_an_officer_of_another_unit_cannot_even_see_the_report(
    two_reports: dict[str, Incident], officer_b: User
) -> None:
    code = two_reports["a"].tracking_code
    before = snapshot(two_reports["a"])

    detail = client_for(officer_b).get(f"{STAFF}{code}/")
    action = client_for(officer_b).post(f"{STAFF}{code}/acknowledge/", {}, format="json")

    assert (detail.status_code, action.status_code) == (404, 404)
    assert snapshot(two_reports["a"]) == before


def test_the_reporters_contact_is_shown_to_the_unit_and_administrators_only(
    two_reports: dict[str, Incident], officer_a: User, leader: User, administrator: User
) -> None:
    url = f"{STAFF}{two_reports['a'].tracking_code}/"

    for user in (officer_a, administrator):
        body = client_for(user).get(url).json()
        assert body["reporter"] == {
            "name": "Trần Thị Bình",
            "phone": "0905 123 456",
            "email": "binh@example.vn",
            "may_be_contacted": True,
        }
        assert body["can_act"] is True
    leader_view = client_for(leader).get(url)
    assert leader_view.json()["reporter"] is None
    assert leader_view.json()["can_act"] is False
    assert "binh@example.vn" not in leader_view.content.decode()


def test_a_leader_is_refused_an_action_with_403_and_nothing_changes(
    two_reports: dict[str, Incident], leader: User
) -> None:
    before = snapshot(two_reports["a"])

    response = client_for(leader).post(
        f"{STAFF}{two_reports['a'].tracking_code}/acknowledge/", {}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (403, "read_only_role")
    assert snapshot(two_reports["a"]) == before


def test_an_officer_handles_a_report_from_end_to_end_over_the_api(
    two_reports: dict[str, Incident], officer_a: User, second_officer_a: User, citizen: APIClient
) -> None:
    client = client_for(officer_a)
    url = f"{STAFF}{two_reports['a'].tracking_code}"

    steps = [
        ("acknowledge", {"note": "Đã tiếp nhận"}, "acknowledged"),
        ("assign", {"assignee": second_officer_a.username}, "acknowledged"),
        ("notes", {"note": "Liên hệ đội duy tu"}, "acknowledged"),
        ("priority", {"priority": "urgent"}, "acknowledged"),
        ("start", {}, "in_progress"),
        ("request-information", {"question": "Ổ gà ở làn nào?"}, "information_requested"),
        ("answer", {"answer": "Sẽ vá trong ngày"}, "answered"),
    ]
    for action, body, status in steps:
        response = client.post(f"{url}/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.json())
        assert response.json()["status"] == status, action

    resolved = client.post(
        f"{url}/resolve/",
        {"answer": "Đã vá xong", "evidence_photo": upload("sau.jpg", jpeg_bytes())},
        format="multipart",
    )
    closed = client.post(f"{url}/close/", {}, format="json")

    assert resolved.status_code == 200
    assert resolved.json()["photos"][0]["kind"] == "evidence"
    assert closed.json()["status"] == "closed"
    body = closed.json()
    assert body["assigned_to"] == second_officer_a.username
    assert body["priority"] == "urgent"
    assert [event["action"] for event in body["timeline"]] == [
        "created", "acknowledged", "assigned", "note_added", "priority_changed", "started",
        "information_requested", "answered", "resolved", "closed",
    ]  # fmt: skip
    note = body["timeline"][3]
    assert (note["is_public"], note["note"], note["actor_username"]) == (
        False,
        "Liên hệ đội duy tu",
        officer_a.username,
    )
    public = citizen.get(f"/api/v1/incidents/{two_reports['a'].tracking_code}/").json()
    assert [event["action"] for event in public["timeline"]] == [
        "created", "acknowledged", "started", "information_requested", "answered", "resolved",
        "closed",
    ]  # fmt: skip


def test_a_session_login_also_works_for_staff(
    two_reports: dict[str, Incident], officer_a: User
) -> None:
    client = APIClient()
    client.force_login(officer_a)

    assert [row["tracking_code"] for row in client.get(STAFF).json()["results"]] == [
        two_reports["a"].tracking_code
    ]


def test_a_transfer_over_the_api_reroutes_by_corrected_location(
    two_reports: dict[str, Incident], officer_a: User, officer_b: User, territory: Territory
) -> None:
    code = two_reports["a"].tracking_code

    response = client_for(officer_a).post(
        f"{STAFF}{code}/transfer/",
        {"reason": "Ghim sai", "lat": "15.15", "lon": "108.80"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["agency"]["code"] == territory.committee_an_phu.code
    assert response.json()["area"]["code"] == "21034"
    assert listed(client_for(officer_b)) == [two_reports["b"].tracking_code, code]
    assert client_for(officer_a).get(f"{STAFF}{code}/").status_code == 404


@pytest.mark.parametrize(
    ("action", "body", "status", "code"),
    [
        ("transfer", {"reason": "x", "to_agency": "khong-co"}, 404, "unknown_agency"),
        ("transfer", {"reason": "x", "lat": "108.8", "lon": "15.1"}, 400, "swapped_coordinates"),
        ("assign", {"assignee": "khong-co"}, 400, "unknown_user"),
        ("start", {}, 409, "invalid_transition"),
        ("close", {}, 409, "invalid_transition"),
        ("mark-duplicate", {"original": "PA-0000-0000"}, 404, "incident_not_found"),
        ("answer", {"answer": ""}, 409, "invalid_transition"),
    ],
)
def test_a_refused_staff_action_answers_clearly_and_changes_nothing(
    two_reports: dict[str, Incident],
    officer_a: User,
    action: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = snapshot(two_reports["a"])

    response = client_for(officer_a).post(
        f"{STAFF}{two_reports['a'].tracking_code}/{action}/", body, format="json"
    )

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert snapshot(two_reports["a"]) == before


def test_marking_a_duplicate_over_the_api(
    two_reports: dict[str, Incident], officer_a: User
) -> None:
    response = client_for(officer_a).post(
        f"{STAFF}{two_reports['a'].tracking_code}/mark-duplicate/",
        {"original": two_reports["b"].tracking_code.lower()},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["duplicate_of"] == two_reports["b"].tracking_code
    assert Incident.objects.get(pk=two_reports["b"].pk).supporters_count == 1


def test_moderation_over_the_api_hides_from_the_public(
    file_report: FileReport, officer_a: User, citizen: APIClient
) -> None:
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    client = client_for(officer_a)
    code = incident.tracking_code
    photo_id = incident.photos.get().id

    text = client.post(f"{STAFF}{code}/hide-text/", {"reason": "Xúc phạm"}, format="json")
    photo = client.post(
        f"/api/v1/staff/photos/{photo_id}/hide/", {"reason": "Lộ mặt"}, format="json"
    )

    assert (text.status_code, photo.status_code) == (200, 200)
    public = citizen.get(f"/api/v1/incidents/{code}/").json()
    assert (public["description"], public["description_hidden"], public["photos"]) == (
        None,
        True,
        [],
    )
    assert [event["note"] for event in public["timeline"][-2:]] == ["Xúc phạm", "Lộ mặt"]
    whole = client.post(f"{STAFF}{code}/hide/", {"reason": "Trùng lặp nhiều lần"}, format="json")
    assert whole.status_code == 200
    assert citizen.get(f"/api/v1/incidents/{code}/").status_code == 404
    staff_view = client.get(f"{STAFF}{code}/").json()
    assert staff_view["description"] == "Ổ gà sâu giữa đường Hùng Vương"
    assert staff_view["photos"][0]["is_hidden"] is True


def test_an_officer_of_another_unit_cannot_hide_a_photo(
    file_report: FileReport, officer_b: User
) -> None:
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident

    response = client_for(officer_b).post(
        f"/api/v1/staff/photos/{incident.photos.get().id}/hide/", {"reason": "x"}, format="json"
    )

    assert response.status_code == 404
    assert incident.photos.get().is_hidden is False


def test_moderation_over_the_api_can_be_undone(
    file_report: FileReport, officer_a: User, citizen: APIClient
) -> None:
    """Issue 9, item 2: each hide endpoint has its reverse next to it."""
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    client = client_for(officer_a)
    code = incident.tracking_code
    photo_id = incident.photos.get().id
    shown = citizen.get(f"/api/v1/incidents/{code}/").json()
    client.post(f"{STAFF}{code}/hide-text/", {"reason": "Xúc phạm"}, format="json")
    client.post(f"/api/v1/staff/photos/{photo_id}/hide/", {"reason": "Lộ mặt"}, format="json")
    client.post(f"{STAFF}{code}/hide/", {"reason": "Trùng lặp nhiều lần"}, format="json")

    whole = client.post(f"{STAFF}{code}/unhide/", {"reason": "Ẩn nhầm"}, format="json")
    text = client.post(f"{STAFF}{code}/unhide-text/", {"reason": "Đã xem lại"}, format="json")
    photo = client.post(
        f"/api/v1/staff/photos/{photo_id}/unhide/", {"reason": "Ảnh không lộ mặt"}, format="json"
    )

    assert (whole.status_code, text.status_code, photo.status_code) == (200, 200, 200)
    staff_view = photo.json()
    assert (
        staff_view["is_public"],
        staff_view["hidden_reason"],
        staff_view["description_hidden"],
        staff_view["description_hidden_reason"],
    ) == (True, "", False, "")
    assert (staff_view["photos"][0]["is_hidden"], staff_view["photos"][0]["hidden_reason"]) == (
        False,
        "",
    )
    public = citizen.get(f"/api/v1/incidents/{code}/").json()
    assert [(event["action"], event["note"]) for event in public["timeline"][-6:]] == [
        ("text_hidden", "Xúc phạm"),
        ("photo_hidden", "Lộ mặt"),
        ("hidden", "Trùng lặp nhiều lần"),
        ("unhidden", "Ẩn nhầm"),
        ("text_unhidden", "Đã xem lại"),
        ("photo_unhidden", "Ảnh không lộ mặt"),
    ]
    assert {**public, "timeline": public["timeline"][:-6]} == shown


@pytest.mark.parametrize(
    ("endpoint", "message", "message_en"),
    [
        (
            "unhide",
            "Phản ánh không bị ẩn khỏi công khai.",
            "The report is not hidden from the public.",
        ),
        ("unhide-text", "Nội dung phản ánh không bị ẩn.", "The report content is not hidden."),
        ("photo", "Ảnh không bị ẩn.", "The photo is not hidden."),
    ],
)
def test_un_hiding_over_the_api_what_is_not_hidden_is_refused_with_409_and_changes_nothing(
    file_report: FileReport, officer_a: User, endpoint: str, message: str, message_en: str
) -> None:
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    url = (
        f"/api/v1/staff/photos/{incident.photos.get().id}/unhide/"
        if endpoint == "photo"
        else f"{STAFF}{incident.tracking_code}/{endpoint}/"
    )
    before = snapshot(incident)

    response = client_for(officer_a).post(url, {"reason": "Ẩn nhầm"}, format="json")
    in_english = client_for(officer_a).post(
        url, {"reason": "Ẩn nhầm"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (response.status_code, response.json()) == (
        409,
        {"detail": message, "code": "not_hidden"},
    )
    assert (in_english.status_code, in_english.json()["detail"]) == (409, message_en)
    assert snapshot(incident) == before


def test_only_the_reports_unit_may_unhide_over_the_api(
    file_report: FileReport, officer_a: User, officer_b: User, leader: User
) -> None:
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    photo = incident.photos.get()
    services.photo_hide(actor=officer_a, photo=photo, reason="Lộ mặt")
    services.incident_hide(actor=officer_a, incident=incident, reason="Trùng lặp")
    before = snapshot(incident)
    url = f"/api/v1/staff/photos/{photo.id}/unhide/"

    other_unit = client_for(officer_b).post(url, {"reason": "x"}, format="json")
    read_only = client_for(leader).post(
        f"{STAFF}{incident.tracking_code}/unhide/", {"reason": "x"}, format="json"
    )

    # Another unit's officer cannot see the report at all; a leader sees it but acts on nothing.
    assert other_unit.status_code == 404
    assert (read_only.status_code, read_only.json()["code"]) == (403, "read_only_role")
    assert snapshot(incident) == before


def test_the_openapi_schema_documents_the_unhide_endpoints(db: None) -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    assert {
        path: paths[path]["post"]["operationId"]
        for path in (
            "/api/v1/staff/incidents/{tracking_code}/unhide/",
            "/api/v1/staff/incidents/{tracking_code}/unhide-text/",
            "/api/v1/staff/photos/{photo_id}/unhide/",
        )
    } == {
        "/api/v1/staff/incidents/{tracking_code}/unhide/": "staff_incidents_unhide",
        "/api/v1/staff/incidents/{tracking_code}/unhide-text/": "staff_incidents_unhide_text",
        "/api/v1/staff/photos/{photo_id}/unhide/": "staff_photos_unhide",
    }
    # Each takes the reason, like the hide next to it.
    inputs = {
        paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for path in paths
        if path.endswith(("/hide/", "/hide-text/", "/unhide/", "/unhide-text/"))
    }
    assert len(inputs) == 1
    name = inputs.pop().rsplit("/", 1)[1]
    assert list(schema["components"]["schemas"][name]["properties"]) == ["reason"]


def test_a_staff_member_filing_by_phone_is_recorded_as_the_actor(
    territory: Territory, categories: None, officer_a: User
) -> None:
    from .test_public import report_body

    response = client_for(officer_a).post(
        "/api/v1/incidents/", json.dumps(report_body()), content_type="application/json"
    )

    assert response.status_code == 201
    event = IncidentEvent.objects.get()
    assert (event.actor, event.actor_label) == (officer_a, territory.committee_cam_thanh.name)
