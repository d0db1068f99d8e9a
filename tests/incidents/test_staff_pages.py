"""The officials' pages: the unit's queue, the report page with its actions, and the unit's map.

Personas from tests/incidents/conftest.py: an officer of unit A (People's Committee of Phường Cẩm
Thành), a second officer of A, an officer of unit B (Xã An Phú), a leader and an administrator.
Every POST goes through the core's services; refused ones must leave the report as it was.
"""

from __future__ import annotations

import datetime
import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.selectors import working_calendar
from incidents import services, staff_queue_selectors
from incidents.models import Incident, IncidentEvent, IncidentPhoto, IncidentStatus
from incidents.staff_queue_selectors import QueueFilters
from tests.conftest import ClientResponse, Territory
from wards.models import Agency, AgencyKind

from .conftest import AN_PHU_POINT, CAM_THANH_POINT, FileReport, jpeg_bytes, snapshot, upload

QUEUE = "/can-bo/phan-anh/"
MAP = "/can-bo/ban-do/"
TERRITORY_BBOX = "108.6,14.9,109.0,15.3"


def client_as(user: User, *, language: str = "vi") -> Client:
    client = Client()
    client.force_login(user)
    if language != "vi":
        client.cookies["django_language"] = language
    return client


def page_of(report: Incident) -> str:
    return f"{QUEUE}{report.tracking_code}/"


def text(response: ClientResponse) -> str:
    return response.content.decode()


def queue_rows(html: str) -> list[tuple[str, str]]:
    """(tracking code, urgency class) of each row, top to bottom."""
    return [
        (code, urgency)
        for urgency, code in re.findall(
            r'<tr class="queue-row(?: (is-overdue|is-due-soon))?" data-tracking-code="([^"]+)"',
            html,
        )
    ]


def counts(html: str) -> dict[str, int]:
    return {
        status: int(number.replace(".", "").replace(",", ""))
        for status, number in re.findall(r'data-status="([a-z_]+)">([\d.,]+)<', html)
    }


def set_deadline(report: Incident, **fields: datetime.datetime) -> None:
    """Arrange a report's deadlines or state directly: the queue reads them, it does not set them."""
    Incident.objects.filter(pk=report.pk).update(**fields)


def acknowledged(report: Incident, officer: User) -> Incident:
    return services.incident_acknowledge(actor=officer, incident=report)


# Who may open the pages


