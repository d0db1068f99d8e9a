"""The dashboard and the area pages answer exactly what the reports say, to whom they may, and
refuse bad input with a reason in the user's language."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from geoapp.clock import vietnam_today
from incidents.models import OPEN_STATUSES, Incident
from incidents.operations_selectors import FeedbackFigures, Scope, feedback_figures_by
from ioc import selectors
from tests.conftest import Territory
from tests.ioc.conftest import Reports

EXPECTED = FeedbackFigures(
    filed=10, open=6, overdue=2, resolved=4, resolved_on_time=3, rated=3, satisfied=2,
    rating_total=11,
)  # fmt: skip
NOTHING = FeedbackFigures(
    filed=0, open=6, overdue=2, resolved=0, resolved_on_time=0, rated=0, satisfied=0,
    rating_total=0,
)  # fmt: skip


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_shows_the_weeks_figures_with_their_numerators(
    reports: Reports, leader: User
) -> None:
    response = signed_in(leader).get("/dieu-hanh/")

    assert response.status_code == 200
    card = response.context["dashboard"].feedback
    assert card.current == EXPECTED
    # The previous week had no report; the open and overdue ones are today's, whenever filed.
    assert card.previous == NOTHING
    html = response.content.decode()
    assert '75.0% <span class="basis">(3/4)</span>' in html
    assert '66.7% <span class="basis">(2/3)</span>' in html
    assert "Trần Thị Bình" not in html and "0905 123 456" not in html


def test_every_communes_figures_equal_a_count_of_the_reports(
    reports: Reports, territory: Territory
) -> None:
    today = vietnam_today()
    now = timezone.now()
    figures = feedback_figures_by(
        key="area_id", scope=Scope(date_from=today, date_to=today), now=now
    )

    for area in (territory.cam_thanh, territory.an_phu):
        mine = [r for r in reports.all if r.area_id == area.pk]
        still_open = [r for r in mine if r.status in OPEN_STATUSES]
        resolved = [(r.resolved_at, r.resolve_by) for r in mine if r.resolved_at is not None]
        ratings = [r.rating for r in mine if r.rating is not None]
        assert figures[area.pk] == FeedbackFigures(
            filed=len(mine),
            open=len(still_open),
            overdue=sum(1 for r in still_open if r.resolve_by < now),
            resolved=len(resolved),
            resolved_on_time=sum(1 for at, by in resolved if at <= by),
            rated=len(ratings),
            satisfied=sum(1 for rating in ratings if rating >= 4),
            rating_total=sum(ratings),
        )
    assert figures[territory.cam_thanh.pk].overdue == 2


def test_the_hotspot_layer_counts_every_report_of_the_period_in_the_hexagon_around_it(
    reports: Reports, leader: User
) -> None:
    response = signed_in(leader).get("/dieu-hanh/diem-nong.geojson")

    assert response.status_code == 200
    features = response.json()["features"]
    assert sum(f["properties"]["reports"] for f in features) == 10
    counted: Counter[int] = Counter()
    for report in reports.all:
        point = ShapelyPoint(report.location.x, report.location.y)
        holding = [i for i, f in enumerate(features) if shape(f["geometry"]).contains(point)]
        assert len(holding) == 1
        counted[holding[0]] += 1
    assert {i: f["properties"]["reports"] for i, f in enumerate(features)} == dict(counted)


def test_a_choropleth_classes_every_commune_by_its_on_time_rate(
    reports: Reports, leader: User, territory: Territory
) -> None:
    response = signed_in(leader).get("/dieu-hanh/", {"layer": "on_time"})

    assert response.status_code == 200
    layer = response.context["dashboard"].map_layer
    values = {area.outline.code: (area.value, area.label) for area in layer.areas}
    assert values == {"21025": (2 / 3, "66.7% (2/3)"), "21034": (1.0, "100.0% (1/1)")}
    assert all(area.colour for area in layer.areas)


def test_the_rankings_leave_out_units_with_too_few_resolved_reports(reports: Reports) -> None:
    def row(name: str, resolved: int, on_time: int) -> selectors.RankingRow:
        return selectors.RankingRow(
            key=name, name=name, resolved=resolved, on_time=selectors.Rate(on_time, resolved),
            satisfaction=selectors.Rate(0, 0), open=0, overdue=0,
        )  # fmt: skip

    ranking = selectors._ranking([row("ba", 3, 3), row("lớn", 40, 30), row("vừa", 10, 9)])

    assert [r.name for r in ranking.ranked] == ["vừa", "lớn"]
    assert [r.name for r in ranking.too_few] == ["ba"]


def test_a_commune_page_shows_its_own_figures(reports: Reports, officer_a: User) -> None:
    response = signed_in(officer_a).get("/dieu-hanh/khu-vuc/21025/")

    assert response.status_code == 200
    page = response.context["page"]
    assert page.feedback.current == FeedbackFigures(
        filed=6, open=3, overdue=2, resolved=3, resolved_on_time=2, rated=2, satisfied=1,
        rating_total=7,
    )  # fmt: skip
    assert [r.tracking_code for r in page.overdue] == sorted(
        (r.tracking_code for r in reports.cam_thanh[3:5]),
        key=lambda code: next(r.resolve_by for r in reports.cam_thanh if r.tracking_code == code),
    )
    assert len(page.recent) == 6


@pytest.mark.parametrize("path", ["/dieu-hanh/", "/dieu-hanh/khu-vuc/21025/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(territory: Territory, path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/login/")


def test_an_officer_may_not_see_the_dashboard_nor_another_communes_page(
    reports: Reports, officer_a: User
) -> None:
    client = signed_in(officer_a)

    assert client.get("/dieu-hanh/").status_code == 403
    assert client.get("/dieu-hanh/diem-nong.geojson").status_code == 403
    refused = client.get("/dieu-hanh/khu-vuc/21034/")
    assert refused.status_code == 403
    assert "Xã An Phú" not in refused.content.decode()
    # An unknown code tells the officer no more than a forbidden one.
    assert client.get("/dieu-hanh/khu-vuc/99999/").status_code == 403


def test_a_leader_sees_every_communes_page(reports: Reports, leader: User) -> None:
    assert signed_in(leader).get("/dieu-hanh/khu-vuc/21034/").status_code == 200


def test_the_boundaries_follow_the_chosen_day(reports: Reports, leader: User) -> None:
    """21025 named Phường Nguyễn Nghiêm before the reform and Phường Cẩm Thành after it."""
    before = signed_in(leader).get(
        "/dieu-hanh/khu-vuc/21025/", {"from": "2025-06-01", "to": "2025-06-30"}
    )

    assert before.status_code == 200
    assert before.context["page"].area.name == "Phường Nguyễn Nghiêm"
    assert before.context["page"].feedback.current.filed == 0
    assert signed_in(leader).get("/dieu-hanh/").context["communes"][0].name == "Phường Cẩm Thành"


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"to": "2999-01-01"}, 400, "Khoảng thời gian không được ở tương lai"),
        ({"from": "01/02/2026"}, 400, "không phải ngày hợp lệ"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, 400, "Ngày kết thúc phải sau ngày bắt đầu"),
        ({"from": "2024-01-01", "to": "2025-12-31"}, 400, "dài nhất là 366 ngày"),
        ({"area": "99999"}, 404, "Không có đơn vị hành chính mã “99999”"),
        ({"category": "khong-co"}, 404, "Không tìm thấy lĩnh vực “khong-co”"),
        ({"layer": "tat-ca"}, 400, "Lớp bản đồ “tat-ca” không có"),
    ],
)
def test_bad_input_is_refused_with_its_reason(
    reports: Reports, leader: User, query: dict[str, str], status: int, message: str
) -> None:
    response = signed_in(leader).get("/dieu-hanh/", query)

    assert response.status_code == status
    assert message in response.content.decode()


def test_bad_input_is_explained_in_english(reports: Reports, leader: User) -> None:
    client = signed_in(leader)
    client.cookies["django_language"] = "en"
    response = client.get("/dieu-hanh/", {"to": "2999-01-01"})

    assert response.status_code == 400
    assert "The period cannot be in the future" in response.content.decode()


def test_the_hotspot_layer_refuses_a_future_period_in_json(
    leader: User, territory: Territory
) -> None:
    response = signed_in(leader).get("/dieu-hanh/diem-nong.geojson", {"to": "2999-01-01"})

    assert response.status_code == 400
    assert response.json()["code"] == "future_period"


def test_the_navigation_shows_the_operations_centre_to_leaders_only(
    reports: Reports, leader: User, officer_a: User
) -> None:
    link = 'href="/dieu-hanh/"'
    assert link in signed_in(leader).get("/").content.decode()
    assert link not in signed_in(officer_a).get("/").content.decode()
    assert link not in Client().get("/").content.decode()


def test_filters_narrow_the_figures_to_a_commune_and_a_category(
    reports: Reports, leader: User
) -> None:
    client = signed_in(leader)

    in_an_phu = client.get("/dieu-hanh/", {"area": "21034"}).context["dashboard"]
    other_category = client.get("/dieu-hanh/", {"category": "chieu-sang"}).context["dashboard"]

    assert in_an_phu.feedback.current.filed == 4
    assert in_an_phu.feedback.current.open == 3
    assert other_category.feedback.current.filed == 0
    assert other_category.feedback.current.open == 0
    assert Incident.objects.count() == 10


def test_the_period_defaults_to_this_week(reports: Reports, leader: User) -> None:
    filters = signed_in(leader).get("/dieu-hanh/").context["filters"]
    today = vietnam_today()

    assert filters.date_to == today
    assert filters.date_from == today - datetime.timedelta(days=today.weekday())


def test_the_weekly_trend_has_twelve_weeks_with_the_empty_ones_as_zero(
    reports: Reports, leader: User
) -> None:
    weekly = signed_in(leader).get("/dieu-hanh/").context["dashboard"].weekly
    today = vietnam_today()
    this_monday = today - datetime.timedelta(days=today.weekday())

    assert [point.start for point in weekly] == [
        this_monday - datetime.timedelta(weeks=11 - n) for n in range(12)
    ]
    assert [point.filed for point in weekly] == [0] * 11 + [10]
    assert (weekly[-1].resolved, weekly[-1].resolved_on_time) == (4, 3)


def test_an_administrator_sees_the_dashboard(reports: Reports, administrator: User) -> None:
    response = signed_in(administrator).get("/dieu-hanh/")

    assert response.status_code == 200
    assert response.context["dashboard"].feedback.current == EXPECTED
