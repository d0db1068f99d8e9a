"""The operations centre's selectors: figures and the task map for a period and an area, on
Friday 13 February 2026 (the last working day before Tết Bính Ngọ: a deadline on Wednesday
25 February is due soon)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.gis.geos import Point
from shapely.geometry import box

from directives import selectors, services
from directives.dashboard import DashboardFilter, dashboard_figures, filter_for_year, tasks_map
from directives.models import Task
from directives.selectors import TaskScope
from tests.directives.conftest import People, make_directive, vietnam
from wards.models import Area, AreaLevel, AreaType
from wards.services import area_create

pytestmark = pytest.mark.django_db

EVERYONE = TaskScope(sees_all=True, agency_ids=frozenset())
FRIDAY_BEFORE_TET = datetime.date(2026, 2, 13)
REFORM_DAY = datetime.date(2025, 7, 1)


@pytest.fixture
def communes(db: None) -> tuple[Area, Area, Area]:
    province = area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE,
        level=AreaLevel.PROVINCE, boundary=box(108.0, 14.5, 109.5, 15.5), valid_from=REFORM_DAY,
    )  # fmt: skip
    cam_thanh = area_create(
        code="21025", name="Phường Cẩm Thành", area_type=AreaType.WARD, level=AreaLevel.COMMUNE,
        boundary=box(108.78, 15.10, 108.82, 15.14), valid_from=REFORM_DAY, parent=province,
    )  # fmt: skip
    an_phu = area_create(
        code="21034", name="Xã An Phú", area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
        boundary=box(108.70, 15.10, 108.78, 15.14), valid_from=REFORM_DAY, parent=province,
    )  # fmt: skip
    return province, cam_thanh, an_phu


def _tasks(people: People, deadlines: list[datetime.date]) -> list[Task]:
    return [make_directive(people, deadline=deadline).tasks.get() for deadline in deadlines]


def test_the_figures_count_each_standing_of_the_period_and_the_rate(people: People) -> None:
    overdue, due_soon, on_track, done, cancelled, next_year = _tasks(
        people,
        [
            datetime.date(2026, 2, 12), datetime.date(2026, 2, 25), datetime.date(2026, 3, 31),
            datetime.date(2026, 2, 11), datetime.date(2026, 3, 1), datetime.date(2027, 1, 4),
        ],
    )  # fmt: skip
    services.task_accept(actor=people.culture_officer, task=done, at=vietnam(2026, 2, 10))
    services.task_complete(actor=people.culture_officer, task=done, evidence="Xong",
                           at=vietnam(2026, 2, 11, 16))  # fmt: skip
    services.task_cancel(actor=people.chairman, task=cancelled, reason="Thôi",
                         at=vietnam(2026, 2, 11))  # fmt: skip
    figures = dashboard_figures(
        scope=EVERYONE, dashboard_filter=filter_for_year(2026),
        today=selectors.today_of(FRIDAY_BEFORE_TET),
    )  # fmt: skip
    assert (
        figures.volume, figures.open, figures.overdue, figures.due_soon, figures.done_on_time,
        figures.done_late, figures.cancelled,
    ) == (4, 3, 1, 1, 1, 0, 1)  # fmt: skip
    assert (figures.finished_or_overdue, figures.on_time_rate) == (2, 0.5)
    [culture] = figures.agencies
    assert (culture.agency_code, culture.volume, culture.overdue, culture.on_time) == (
        "so-van-hoa", 4, 1, 1,
    )  # fmt: skip
    february = dashboard_figures(
        scope=EVERYONE,
        dashboard_filter=DashboardFilter(
            period_start=datetime.date(2026, 2, 1), period_end=datetime.date(2026, 2, 28)
        ),
        today=selectors.today_of(FRIDAY_BEFORE_TET),
    )
    assert (february.volume, february.overdue, february.due_soon, february.done_on_time) == (
        3, 1, 1, 1,
    )  # fmt: skip
    assert next_year.pk not in {t.pk for t in Task.objects.filter(deadline__year=2026)}


def test_an_area_counts_its_communes_tasks_and_the_points_inside_it(
    people: People, communes: tuple[Area, Area, Area]
) -> None:
    province, cam_thanh, an_phu = communes
    by_area, by_point, elsewhere, unlocated = _tasks(people, [datetime.date(2026, 3, 31)] * 4)
    Task.objects.filter(pk=by_area.pk).update(area=cam_thanh)
    Task.objects.filter(pk=by_point.pk).update(place=Point(108.80, 15.12, srid=4326))
    Task.objects.filter(pk=elsewhere.pk).update(area=an_phu)
    today = selectors.today_of(FRIDAY_BEFORE_TET)

    def volume(area: Area | None) -> int:
        return dashboard_figures(
            scope=EVERYONE, dashboard_filter=filter_for_year(2026, area_id=area.pk if area else None),
            today=today,
        ).volume  # fmt: skip

    assert (volume(cam_thanh), volume(an_phu), volume(province), volume(None)) == (2, 1, 3, 4)


def test_the_map_has_the_located_tasks_with_their_standing_and_nothing_personal(
    people: People, communes: tuple[Area, Area, Area]
) -> None:
    _province, cam_thanh, _an_phu = communes
    overdue, done, unlocated = _tasks(
        people, [datetime.date(2026, 2, 12), datetime.date(2026, 2, 11), datetime.date(2026, 3, 2)]
    )
    Task.objects.filter(pk=overdue.pk).update(place=Point(108.8012345, 15.1234567, srid=4326))
    Task.objects.filter(pk=done.pk).update(area=cam_thanh)
    services.task_accept(actor=people.culture_officer, task=done, at=vietnam(2026, 2, 10))
    services.task_complete(actor=people.culture_officer, task=done, evidence="Xong",
                           at=vietnam(2026, 2, 12))  # fmt: skip
    collection = json.loads(
        tasks_map(
            scope=EVERYONE, dashboard_filter=filter_for_year(2026),
            today=selectors.today_of(FRIDAY_BEFORE_TET),
        )
    )  # fmt: skip
    # PostGIS rounds the binary value: 108.8012345 is stored as 108.80123449…
    label = cam_thanh.label_point
    assert collection == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature", "id": done.pk,
                "geometry": {"type": "Point", "coordinates": [round(label.x, 6), round(label.y, 6)]},
                "properties": {
                    "content": "Chủ trì tổ chức lễ hội, báo cáo Chủ tịch UBND tỉnh",
                    "lead_agency": "Sở Văn hóa, Thể thao và Du lịch", "directive": "21/TB-UBND",
                    "deadline": "2026-02-11", "status": "done", "standing": "done_late",
                },
            },
            {
                "type": "Feature", "id": overdue.pk,
                "geometry": {"type": "Point", "coordinates": [108.801234, 15.123457]},
                "properties": {
                    "content": "Chủ trì tổ chức lễ hội, báo cáo Chủ tịch UBND tỉnh",
                    "lead_agency": "Sở Văn hóa, Thể thao và Du lịch", "directive": "21/TB-UBND",
                    "deadline": "2026-02-12", "status": "assigned", "standing": "overdue",
                },
            },
        ],
    }  # fmt: skip
    empty = tasks_map(
        scope=TaskScope(sees_all=False, agency_ids=frozenset({people.construction.pk})),
        dashboard_filter=filter_for_year(2026), today=selectors.today_of(FRIDAY_BEFORE_TET),
    )  # fmt: skip
    assert json.loads(empty) == {"type": "FeatureCollection", "features": []}
