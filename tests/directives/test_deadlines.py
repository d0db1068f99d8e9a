"""Deadlines in working days and the standing of tasks, with exact dates across Tết Bính Ngọ 2026
(Monday 16 to Friday 20 February 2026 off)."""

from __future__ import annotations

import datetime

import pytest

from directives import selectors, services
from directives.deadlines import Standing, due_soon_limit, standing, working_day_after
from directives.models import Task
from directives.selectors import TaskFilter, TaskScope
from geoapp.selectors import working_calendar
from tests.directives.conftest import People, make_directive, vietnam

pytestmark = pytest.mark.django_db

EVERYONE = TaskScope(sees_all=True, agency_ids=frozenset())


def test_a_deadline_in_working_days_skips_the_weekend_and_tet(people: People) -> None:
    # Thursday 12 February 2026: Friday 13 is the 1st working day, then Tết and two weekends,
    # then 23, 24, 25 and 26 February.
    task = make_directive(
        people, issued_on=datetime.date(2026, 2, 12), deadline=None, deadline_working_days=5
    ).tasks.get()
    assert task.deadline == datetime.date(2026, 2, 26)
    assert task.original_deadline == datetime.date(2026, 2, 26)


def test_due_soon_reaches_over_tet_by_working_days() -> None:
    calendar = working_calendar()
    assert due_soon_limit(calendar, datetime.date(2026, 2, 13)) == datetime.date(2026, 2, 25)
    assert working_day_after(calendar, datetime.date(2026, 2, 13), 0) == datetime.date(2026, 2, 13)
    limit = due_soon_limit(calendar, datetime.date(2026, 2, 13))
    today = datetime.date(2026, 2, 13)

    def of(deadline: datetime.date) -> Standing:
        return standing(status="in_progress", deadline=deadline, completed_on=None, today=today,
                        due_soon_until=limit)  # fmt: skip

    assert of(datetime.date(2026, 2, 13)) == Standing.DUE_SOON
    assert of(datetime.date(2026, 2, 25)) == Standing.DUE_SOON
    assert of(datetime.date(2026, 2, 26)) == Standing.ON_TRACK
    assert of(datetime.date(2026, 2, 12)) == Standing.OVERDUE


def test_done_on_the_deadline_day_in_vietnam_is_on_time_and_the_next_day_is_late(
    people: People,
) -> None:
    on_time = make_directive(people).tasks.get()
    late = make_directive(people).tasks.get()
    for task in (on_time, late):
        services.task_accept(actor=people.culture_officer, task=task, at=vietnam(2026, 2, 11))
    # 23:30 on 31 March in Vietnam is 16:30 UTC; 00:30 on 1 April is still 31 March in UTC.
    services.task_complete(actor=people.culture_officer, task=on_time, evidence="Xong",
                           at=vietnam(2026, 3, 31, 23, 30))  # fmt: skip
    services.task_complete(actor=people.culture_officer, task=late, evidence="Xong",
                           at=vietnam(2026, 4, 1, 0, 30))  # fmt: skip
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.completed_on, late.completed_on) == (
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 1),
    )
    today = selectors.today_of(datetime.date(2026, 4, 2))
    standings = {
        task.pk: task.standing  # type: ignore[attr-defined]
        for task in selectors.task_list(scope=EVERYONE, task_filter=TaskFilter(), today=today)
    }
    assert standings == {on_time.pk: "done_on_time", late.pk: "done_late"}


def _tasks_due(people: People, deadlines: list[datetime.date]) -> list[Task]:
    return [
        make_directive(people, issued_on=datetime.date(2026, 1, 5), deadline=deadline).tasks.get()
        for deadline in deadlines
    ]


def test_the_board_puts_overdue_first_then_due_soon_then_the_rest(people: People) -> None:
    far, overdue, soon, done = _tasks_due(
        people,
        [
            datetime.date(2026, 3, 20),
            datetime.date(2026, 2, 12),
            datetime.date(2026, 2, 24),
            datetime.date(2026, 2, 10),
        ],
    )
    services.task_accept(actor=people.culture_officer, task=done, at=vietnam(2026, 1, 6))
    services.task_complete(actor=people.culture_officer, task=done, evidence="Xong",
                           at=vietnam(2026, 2, 9))  # fmt: skip
    today = selectors.today_of(datetime.date(2026, 2, 13))
    listed = selectors.task_list(scope=EVERYONE, task_filter=TaskFilter(), today=today)
    assert [(task.pk, task.standing) for task in listed] == [  # type: ignore[attr-defined]
        (overdue.pk, "overdue"),
        (soon.pk, "due_soon"),
        (far.pk, "on_track"),
        (done.pk, "done_on_time"),
    ]
    only_soon = selectors.task_list(
        scope=EVERYONE, task_filter=TaskFilter(standing="due_soon"), today=today
    )
    assert [task.pk for task in only_soon] == [soon.pk]


