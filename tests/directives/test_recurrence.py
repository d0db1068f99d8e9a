"""Recurring tasks: the deadlines of the occurrences on the working-day calendar (Tết Bính Ngọ
2026, 16–20 February off; 30 April, 1 and 2 May 2025 off; weekends) and their creation by the
hourly task, once each, also when two runs overlap."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from directives import recurrence, services
from directives.models import Directive, Task, TaskAction, TaskEvent, TaskStatus
from directives.recurrence import months_later, occurrence_deadline
from directives.services import TaskSpecification
from directives.tasks import directives_create_occurrences
from geoapp.exceptions import InvalidInput
from geoapp.selectors import working_calendar
from tests.directives.conftest import People, vietnam

pytestmark = pytest.mark.django_db

FIRST_OF_SERIES = datetime.date(2026, 1, 15)


def date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def make_recurring(
    people: People,
    *,
    recurrence_kind: str = "monthly",
    issued_on: datetime.date = datetime.date(2026, 1, 5),
    deadline: datetime.date | None = FIRST_OF_SERIES,
    deadline_working_days: int | None = None,
    recurs_until: datetime.date | None = datetime.date(2026, 4, 30),
) -> Task:
    directive = services.directive_create(
        number="05/TB-UBND",
        issued_on=issued_on,
        kind="conclusion_notice",
        signer=people.chairman,
        signer_name="Chủ tịch UBND tỉnh",
        subject="Báo cáo định kỳ tình hình lễ hội",
        tasks=[
            TaskSpecification(
                lead_agency_code="so-van-hoa",
                coordinating_agency_codes=("ubnd-an-phu",),
                content="Báo cáo tình hình tổ chức lễ hội trên địa bàn",
                field="Văn hóa",
                deadline=deadline,
                deadline_working_days=deadline_working_days,
                recurrence=recurrence_kind,
                recurs_until=recurs_until,
            )
        ],
        actor=people.administrator,
        at=vietnam(issued_on.year, issued_on.month, issued_on.day, 8),
    )
    return directive.tasks.get()


def deadlines_of(first: Task) -> list[tuple[int, str]]:
    tasks = Task.objects.filter(directive=first.directive).order_by("occurrence")
    return [(task.occurrence, task.deadline.isoformat()) for task in tasks]


def test_a_month_later_keeps_the_day_or_takes_the_last_of_a_shorter_month() -> None:
    assert months_later(date("2026-01-31"), 1) == date("2026-02-28")
    assert months_later(date("2026-01-31"), 2) == date("2026-03-31")
    assert months_later(date("2024-11-30"), 3) == date("2025-02-28")
    assert months_later(date("2023-11-30"), 3) == date("2024-02-29")
    assert months_later(date("2026-12-15"), 1) == date("2027-01-15")


def test_a_monthly_deadline_on_a_day_off_moves_to_the_next_working_day() -> None:
    working = working_calendar()

    def deadline(occurrence: int) -> datetime.date:
        return occurrence_deadline(
            working=working, recurrence="monthly", occurrence=occurrence,
            first_deadline=FIRST_OF_SERIES, issued_on=date("2026-01-05"),
            deadline_working_days=None,
        )  # fmt: skip

    # 15 February 2026 is a Sunday inside Tết: Monday 16 to Friday 20 are off, so Monday 23.
    # 15 March is a Sunday: Monday 16. 15 April is a Wednesday, 15 May a Friday.
    assert [deadline(k) for k in range(1, 6)] == [
        date("2026-01-15"), date("2026-02-23"), date("2026-03-16"), date("2026-04-15"),
        date("2026-05-15"),
    ]  # fmt: skip


def test_a_quarterly_deadline_counts_from_the_first_and_skips_holidays_and_weekends() -> None:
    working = working_calendar()

    def deadline(occurrence: int) -> datetime.date:
        return occurrence_deadline(
            working=working, recurrence="quarterly", occurrence=occurrence,
            first_deadline=date("2025-01-31"), issued_on=date("2025-01-02"),
            deadline_working_days=None,
        )  # fmt: skip

    # 30 April 2025 and 1 May are holidays and Friday 2 May was swapped off, then a weekend:
    # Monday 5 May. 31 July is a Thursday; 31 October a Friday; 31 January 2026 is a Saturday:
    # Monday 2 February; 30 April 2026 and Friday 1 May are holidays: Monday 4 May.
    assert [deadline(k) for k in range(1, 7)] == [
        date("2025-01-31"), date("2025-05-05"), date("2025-07-31"), date("2025-10-31"),
        date("2026-02-02"), date("2026-05-04"),
    ]  # fmt: skip


def test_a_deadline_in_working_days_counts_them_from_each_period_across_tet() -> None:
    working = working_calendar()

    def deadline(occurrence: int) -> datetime.date:
        return occurrence_deadline(
            working=working, recurrence="monthly", occurrence=occurrence,
            first_deadline=date("2026-01-19"), issued_on=date("2026-01-12"),
            deadline_working_days=5,
        )  # fmt: skip

    # 5 working days from Monday 12 January: Monday 19. From Thursday 12 February: Friday 13,
    # then Tết, then 23 to 26 February. From Thursday 12 March: Thursday 19.
    assert [deadline(k) for k in range(1, 4)] == [
        date("2026-01-19"), date("2026-02-26"), date("2026-03-19"),
    ]  # fmt: skip


def test_the_next_occurrence_is_created_the_day_after_the_previous_deadline_in_vietnam(
    people: People,
) -> None:
    first = make_recurring(people)
    # 23:30 on 15 January in Vietnam is still the deadline day: nothing yet.
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 1, 15, 23, 30)).count == 0
    # 00:30 on 16 January in Vietnam (17:30 UTC on the 15th): the February report.
    created = recurrence.directives_create_occurrences(now=vietnam(2026, 1, 16, 0, 30))
    assert created.count == 1
    second = Task.objects.get(pk=created.by_series[first.pk][0])
    assert (second.series_id, second.occurrence) == (first.pk, 2)
    assert (second.deadline, second.original_deadline) == (date("2026-02-23"),) * 2
    assert (second.status, second.lead_agency_id, second.directive_id) == (
        TaskStatus.ASSIGNED, people.culture.pk, first.directive_id,
    )  # fmt: skip
    assert (second.content, second.field, second.recurrence, second.recurs_until) == (
        first.content, "Văn hóa", "monthly", date("2026-04-30"),
    )  # fmt: skip
    assert list(second.coordinating_agencies.values_list("code", flat=True)) == ["ubnd-an-phu"]
    [event] = TaskEvent.objects.filter(task=second)
    assert (event.action, event.actor_id, event.to_status, event.note) == (
        TaskAction.ASSIGNED, None, "assigned", "Kỳ báo cáo thứ 2 của nhiệm vụ định kỳ.",
    )  # fmt: skip


def test_running_again_creates_nothing_and_a_missed_month_is_caught_up_until_the_end(
    people: People,
) -> None:
    first = make_recurring(people)
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 1, 16)).count == 1
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 1, 16, 10)).count == 0
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 2, 23, 17)).count == 0
    # The beat stopped until 1 May: March and April are created, not May (after 30 April).
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 5, 1)).count == 2
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 6, 1)).count == 0
    assert deadlines_of(first) == [
        (1, "2026-01-15"),
        (2, "2026-02-23"),
        (3, "2026-03-16"),
        (4, "2026-04-15"),
    ]


def test_an_extended_occurrence_does_not_move_the_calendar_of_the_series(people: People) -> None:
    first = make_recurring(people)
    recurrence.directives_create_occurrences(now=vietnam(2026, 1, 16))
    second = Task.objects.get(series=first, occurrence=2)
    services.task_request_extension(
        actor=people.culture_officer, task=second, requested_deadline=date("2026-03-06"),
        reason="Chờ số liệu của các xã", at=vietnam(2026, 2, 10),
    )  # fmt: skip
    services.task_decide_extension(
        actor=people.chairman, task=second, grant=True, at=vietnam(2026, 2, 11)
    )
    # The March report is due the day after the February report's rule deadline (23 February).
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 2, 24)).count == 1
    assert deadlines_of(first) == [(1, "2026-01-15"), (2, "2026-03-06"), (3, "2026-03-16")]


def test_a_cancelled_first_task_ends_the_series_and_a_plain_task_never_recurs(
    people: People,
) -> None:
    first = make_recurring(people)
    plain = make_recurring(people, recurrence_kind="", recurs_until=None)
    services.task_cancel(
        actor=people.chairman, task=first, reason="Không còn cần báo cáo", at=vietnam(2026, 1, 10)
    )
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 5, 1)).count == 0
    assert Task.objects.filter(series__isnull=False).count() == 0
    assert deadlines_of(plain) == [(1, "2026-01-15")]


def test_a_series_without_an_end_keeps_one_report_ahead(people: People) -> None:
    first = make_recurring(
        people, deadline=None, deadline_working_days=5, issued_on=date("2026-01-12"),
        recurs_until=None,
    )  # fmt: skip
    assert (first.deadline, first.deadline_working_days) == (date("2026-01-19"), 5)
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 2, 27)).count == 2
    assert deadlines_of(first) == [(1, "2026-01-19"), (2, "2026-02-26"), (3, "2026-03-19")]


def test_an_end_before_the_first_deadline_or_without_recurrence_is_refused(
    people: People,
) -> None:
    with pytest.raises(InvalidInput) as before:
        make_recurring(people, recurs_until=date("2026-01-14"))
    assert before.value.code == "recurs_until_before_deadline"
    assert str(before.value.message) == (
        "Ngày kết thúc định kỳ 14/01/2026 trước hạn hoàn thành kỳ đầu 15/01/2026."
    )
    with pytest.raises(InvalidInput) as plain:
        make_recurring(people, recurrence_kind="")
    assert plain.value.code == "recurs_until_without_recurrence"
    with translation.override("en"), pytest.raises(InvalidInput) as english:
        make_recurring(people, recurs_until=date("2026-01-14"))
    assert str(english.value.message) == (
        "The recurrence ends on 14/01/2026, before the first deadline 15/01/2026."
    )
    assert (Directive.objects.count(), Task.objects.count()) == (0, 0)


def test_the_database_refuses_a_second_occurrence_with_the_same_number(people: People) -> None:
    first = make_recurring(people)
    recurrence.directives_create_occurrences(now=vietnam(2026, 1, 16))
    second = Task.objects.get(series=first)
    duplicate = Task(
        directive=first.directive, series=first, occurrence=2, lead_agency=people.culture,
        content=first.content, deadline=second.deadline, original_deadline=second.deadline,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert Task.objects.filter(series=first).count() == 1


def test_the_celery_task_runs_every_hour_and_creates_what_is_due_now(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["directives_create_occurrences"]
    assert (schedule["task"], schedule["schedule"]) == ("directives.create_occurrences", 3600.0)
    first = make_recurring(people)
    monkeypatch.setattr("django.utils.timezone.now", lambda: vietnam(2026, 3, 1))
    # On 1 March the February report (due 23 February) is due, so the March one is created too.
    assert directives_create_occurrences.apply().get() == 2
    assert deadlines_of(first) == [(1, "2026-01-15"), (2, "2026-02-23"), (3, "2026-03-16")]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_each_occurrence_once(people: People) -> None:
    first = make_recurring(people)
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            counts.append(recurrence.directives_create_occurrences(now=vietnam(2026, 5, 1)).count)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(counts) == [0, 3]
    assert deadlines_of(first) == [
        (1, "2026-01-15"),
        (2, "2026-02-23"),
        (3, "2026-03-16"),
        (4, "2026-04-15"),
    ]


def test_only_the_series_whose_latest_report_is_past_its_rule_deadline_are_read(
    people: People,
) -> None:
    first = make_recurring(people)  # due Thursday 15 January 2026, monthly until 30 April
    assert recurrence.recurring_series_ids(today=date("2026-01-15")) == []
    assert recurrence.recurring_series_ids(today=date("2026-01-16")) == [first.pk]
    created = recurrence.directives_create_occurrences(now=vietnam(2026, 1, 16))
    second = Task.objects.get(pk=created.by_series[first.pk][0])
    # 15 February 2026 is a Sunday in Tết Bính Ngọ: the report is due on Monday 23 February.
    assert (second.occurrence, second.deadline) == (2, date("2026-02-23"))
    assert recurrence.recurring_series_ids(today=date("2026-02-23")) == []
    # An extension moves the report's deadline, not the series' calendar.
    Task.objects.filter(pk=second.pk).update(deadline=date("2026-03-09"))
    assert recurrence.recurring_series_ids(today=date("2026-02-24")) == [first.pk]
    assert recurrence.directives_create_occurrences(now=vietnam(2026, 2, 23, 23)).count == 0
    # A cancelled first task ends the series: it is not read again.
    Task.objects.filter(pk=first.pk).update(status=TaskStatus.CANCELLED)
    assert recurrence.recurring_series_ids(today=date("2026-02-24")) == []