def test_an_anonymous_visitor_is_sent_to_the_login_page(file_report: FileReport) -> None:
    report = file_report().incident

    for path in (QUEUE, page_of(report), MAP, f"{MAP}phan-anh/?bbox={TERRITORY_BBOX}"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/tai-khoan/login/?{urlencode({'next': path}, safe='/')}"


def test_the_login_page_signs_an_officer_in_and_lands_on_the_queue(officer_a: User) -> None:
    client = Client()

    page = client.get(f"/tai-khoan/login/?next={QUEUE}")
    response = client.post(
        "/tai-khoan/login/",
        {"username": "can-bo-cam-thanh", "password": "mật-khẩu-thử", "next": QUEUE},
    )

    assert page.status_code == 200
    assert "Đăng nhập dành cho cán bộ" in text(page)
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200


def test_a_wrong_password_is_refused_with_a_clear_message(officer_a: User) -> None:
    response = Client().post(
        "/tai-khoan/login/", {"username": "can-bo-cam-thanh", "password": "sai"}
    )

    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in text(response)


def test_an_account_with_no_unit_and_no_role_is_told_it_has_no_access(db: None) -> None:
    nobody = User.objects.create_user(username="nguoi-dan", password="mật-khẩu-thử")

    response = client_as(nobody).get(QUEUE)

    assert response.status_code == 403
    assert "chưa thuộc đơn vị xử lý phản ánh nào" in text(response)


# The queue


def test_each_officer_sees_only_their_units_reports_in_the_queue(
    file_report: FileReport, officer_a: User, officer_b: User
) -> None:
    in_a = file_report().incident
    in_b = file_report(point=AN_PHU_POINT, description="Ở An Phú").incident

    html_a = text(client_as(officer_a).get(QUEUE))
    html_b = text(client_as(officer_b).get(QUEUE))

    assert [code for code, _urgency in queue_rows(html_a)] == [in_a.tracking_code]
    assert [code for code, _urgency in queue_rows(html_b)] == [in_b.tracking_code]
    assert in_b.tracking_code not in html_a
    assert in_a.tracking_code not in html_b


def test_the_queue_puts_the_most_urgent_first_overdue_in_red_and_due_within_a_working_day_in_amber(
    file_report: FileReport, officer_a: User
) -> None:
    now = timezone.now()
    later = acknowledged(file_report(description="Còn nhiều thời gian").incident, officer_a)
    set_deadline(later, resolve_by=now + timedelta(days=30))
    overdue = acknowledged(file_report(description="Quá hạn giải quyết").incident, officer_a)
    set_deadline(overdue, resolve_by=now - timedelta(hours=2))
    due_soon = file_report(description="Sắp hết hạn tiếp nhận").incident
    set_deadline(due_soon, acknowledge_by=now + timedelta(hours=1))
    long_overdue = file_report(description="Quá hạn tiếp nhận từ lâu").incident
    set_deadline(long_overdue, acknowledge_by=now - timedelta(days=3))
    finished = acknowledged(file_report(description="Đã xong").incident, officer_a)
    services.incident_resolve(actor=officer_a, incident=finished, answer="Đã vá xong.")

    rows = queue_rows(text(client_as(officer_a).get(QUEUE)))
    every_row = queue_rows(text(client_as(officer_a).get(f"{QUEUE}?status=all")))

    assert rows == [
        (long_overdue.tracking_code, "is-overdue"),
        (overdue.tracking_code, "is-overdue"),
        (due_soon.tracking_code, "is-due-soon"),
        (later.tracking_code, ""),
    ]
    assert every_row == [*rows, (finished.tracking_code, "")]


def test_due_soon_means_within_one_working_day_on_the_calendar_not_24_hours(db: None) -> None:
    # Friday 26 June 2026, 15:00 in Vietnam: one working day later is Monday 29 June, 15:00.
    friday = datetime.datetime(2026, 6, 26, 15, 0, tzinfo=VIETNAM_TIME_ZONE)
    limit = staff_queue_selectors.due_soon_limit(friday)
    monday_morning = datetime.datetime(2026, 6, 29, 9, 0, tzinfo=VIETNAM_TIME_ZONE)

    assert limit == working_calendar().add_working_days(friday, 1)
    assert limit == datetime.datetime(2026, 6, 29, 15, 0, tzinfo=VIETNAM_TIME_ZONE)
    assert staff_queue_selectors.urgency_of(monday_morning, now=friday, due_soon_until=limit) == (
        "due_soon"
    )
    assert staff_queue_selectors.urgency_of(
        limit + timedelta(minutes=1), now=friday, due_soon_until=limit
    ) == ("")
    assert staff_queue_selectors.urgency_of(
        friday - timedelta(minutes=1), now=friday, due_soon_until=limit
    ) == ("overdue")


def test_the_counts_per_status_are_exact_and_follow_the_other_filters(
    file_report: FileReport, officer_a: User, officer_b: User
) -> None:
    file_report()
    file_report()
    acknowledged(file_report().incident, officer_a)
    started = acknowledged(file_report().incident, officer_a)
    services.incident_start(actor=officer_a, incident=started)
    resolved = acknowledged(file_report().incident, officer_a)
    services.incident_resolve(actor=officer_a, incident=resolved, answer="Đã xử lý.")
    rejected = file_report(category_code="chieu-sang", attributes={}).incident
    services.incident_reject(actor=officer_a, incident=rejected, reason="spam")
    file_report(point=AN_PHU_POINT)  # unit B's: never counted for A
    set_deadline(started, resolve_by=timezone.now() - timedelta(hours=1))

    html = text(client_as(officer_a).get(QUEUE))
    lighting = counts(text(client_as(officer_a).get(f"{QUEUE}?category=chieu-sang")))

    assert counts(html) == {
        "open": 4,
        "new": 2,
        "acknowledged": 1,
        "in_progress": 1,
        "information_requested": 0,
        "answered": 0,
        "resolved": 1,
        "closed": 0,
        "rejected": 1,
        "all": 6,
    }
    assert "1 quá hạn" in html
    assert "2 đến hạn trong 1 ngày làm việc" in html
    assert lighting["all"] == 1
    assert lighting["rejected"] == 1
    assert lighting["open"] == 0


def test_the_queue_filters_by_status_category_area_period_assignee_and_overdue(
    file_report: FileReport, officer_a: User, second_officer_a: User, territory: Territory
) -> None:
    now = timezone.now()
    pothole = file_report().incident
    lamp = file_report(category_code="chieu-sang", attributes={}).incident
    old = file_report(
        reported_at=datetime.datetime(2025, 3, 10, 9, 0, tzinfo=VIETNAM_TIME_ZONE),
        description="Trước sáp nhập",
    ).incident
    services.incident_assign(actor=officer_a, incident=lamp, assignee=second_officer_a)
    set_deadline(pothole, acknowledge_by=now - timedelta(hours=1))
    client = client_as(officer_a)

    def codes(query: str, viewer: Client = client) -> list[str]:
        return [code for code, _urgency in queue_rows(text(viewer.get(f"{QUEUE}?{query}")))]

    assert old.area_id == territory.nguyen_nghiem.id  # routed on its own date, before the reform
    assert old.agency_id == territory.committee_nguyen_nghiem.id
    assert codes("category=chieu-sang") == [lamp.tracking_code]
    # The pothole is overdue for acknowledgement, so it comes first.
    assert codes(f"area={territory.cam_thanh.id}") == [pothole.tracking_code, lamp.tracking_code]
    assert codes("overdue=on") == [pothole.tracking_code]
    assert codes("assigned_to_me=on", client_as(second_officer_a)) == [lamp.tracking_code]
    assert codes("assigned_to_me=on") == []
    today = now.astimezone(VIETNAM_TIME_ZONE).date().isoformat()
    assert sorted(codes(f"reported_from={today}&reported_to={today}")) == sorted(
        [pothole.tracking_code, lamp.tracking_code]
    )
    assert codes("status=acknowledged") == []
    assert codes("status=new&sort=newest") == [lamp.tracking_code, pothole.tracking_code]


def test_a_bad_filter_value_is_shown_as_an_error_and_the_rest_still_applies(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report().incident

    response = client_as(officer_a).get(f"{QUEUE}?reported_from=31/02/2026&status=new")

    assert response.status_code == 400
    assert [code for code, _u in queue_rows(text(response))] == [report.tracking_code]
    assert 'class="field-error"' in text(response)


def test_the_queue_is_paginated(file_report: FileReport, officer_a: User) -> None:
    reports = [file_report(description=f"Phản ánh số {number}").incident for number in range(3)]

    result = staff_queue_selectors.staff_queue(
        user=officer_a, filters=QueueFilters(sort="oldest"), page_number=2, page_size=2
    )

    assert [row.tracking_code for row in result.page.object_list] == [reports[2].tracking_code]
    assert result.page.count == 3
    assert result.page.num_pages == 2


def test_the_queue_page_runs_the_same_few_queries_for_3_or_30_reports(
    file_report: FileReport, officer_a: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_as(officer_a)
    for _number in range(3):
        file_report()
    # 12 since issue 10: the page's keys are read along the sort's index, then its rows by id.
    with django_assert_max_num_queries(12) as few:
        client.get(QUEUE)
    for _number in range(27):
        file_report()
    with django_assert_max_num_queries(12) as many:
        response = client.get(QUEUE)

    assert len(queue_rows(text(response))) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_leader_sees_every_units_reports_read_only(
    file_report: FileReport, leader: User, officer_a: User
) -> None:
    in_a = file_report().incident
    in_b = file_report(point=AN_PHU_POINT).incident

    html = text(client_as(leader).get(QUEUE))

    assert sorted(code for code, _u in queue_rows(html)) == sorted(
        [in_a.tracking_code, in_b.tracking_code]
    )
    assert 'name="codes"' not in html
    assert "Tiếp nhận các phản ánh đã chọn" not in html
    assert "Chế độ chỉ xem" in html


# Bulk acknowledgement


def test_bulk_acknowledge_changes_exactly_the_selected_reports(
    file_report: FileReport, officer_a: User
) -> None:
    first, second, untouched = (file_report().incident for _ in range(3))
    before = snapshot(untouched)

    response = client_as(officer_a).post(
        f"{QUEUE}tiep-nhan/",
        {"codes": [first.tracking_code, second.tracking_code], "next": f"{QUEUE}?sort=newest"},
        follow=True,
    )

    assert response.redirect_chain == [(f"{QUEUE}?sort=newest", 302)]
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == IncidentStatus.ACKNOWLEDGED
        assert report.events.filter(action="acknowledged", actor=officer_a).count() == 1
    assert snapshot(untouched) == before
    assert f"Đã tiếp nhận 2 phản ánh: {first.tracking_code}, {second.tracking_code}." in text(
        response
    )


def test_bulk_acknowledge_reports_each_refused_row_and_still_acknowledges_the_others(
    file_report: FileReport, officer_a: User
) -> None:
    good = file_report().incident
    already = acknowledged(file_report().incident, officer_a)
    other_unit = file_report(point=AN_PHU_POINT).incident
    before = {report.pk: snapshot(report) for report in (already, other_unit)}

    response = client_as(officer_a).post(
        f"{QUEUE}tiep-nhan/",
        {"codes": [already.tracking_code, other_unit.tracking_code, good.tracking_code]},
        follow=True,
    )
    html = text(response)

    good.refresh_from_db()
    assert good.status == IncidentStatus.ACKNOWLEDGED
    assert {pk: snapshot(Incident.objects.get(pk=pk)) for pk in before} == before
    assert f"Đã tiếp nhận 1 phản ánh: {good.tracking_code}." in html
    assert (
        f"{already.tracking_code}: Không thể tiếp nhận phản ánh {already.tracking_code} khi "
        "đang ở trạng thái “Đã tiếp nhận”." in html
    )
    assert (
        f"{other_unit.tracking_code}: Không tìm thấy phản ánh có mã “{other_unit.tracking_code}”."
        in html
    )


def test_bulk_acknowledge_with_nothing_selected_says_so_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report().incident
    before = snapshot(report)

    response = client_as(officer_a).post(f"{QUEUE}tiep-nhan/", {}, follow=True)

    assert "Chưa chọn phản ánh nào để tiếp nhận." in text(response)
    assert snapshot(report) == before


def test_bulk_acknowledge_never_redirects_outside_the_site(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report().incident

    response = client_as(officer_a).post(
        f"{QUEUE}tiep-nhan/", {"codes": [report.tracking_code], "next": "https://example.com/"}
    )

    assert response["Location"] == QUEUE


# The report page


@pytest.fixture
def report_with_photos(file_report: FileReport, officer_a: User) -> Incident:
    report = file_report(photos=[upload("a.jpg", jpeg_bytes()), upload("b.jpg", jpeg_bytes())])
    photo = report.incident.photos.order_by("id").last()
    assert photo is not None
    services.photo_hide(actor=officer_a, photo=photo, reason="Lộ biển số xe")
    services.incident_note_add(actor=officer_a, incident=report.incident, note="Đã gọi tổ dân phố")
    return report.incident


def test_the_report_page_shows_the_map_photos_hidden_ones_marked_contact_and_full_timeline(
    report_with_photos: Incident, officer_a: User
) -> None:
    response = client_as(officer_a).get(page_of(report_with_photos))
    html = text(response)
    photos = list(report_with_photos.photos.order_by("id"))

    assert response.status_code == 200
    script = re.search(r'<script id="report-map-data" type="application/json">(.*?)</script>', html)
    assert script is not None
    map_data = json.loads(script[1])
    assert map_data["point"] == [CAM_THANH_POINT.x, CAM_THANH_POINT.y]
    assert map_data["area"]["type"] == "MultiPolygon"
    assert map_data["area_name"] == "Phường Cẩm Thành"
    for photo in photos:
        assert f'src="/can-bo/anh/{photo.pk}/thu-nho/"' in html
    assert html.count("Đã ẩn khỏi công khai") == 1
    assert "Lộ biển số xe" in html
    assert "Trần Thị Bình" in html
    assert 'href="tel:0905123456"' in html
    assert "binh@example.vn" in html
    assert "Đã gọi tổ dân phố" in html
    # Created and photo hidden are public (the reporter is told); the note is internal.
    assert html.count('class="timeline-event is-public"') == 2
    assert html.count('class="timeline-event is-internal"') == 1
    assert "Ô gà" not in html
    assert "Ổ gà" in html  # the extra question's answer, by its name


def test_hidden_photos_are_served_to_the_units_staff_and_to_no_one_else(
    report_with_photos: Incident, officer_a: User, officer_b: User
) -> None:
    hidden = report_with_photos.photos.get(is_hidden=True)

    full = client_as(officer_a).get(f"/can-bo/anh/{hidden.pk}/")
    thumbnail = client_as(officer_a).get(f"/can-bo/anh/{hidden.pk}/thu-nho/")
    outsider = client_as(officer_b).get(f"/can-bo/anh/{hidden.pk}/")

    assert full.status_code == 200
    assert full["Content-Type"] == "image/jpeg"
    assert full.getvalue()[:2] == b"\xff\xd8"
    assert thumbnail.status_code == 200
    assert outsider.status_code == 404


def test_an_officer_of_another_unit_gets_404_for_the_report_and_cannot_act_on_it(
    file_report: FileReport, officer_b: User
) -> None:
    report = file_report().incident
    before = snapshot(report)
    client = client_as(officer_b)

    page = client.get(page_of(report))
    action = client.post(f"{page_of(report)}tiep-nhan/", {"acknowledge-note": ""})

    assert page.status_code == 404
    assert action.status_code == 404
    for response in (page, action):
        assert "Trần Thị Bình" not in text(response)
        assert "Ổ gà sâu" not in text(response)
    assert snapshot(report) == before
    assert report.tracking_code not in text(client.get(QUEUE)).split("Không tìm thấy")[0]


def test_the_reporter_contact_is_shown_to_the_unit_and_administrators_not_to_leaders(
    file_report: FileReport, officer_a: User, leader: User, administrator: User
) -> None:
    report = file_report().incident

    for user, shown in ((officer_a, True), (administrator, True), (leader, False)):
        html = text(client_as(user).get(page_of(report)))
        assert ("Trần Thị Bình" in html) is shown
        assert ("0905 123 456" in html) is shown
        assert ('id="reporter-contact-withheld"' in html) is not shown


def actions_shown(html: str) -> list[str]:
    return re.findall(r'<details class="action-panel action-([a-z_]+)', html)


def test_the_page_offers_exactly_the_actions_allowed_now(
    file_report: FileReport, officer_a: User, leader: User
) -> None:
    report = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident

    new = actions_shown(text(client_as(officer_a).get(page_of(report))))
    acknowledged(report, officer_a)
    after_acknowledging = actions_shown(text(client_as(officer_a).get(page_of(report))))
    for_leader = actions_shown(text(client_as(leader).get(page_of(report))))

    assert new == [
        "acknowledge",
        "assign",
        "transfer",
        "set_priority",
        "add_note",
        "mark_duplicate",
        "reject",
        "hide",
        "hide_text",
        "hide_photo",
    ]
    assert after_acknowledging == [
        "assign",
        "start",
        "request_information",
        "answer",
        "resolve",
        "transfer",
        "set_priority",
        "add_note",
        "mark_duplicate",
        "reject",
        "hide",
        "hide_text",
        "hide_photo",
    ]
    assert for_leader == []


def post_action(
    user: User, report: Incident, slug: str, data: dict[str, str | int]
) -> ClientResponse:
    return client_as(user).post(f"{page_of(report)}{slug}/", data)


def test_acknowledge_start_and_close_through_their_forms(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report().incident

    first = post_action(officer_a, report, "tiep-nhan", {"acknowledge-note": "Đã nhận"})
    post_action(officer_a, report, "bat-dau-xu-ly", {"start-note": ""})
    services.incident_resolve(actor=officer_a, incident=report, answer="Đã vá.")
    post_action(officer_a, report, "dong", {"close-note": ""})

    assert first.status_code == 302
    assert first["Location"] == page_of(report)
    assert list(report.events.order_by("id").values_list("action", "note")) == [
        ("created", ""),
        ("acknowledged", "Đã nhận"),
        ("started", ""),
        ("resolved", "Đã vá."),
        ("closed", ""),
    ]
    report.refresh_from_db()
    assert report.status == IncidentStatus.CLOSED
    follow = client_as(officer_a).get(page_of(report))
    assert "Đã đóng phản ánh" not in text(follow)  # the message was shown once, after closing


def test_the_success_message_is_shown_once_on_the_report_page(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report().incident
    client = client_as(officer_a)

    response = client.post(f"{page_of(report)}tiep-nhan/", {"acknowledge-note": ""}, follow=True)

    assert f"Đã tiếp nhận phản ánh {report.tracking_code}." in text(response)
    assert f"Đã tiếp nhận phản ánh {report.tracking_code}." not in text(client.get(page_of(report)))


def test_assign_to_an_officer_of_the_unit(
    file_report: FileReport, officer_a: User, second_officer_a: User, officer_b: User
) -> None:
    report = file_report().incident
    html = text(client_as(officer_a).get(page_of(report)))

    response = post_action(
        officer_a, report, "giao-xu-ly", {"assign-assignee": second_officer_a.pk}
    )

    assert f'<option value="{second_officer_a.pk}">can-bo-cam-thanh-2</option>' in html
    assert f'value="{officer_b.pk}"' not in html
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == second_officer_a


def test_request_information_answer_and_resolve_with_an_evidence_photo(
    file_report: FileReport, officer_a: User
) -> None:
    report = acknowledged(file_report().incident, officer_a)

    post_action(
        officer_a,
        report,
        "de-nghi-bo-sung",
        {"request_information-question": "Số nhà là bao nhiêu?"},
    )
    services.incident_provide_information(
        incident=report, reporter_token=_token(report), information="Số 12"
    )
    post_action(officer_a, report, "tra-loi", {"answer-answer": "Đã giao đội duy tu."})
    response = client_as(officer_a).post(
        f"{page_of(report)}giai-quyet-xong/",
        {"resolve-answer": "", "resolve-evidence_photo": upload("ket-qua.jpg", jpeg_bytes())},
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == IncidentStatus.RESOLVED
    assert report.public_answer == "Đã giao đội duy tu."
    evidence = report.photos.get()
    assert evidence.kind == "evidence"
    html = text(client_as(officer_a).get(page_of(report)))
    assert "Số nhà là bao nhiêu?" in html
    assert "Số 12" in html  # the reporter's information, internal
    assert f'src="/can-bo/anh/{evidence.pk}/thu-nho/"' in html


def _token(report: Incident) -> str:
    from incidents.reporter_tokens import reporter_token_for

    return reporter_token_for(report.tracking_code)


def test_transfer_with_a_reason_moves_the_report_and_sends_the_officer_back_to_the_queue(
    file_report: FileReport, officer_a: User, officer_b: User, territory: Territory
) -> None:
    report = file_report().incident

    response = client_as(officer_a).post(
        f"{page_of(report)}chuyen-don-vi/",
        {"transfer-to_agency": territory.committee_an_phu.pk, "transfer-reason": "Thuộc An Phú"},
        follow=True,
    )

    assert response.redirect_chain == [(QUEUE, 302)]
    assert f"Đã chuyển phản ánh {report.tracking_code}." in text(response)
    report.refresh_from_db()
    assert report.agency == territory.committee_an_phu
    assert report.events.get(action="transferred").data["reason"] == "Thuộc An Phú"
    assert client_as(officer_a).get(page_of(report)).status_code == 404
    assert client_as(officer_b).get(page_of(report)).status_code == 200


def test_transfer_needs_a_reason_the_core_asks_for_and_nothing_changes(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    report = file_report().incident
    before = snapshot(report)

    response = post_action(
        officer_a,
        report,
        "chuyen-don-vi",
        {"transfer-to_agency": territory.committee_an_phu.pk, "transfer-reason": "  "},
    )

    assert response.status_code == 400
    assert "Vui lòng nhập lý do chuyển." in text(response)
    assert snapshot(report) == before


def test_mark_duplicate_of_a_nearby_report_offered_on_the_page(
    file_report: FileReport, officer_a: User
) -> None:
    original = file_report(description="Ổ gà lớn").incident
    duplicate = file_report(description="Ổ gà lớn, gửi lần hai").incident
    html = text(client_as(officer_a).get(page_of(duplicate)))

    response = post_action(
        officer_a, duplicate, "danh-dau-trung", {"mark_duplicate-original": original.tracking_code}
    )

    assert f'value="{original.tracking_code}"' in html
    assert "cách 0 m" in html
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == IncidentStatus.REJECTED
    assert duplicate.duplicate_of == original


def test_the_duplicate_search_finds_a_report_by_code_but_not_another_units_private_one(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report().incident
    elsewhere = file_report(point=CAM_THANH_POINT, category_code="chieu-sang", attributes={})
    private = file_report(point=AN_PHU_POINT, is_public=False).incident
    client = client_as(officer_a)
    typed = elsewhere.incident.tracking_code.lower().replace("-", " ")

    found = text(client.get(f"{page_of(report)}?duplicate={typed}"))
    hidden = text(client.get(f"{page_of(report)}?duplicate={private.tracking_code}"))

    assert (
        f'name="mark_duplicate-original" value="{elsewhere.incident.tracking_code}" checked'
        in found
    )
    assert f"Không tìm thấy phản ánh có mã “{private.tracking_code}”." in hidden
    assert f'name="mark_duplicate-original" value="{private.tracking_code}"' not in hidden


def test_mark_duplicate_of_an_unknown_code_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report().incident
    before = snapshot(report)

    response = post_action(
        officer_a, report, "danh-dau-trung", {"mark_duplicate-original": "PA-0000-0000"}
    )

    assert response.status_code == 400
    assert "Không tìm thấy phản ánh có mã “PA-0000-0000”." in text(response)
    assert snapshot(report) == before


def test_reject_with_a_reason(file_report: FileReport, officer_a: User) -> None:
    report = file_report().incident

    response = post_action(
        officer_a,
        report,
        "tu-choi",
        {"reject-reason": "outside_scope", "reject-note": "Đường do tỉnh quản lý."},
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.rejection_reason) == ("rejected", "outside_scope")
    assert report.events.get(action="rejected").note == "Đường do tỉnh quản lý."


def test_priority_note_and_moderation_forms(file_report: FileReport, officer_a: User) -> None:
    report = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    photo = report.photos.get()

    responses = [
        post_action(officer_a, report, "doi-muc-do", {"set_priority-priority": "urgent"}),
        post_action(officer_a, report, "ghi-chu", {"add_note-note": "Kiểm tra hiện trường"}),
        post_action(officer_a, report, "an-anh", {"hide_photo-photo": photo.pk,
                                                  "hide_photo-reason": "Có mặt người"}),
        post_action(officer_a, report, "an-noi-dung", {"hide_text-reason": "Có số điện thoại"}),
        post_action(officer_a, report, "an-phan-anh", {"hide-reason": "Thông tin riêng tư"}),
    ]  # fmt: skip

    assert [response.status_code for response in responses] == [302] * 5
    report.refresh_from_db()
    photo.refresh_from_db()
    assert report.priority == "urgent"
    assert (photo.is_hidden, photo.hidden_reason) == (True, "Có mặt người")
    assert (report.description_hidden, report.description_hidden_reason) == (
        True,
        "Có số điện thoại",
    )
    assert (report.is_public, report.hidden_reason) == (False, "Thông tin riêng tư")
    assert report.events.get(action="note_added").note == "Kiểm tra hiện trường"


def test_un_hide_forms_are_offered_only_while_something_is_hidden(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report(photos=[upload("a.jpg", jpeg_bytes()), upload("b.jpg", jpeg_bytes())])
    report_row = report.incident
    first, second = report_row.photos.order_by("id")

    nothing_hidden = actions_shown(text(client_as(officer_a).get(page_of(report_row))))
    services.photo_hide(actor=officer_a, photo=first, reason="Có mặt người")
    services.incident_text_hide(actor=officer_a, incident=report_row, reason="Có số điện thoại")
    services.incident_hide(actor=officer_a, incident=report_row, reason="Thông tin riêng tư")
    html = text(client_as(officer_a).get(page_of(report_row)))

    assert [action for action in nothing_hidden if "hide" in action] == [
        "hide",
        "hide_text",
        "hide_photo",
    ]
    # The report is hidden (no "hide"); one photo is still shown, so it can still be hidden.
    assert [action for action in actions_shown(html) if "hide" in action] == [
        "hide_photo",
        "unhide",
        "unhide_text",
        "unhide_photo",
    ]
    for action in ("unhide", "unhide_text", "unhide_photo"):
        assert f'<textarea name="{action}-reason"' in html
    assert html.count('<label for="id_unhide-reason">Lý do hiện lại</label>') == 1
    # The photo form offers the hidden photo alone.
    choices = re.search(r'<select name="unhide_photo-photo".*?</select>', html, re.DOTALL)
    assert choices is not None
    assert re.findall(r'<option value="(\d+)"', choices.group()) == [str(first.pk)]
    assert str(second.pk) not in choices.group()


def test_un_hiding_through_the_forms_shows_everything_again(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    photo = report.photos.get()
    services.photo_hide(actor=officer_a, photo=photo, reason="Có mặt người")
    services.incident_text_hide(actor=officer_a, incident=report, reason="Có số điện thoại")
    services.incident_hide(actor=officer_a, incident=report, reason="Thông tin riêng tư")

    responses = [
        post_action(officer_a, report, "hien-lai-anh", {"unhide_photo-photo": photo.pk,
                                                        "unhide_photo-reason": "Ảnh mờ, ẩn nhầm"}),
        post_action(officer_a, report, "hien-lai-noi-dung", {"unhide_text-reason": "Đã xem lại"}),
    ]  # fmt: skip
    page = client_as(officer_a).post(
        f"{page_of(report)}hien-lai-phan-anh/", {"unhide-reason": "Ẩn nhầm"}, follow=True
    )

    assert [response.status_code for response in responses] == [302] * 2
    assert page.redirect_chain == [(page_of(report), 302)]
    report.refresh_from_db()
    photo.refresh_from_db()
    assert (photo.is_hidden, photo.hidden_reason) == (False, "")
    assert (report.description_hidden, report.description_hidden_reason) == (False, "")
    assert (report.is_public, report.hidden_reason) == (True, "")
    assert list(
        report.events.filter(action__endswith="unhidden").values_list("action", "note")
    ) == [
        ("photo_unhidden", "Ảnh mờ, ẩn nhầm"),
        ("text_unhidden", "Đã xem lại"),
        ("unhidden", "Ẩn nhầm"),
    ]
    html = text(page)
    assert "Phản ánh " + report.tracking_code + " đã được hiện lại trên trang công khai." in html
    # The staff timeline names each step.
    assert [label in html for label in ("Hiện lại ảnh", "Hiện lại nội dung")] == [True, True]
    assert [action for action in actions_shown(html) if "hide" in action] == [
        "hide",
        "hide_text",
        "hide_photo",
    ]


def test_un_hiding_on_the_page_without_a_reason_or_twice_shows_why_and_changes_nothing(
    file_report: FileReport, officer_a: User, second_officer_a: User
) -> None:
    report = file_report().incident
    services.incident_text_hide(actor=officer_a, incident=report, reason="Có số điện thoại")
    before = snapshot(report)

    without_reason = post_action(officer_a, report, "hien-lai-noi-dung", {"unhide_text-reason": ""})

    assert without_reason.status_code == 400
    assert "Vui lòng nhập lý do hiện lại." in text(without_reason)
    assert snapshot(report) == before
    # Another officer showed it again after this officer opened the page.
    services.incident_text_unhide(actor=second_officer_a, incident=report, reason="Ẩn nhầm")
    before = snapshot(report)

    twice = post_action(officer_a, report, "hien-lai-noi-dung", {"unhide_text-reason": "Ẩn nhầm"})

    assert twice.status_code == 409
    assert "Nội dung phản ánh không bị ẩn." in text(twice)
    assert snapshot(report) == before


def test_an_action_refused_by_the_state_shows_the_core_message_and_changes_nothing(
    file_report: FileReport, officer_a: User, second_officer_a: User
) -> None:
    report = file_report().incident
    # Another officer acknowledged it after this officer opened the page.
    acknowledged(report, second_officer_a)
    before = snapshot(report)

    response = post_action(officer_a, report, "tiep-nhan", {"acknowledge-note": "Tôi nhận"})

    assert response.status_code == 409
    html = text(response)
    assert (
        f"Không thể tiếp nhận phản ánh {report.tracking_code} khi đang ở trạng thái “Đã tiếp nhận”."
        in html
    )
    assert 'id="action-refusal"' in html
    assert snapshot(report) == before


def test_an_empty_answer_is_refused_by_the_core_and_the_form_keeps_its_place(
    file_report: FileReport, officer_a: User
) -> None:
    report = acknowledged(file_report().incident, officer_a)
    before = snapshot(report)

    response = post_action(officer_a, report, "tra-loi", {"answer-answer": "   "})

    assert response.status_code == 400
    html = text(response)
    assert "Vui lòng nhập nội dung trả lời." in html
    assert '<details class="action-panel action-answer" id="action-answer" open>' in html
    assert snapshot(report) == before


def test_a_leader_posting_an_action_is_refused_and_nothing_changes(
    file_report: FileReport, leader: User
) -> None:
    report = file_report().incident
    before = snapshot(report)

    response = post_action(leader, report, "tiep-nhan", {"acknowledge-note": ""})

    assert response.status_code == 403
    assert "Lãnh đạo chỉ được xem phản ánh, không thực hiện thao tác xử lý." in text(response)
    assert snapshot(report) == before


def test_an_unknown_action_is_404_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report().incident
    before = snapshot(report)

    response = post_action(officer_a, report, "xoa", {})

    assert response.status_code == 404
    assert snapshot(report) == before


def test_the_administrator_acts_on_any_units_report(
    file_report: FileReport, administrator: User
) -> None:
    report = file_report(point=AN_PHU_POINT).incident

    response = post_action(administrator, report, "tiep-nhan", {"acknowledge-note": ""})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == IncidentStatus.ACKNOWLEDGED


# The unit's map


def test_the_unit_map_gives_the_units_area_and_its_open_reports_in_the_box(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    now = timezone.now()
    open_report = file_report().incident
    overdue = acknowledged(file_report().incident, officer_a)
    set_deadline(overdue, resolve_by=now - timedelta(hours=1))
    finished = file_report().incident
    services.incident_reject(actor=officer_a, incident=finished, reason="spam")
    file_report(point=AN_PHU_POINT)
    client = client_as(officer_a)

    page = client.get(MAP)
    areas = json.loads(client.get(f"{MAP}dia-ban/").content)
    inside = json.loads(client.get(f"{MAP}phan-anh/?bbox={TERRITORY_BBOX}").content)
    elsewhere = json.loads(client.get(f"{MAP}phan-anh/?bbox=108.0,14.0,108.1,14.1").content)

    assert page.status_code == 200
    assert "Ủy ban nhân dân Phường Cẩm Thành" in text(page)
    assert [feature["properties"]["name"] for feature in areas["features"]] == ["Phường Cẩm Thành"]
    assert areas["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert inside["numberMatched"] == 2
    assert [feature["id"] for feature in inside["features"]] == [
        overdue.tracking_code,
        open_report.tracking_code,
    ]
    first = inside["features"][0]["properties"]
    assert first["urgency"] == "overdue"
    assert first["status_label"] == "Đã tiếp nhận"
    assert first["url"] == page_of(overdue)
    assert first["category_name"] == "Giao thông"
    assert inside["features"][1]["properties"]["urgency"] == "due_soon"
    assert elsewhere["features"] == []


def test_the_unit_map_asks_for_a_bounding_box(officer_a: User) -> None:
    client = client_as(officer_a)

    missing = client.get(f"{MAP}phan-anh/")
    invalid = client.get(f"{MAP}phan-anh/?bbox=1,2,3")

    assert missing.status_code == 400
    assert "bbox" in text(missing)
    assert invalid.status_code == 400


def test_leaders_map_shows_every_current_commune(
    leader: User, territory: Territory, file_report: FileReport
) -> None:
    file_report()
    file_report(point=AN_PHU_POINT)

    areas = json.loads(client_as(leader).get(f"{MAP}dia-ban/").content)
    reports = json.loads(client_as(leader).get(f"{MAP}phan-anh/?bbox={TERRITORY_BBOX}").content)

    assert sorted(feature["properties"]["name"] for feature in areas["features"]) == [
        "Phường Cẩm Thành",
        "Xã An Phú",
    ]
    assert reports["numberMatched"] == 2


# Both languages


@pytest.mark.parametrize(
    ("language", "queue_heading", "report_heading", "map_heading", "action"),
    [
        ("vi", "Phản ánh của đơn vị", "Diễn biến xử lý", "Bản đồ phản ánh của đơn vị", "Tiếp nhận"),
        ("en", "My unit's reports", "Handling history", "My unit's map of reports", "Acknowledge"),
    ],
)
def test_the_pages_render_in_vietnamese_and_english(
    file_report: FileReport,
    officer_a: User,
    language: str,
    queue_heading: str,
    report_heading: str,
    map_heading: str,
    action: str,
) -> None:
    report = file_report().incident
    client = client_as(officer_a, language=language)

    pages = [client.get(QUEUE), client.get(page_of(report)), client.get(MAP)]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert f'<html lang="{language}">' in text(pages[0])
    assert f"<h1>{queue_heading}</h1>" in text(pages[0])
    assert report_heading in text(pages[1])
    assert f">{action}</summary>" in text(pages[1])
    assert f"<h1>{map_heading}</h1>" in text(pages[2])
    login = Client()
    if language != "vi":
        login.cookies["django_language"] = language
    assert login.get("/tai-khoan/login/").status_code == 200


def test_dates_are_written_day_first_in_both_languages(
    file_report: FileReport, officer_a: User
) -> None:
    report = file_report(
        reported_at=datetime.datetime(2026, 1, 5, 9, 30, tzinfo=VIETNAM_TIME_ZONE)
    ).incident

    for language in ("vi", "en"):
        html = text(client_as(officer_a, language=language).get(f"{QUEUE}?status=all"))
        assert ">09:30 05/01/2026<" in html
        assert report.tracking_code in html


def test_the_timeline_marks_internal_events_and_names_the_officer(
    file_report: FileReport, officer_a: User, second_officer_a: User
) -> None:
    report = file_report().incident
    services.incident_assign(actor=officer_a, incident=report, assignee=second_officer_a)

    html = text(client_as(officer_a).get(page_of(report)))

    assert "Giao cho can-bo-cam-thanh-2" in html
    assert "(can-bo-cam-thanh)" in html
    assert IncidentEvent.objects.filter(incident=report, is_public=False).count() == 1
    assert html.count('visibility-badge visibility-internal">Nội bộ<') == 1
    assert html.count('visibility-badge visibility-public">Công khai<') == 1


def test_the_transfer_form_offers_every_other_unit_still_serving_a_current_area(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    report = file_report().incident
    closed_unit = Agency.objects.create(
        code="don-vi-ngung", name="Đơn vị đã giải thể", kind=AgencyKind.OTHER, is_active=False
    )

    html = text(client_as(officer_a).get(page_of(report)))
    options = re.findall(
        r'<option value="(\d+)">([^<]+)</option>',
        html.split('name="transfer-to_agency"')[1].split("</select>")[0],
    )

    offered = [value for value, _name in options]
    assert (str(territory.committee_an_phu.pk), "Ủy ban nhân dân Xã An Phú") in options
    assert str(territory.committee_cam_thanh.pk) not in offered
    assert str(closed_unit.pk) not in offered
    # Committees of communes merged away in the reform route old reports, not new work.
    assert str(territory.committee_nghia_dung.pk) not in offered
    assert str(territory.committee_nguyen_nghiem.pk) not in offered


def test_photos_count_on_the_report_matches_the_database(
    report_with_photos: Incident, officer_a: User
) -> None:
    html = text(client_as(officer_a).get(page_of(report_with_photos)))

    assert (
        html.count('class="photo-item')
        == IncidentPhoto.objects.filter(incident=report_with_photos).count()
    )