def test_the_on_time_rate_counts_done_and_overdue_tasks_of_the_year(people: People) -> None:
    on_time, late, overdue, not_due, cancelled = _tasks_due(
        people,
        [
            datetime.date(2026, 2, 2),
            datetime.date(2026, 2, 3),
            datetime.date(2026, 2, 4),
            datetime.date(2026, 12, 30),
            datetime.date(2026, 2, 5),
        ],
    )
    for task in (on_time, late):
        services.task_accept(actor=people.culture_officer, task=task, at=vietnam(2026, 1, 6))
    services.task_complete(actor=people.culture_officer, task=on_time, evidence="Xong",
                           at=vietnam(2026, 2, 2))  # fmt: skip
    services.task_complete(actor=people.culture_officer, task=late, evidence="Xong",
                           at=vietnam(2026, 2, 27))  # fmt: skip
    services.task_cancel(actor=people.chairman, task=cancelled, reason="Thôi")
    today = selectors.today_of(datetime.date(2026, 3, 2))
    [figures] = selectors.on_time_rate_per_agency(year=2026, today=today)
    assert (figures.agency_code, figures.volume, figures.open, figures.overdue) == (
        "so-van-hoa", 4, 2, 1,
    )  # fmt: skip
    assert (figures.on_time, figures.finished_or_overdue) == (1, 3)
    assert figures.on_time_percent == "33%"
    assert selectors.on_time_rate_per_agency(year=2025, today=today) == []


def test_the_operations_centre_reads_the_figures_per_agency(people: People) -> None:
    _tasks_due(people, [datetime.date(2026, 2, 12), datetime.date(2026, 2, 24)])
    [figures] = selectors.operations_centre_figures(today=datetime.date(2026, 2, 13))
    assert (figures.open, figures.overdue, figures.due_soon) == (2, 1, 1)
    assert (figures.on_time, figures.finished_or_overdue, figures.on_time_rate) == (0, 1, 0.0)


def test_the_calendar_counts_open_deadlines_per_day(people: People) -> None:
    _tasks_due(people, [datetime.date(2026, 2, 12), datetime.date(2026, 2, 12),
                        datetime.date(2026, 2, 24)])  # fmt: skip
    today = selectors.today_of(datetime.date(2026, 2, 13))
    calendar = selectors.deadline_calendar(
        scope=EVERYONE, task_filter=TaskFilter(), today=today, year=2026, month=2
    )
    counted = {
        cell.day: (cell.due, cell.overdue) for week in calendar.weeks for cell in week if cell.due
    }
    assert counted == {
        datetime.date(2026, 2, 12): (2, 2),
        datetime.date(2026, 2, 24): (1, 0),
    }
    assert calendar.weeks[0][0].day == datetime.date(2026, 1, 26)


def test_open_tasks_with_a_place_go_on_the_operations_map(people: People) -> None:
    from django.contrib.gis.geos import Point

    placed, unplaced, done = _tasks_due(
        people,
        [datetime.date(2026, 2, 12), datetime.date(2026, 2, 12), datetime.date(2026, 2, 12)],
    )
    Task.objects.filter(pk__in=[placed.pk, done.pk]).update(
        place=Point(108.8012345, 15.1234567, srid=4326)
    )
    services.task_accept(actor=people.culture_officer, task=done, at=vietnam(2026, 1, 6))
    services.task_complete(actor=people.culture_officer, task=done, evidence="Xong",
                           at=vietnam(2026, 2, 9))  # fmt: skip
    collection = selectors.tasks_on_map(today=selectors.today_of(datetime.date(2026, 2, 13)))
    assert collection == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": placed.pk,
                "geometry": {"type": "Point", "coordinates": [108.801235, 15.123457]},
                "properties": {
                    "content": "Chủ trì tổ chức lễ hội, báo cáo Chủ tịch UBND tỉnh",
                    "lead_agency": "Sở Văn hóa, Thể thao và Du lịch",
                    "deadline": "2026-02-12",
                    "standing": "overdue",
                },
            }
        ],
    }
    assert unplaced.pk not in [feature["id"] for feature in collection["features"]]


def test_a_task_due_on_the_last_working_day_before_tet_is_overdue_during_the_holiday(
    people: People,
) -> None:
    # Due Friday 13 February 2026, the last working day before Tết Bính Ngọ (16–20 February off).
    task = make_directive(
        people, issued_on=datetime.date(2026, 2, 2), deadline=datetime.date(2026, 2, 13)
    ).tasks.get()

    def standing_on(day: datetime.date) -> str:
        today = selectors.today_of(day)
        (listed,) = selectors.task_list(scope=EVERYONE, task_filter=TaskFilter(), today=today)
        return str(listed.standing)  # type: ignore[attr-defined]

    assert standing_on(datetime.date(2026, 2, 13)) == "due_soon"
    # A deadline is a calendar day: from Saturday 14 February, holiday or not, it is overdue.
    assert standing_on(datetime.date(2026, 2, 14)) == "overdue"
    assert standing_on(datetime.date(2026, 2, 18)) == "overdue"
    # Completed on Monday 23 February, the first working day after Tết: late.
    services.task_accept(actor=people.culture_officer, task=task, at=vietnam(2026, 2, 3))
    services.task_complete(
        actor=people.culture_officer, task=task, evidence="Xong", at=vietnam(2026, 2, 23, 8)
    )
    assert standing_on(datetime.date(2026, 2, 23)) == "done_late"
