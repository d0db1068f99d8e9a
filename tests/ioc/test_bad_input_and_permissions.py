"""Bad input and permissions (issue 13): unknown areas or periods, periods in the future, a
commune's leader asking for another commune's page or for the province's reports; each refused
with its reason, nothing shown that the user may not see, nothing changed; and no personal data
on any page of the centre."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from geoapp.clock import vietnam_today
from geoapp.exceptions import InvalidInput
from ioc.models import WeeklyReport
from ioc.services import week_before, weekly_report_produce
from notifications.models import Notification
from tests.conftest import Territory
from tests.ioc.conftest import Reports
from wards.models import AgencyMembership, AgencyRole

PRIVATE = ("Trần Thị Bình", "0905 123 456", "binh@example.vn", "Ổ gà sâu giữa đường Hùng Vương")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def an_phu_chairman(territory: Territory) -> User:
    """The Chairman of Xã An Phú: a manager of the commune's People's Committee."""
    user = User.objects.create_user(username="chu-tich-an-phu", password="mật-khẩu-thử")
    AgencyMembership.objects.create(
        user=user, agency=territory.committee_an_phu, role=AgencyRole.MANAGER
    )
    return user


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"to": "2999-01-01"}, 400, "Khoảng thời gian không được ở tương lai"),
        ({"from": "hôm-qua"}, 400, "không phải ngày hợp lệ"),
        ({"from": "2026-02-30"}, 400, "không phải ngày hợp lệ"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, 400, "Ngày kết thúc phải sau ngày bắt đầu"),
        ({"category": "khong-co"}, 404, "Không tìm thấy lĩnh vực “khong-co”"),
    ],
)
def test_an_area_page_refuses_bad_periods_with_their_reason(
    reports: Reports, leader: User, query: dict[str, str], status: int, message: str
) -> None:
    response = signed_in(leader).get("/dieu-hanh/khu-vuc/21025/", query)

    assert response.status_code == status
    assert message in response.content.decode()
    assert "PA-" not in response.content.decode()  # no report of the commune shown


def test_an_unknown_area_is_404_for_a_leader(reports: Reports, leader: User) -> None:
    response = signed_in(leader).get("/dieu-hanh/khu-vuc/99999/")

    assert response.status_code == 404
    assert "Không có đơn vị hành chính mã “99999”" in response.content.decode()


def test_an_area_that_did_not_exist_on_the_chosen_day_is_404(
    reports: Reports, leader: User
) -> None:
    """Xã An Phú (21034 after 1 July 2025) was Xã Nghĩa Dũng before it: asking for a day before
    the oldest boundary the territory knows finds no area."""
    response = signed_in(leader).get(
        "/dieu-hanh/khu-vuc/21034/", {"from": "1900-01-01", "to": "1900-01-07"}
    )

    assert response.status_code == 404


def test_a_communes_chairman_sees_only_their_own_communes_page(
    reports: Reports, an_phu_chairman: User
) -> None:
    client = signed_in(an_phu_chairman)

    own = client.get("/dieu-hanh/khu-vuc/21034/")
    other = client.get("/dieu-hanh/khu-vuc/21025/")

    assert own.status_code == 200
    assert own.context["page"].area.name == "Xã An Phú"
    assert other.status_code == 403
    content = other.content.decode()
    assert "Phường Cẩm Thành" not in content
    for report in reports.all:
        assert report.tracking_code not in content
    # Not even a bad period tells them about the other commune.
    assert client.get("/dieu-hanh/khu-vuc/21025/", {"to": "2999-01-01"}).status_code in (400, 403)
    assert client.get("/dieu-hanh/khu-vuc/99999/").status_code == 403


def test_a_communes_chairman_may_not_see_the_province_nor_its_weekly_reports(
    reports: Reports, an_phu_chairman: User
) -> None:
    week = week_before(vietnam_today())
    weekly_report_produce(week_start=week, now=timezone.now())
    before = (WeeklyReport.objects.get().produced_at, Notification.objects.count())
    client = signed_in(an_phu_chairman)

    for path in (
        "/dieu-hanh/",
        "/dieu-hanh/diem-nong.geojson",
        f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}.pdf",
        f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}.xlsx",
        f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}/",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post("/dieu-hanh/bao-cao-tuan/lap/").status_code == 403
    assert (WeeklyReport.objects.get().produced_at, Notification.objects.count()) == before


def test_a_week_not_over_is_not_reported(reports: Reports, leader: User) -> None:
    this_monday = vietnam_today() - datetime.timedelta(days=vietnam_today().weekday())
    messages_before = Notification.objects.count()  # the reports' own, from their filing

    for monday in (this_monday, this_monday + datetime.timedelta(days=7)):
        with pytest.raises(InvalidInput, match="chưa kết thúc") as refused:
            weekly_report_produce(week_start=monday, now=timezone.now())
        assert refused.value.code == "week_not_over"
    with pytest.raises(InvalidInput, match="thứ Hai"):
        weekly_report_produce(
            week_start=this_monday - datetime.timedelta(days=6), now=timezone.now()
        )
    assert not WeeklyReport.objects.exists()
    assert Notification.objects.count() == messages_before


def test_no_page_of_the_centre_shows_personal_data(reports: Reports, leader: User) -> None:
    week = week_before(vietnam_today())
    weekly_report_produce(week_start=week, now=timezone.now())
    client = signed_in(leader)

    for path in (
        "/dieu-hanh/",
        "/dieu-hanh/?layer=on_time",
        "/dieu-hanh/khu-vuc/21025/",
        "/dieu-hanh/khu-vuc/21034/",
        "/dieu-hanh/diem-nong.geojson",
        f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        for private in PRIVATE:
            assert private not in response.content.decode(), (path, private)
