"""Configured days off and make-up working days: the model, the services, the cached selector, the admin."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse

from geoapp import selectors
from geoapp.exceptions import InvalidInput
from geoapp.models import CalendarDay, CalendarDayKind
from geoapp.selectors import (
    WORKING_CALENDAR_CACHE_KEY,
    WORKING_CALENDAR_PROCESS_SECONDS,
    working_calendar,
    working_calendar_cache_clear,
)
from geoapp.services import calendar_day_remove, calendar_day_set

NEW_YEAR_SWAPPED_FRIDAY = date(2026, 1, 2)
NEW_YEAR_MAKE_UP_SATURDAY = date(2026, 1, 10)
ORDINARY_MONDAY = date(2025, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar_cache() -> Iterator[None]:
    working_calendar_cache_clear()
    yield
    working_calendar_cache_clear()


def test_setting_a_day_off_stores_it(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day = calendar_day_set(
            day=NEW_YEAR_SWAPPED_FRIDAY,
            kind=CalendarDayKind.DAY_OFF,
            note="  Văn bản 12729/VPCP-KGVX  ",
        )

    stored = CalendarDay.objects.get()
    assert stored.pk == calendar_day.pk
    assert stored.day == NEW_YEAR_SWAPPED_FRIDAY
    assert stored.kind == CalendarDayKind.DAY_OFF
    assert stored.note == "Văn bản 12729/VPCP-KGVX"
    assert str(stored) == "2026-01-02 (Ngày nghỉ)"


def test_setting_a_day_again_replaces_its_declaration(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=NEW_YEAR_MAKE_UP_SATURDAY, kind=CalendarDayKind.DAY_OFF)
        calendar_day_set(day=NEW_YEAR_MAKE_UP_SATURDAY, kind="working_day", note="làm bù")

    assert list(CalendarDay.objects.values_list("day", "kind", "note")) == [
        (NEW_YEAR_MAKE_UP_SATURDAY, "working_day", "làm bù")
    ]


def test_an_unknown_kind_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(InvalidInput) as refused:
        calendar_day_set(day=ORDINARY_MONDAY, kind="holiday")

    assert refused.value.code == "invalid_calendar_day_kind"
    assert not CalendarDay.objects.exists()


def test_a_note_longer_than_the_column_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(InvalidInput) as refused:
        calendar_day_set(day=ORDINARY_MONDAY, kind=CalendarDayKind.DAY_OFF, note="x" * 256)

    assert refused.value.code == "calendar_day_note_too_long"
    assert not CalendarDay.objects.exists()


def test_the_database_refuses_an_unknown_kind_written_around_the_services() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(day=ORDINARY_MONDAY, kind="holiday")


def test_removing_a_day_returns_it_to_the_national_rules(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=ORDINARY_MONDAY, kind=CalendarDayKind.DAY_OFF)
    assert not working_calendar().is_working_day(ORDINARY_MONDAY)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_remove(day=ORDINARY_MONDAY)

    assert not CalendarDay.objects.exists()
    assert working_calendar().is_working_day(ORDINARY_MONDAY)


def test_removing_a_day_that_was_never_declared_does_nothing() -> None:
    calendar_day_remove(day=ORDINARY_MONDAY)

    assert not CalendarDay.objects.exists()


def test_the_calendar_follows_the_configured_rows() -> None:
    CalendarDay.objects.create(day=NEW_YEAR_SWAPPED_FRIDAY, kind=CalendarDayKind.DAY_OFF)
    CalendarDay.objects.create(day=NEW_YEAR_MAKE_UP_SATURDAY, kind=CalendarDayKind.WORKING_DAY)

    calendar = working_calendar()

    assert not calendar.is_working_day(NEW_YEAR_SWAPPED_FRIDAY)
    assert calendar.is_working_day(NEW_YEAR_MAKE_UP_SATURDAY)
    assert calendar.extra_days_off == {NEW_YEAR_SWAPPED_FRIDAY}
    assert calendar.makeup_working_days == {NEW_YEAR_MAKE_UP_SATURDAY}


def test_the_calendar_is_read_from_the_cache_until_it_is_cleared(
    django_assert_num_queries,
) -> None:
    with django_assert_num_queries(1):
        first = working_calendar()
    # Written around the services on purpose: nothing clears the cache.
    CalendarDay.objects.create(day=ORDINARY_MONDAY, kind=CalendarDayKind.DAY_OFF)

    with django_assert_num_queries(0):
        cached = working_calendar()

    assert cached is first
    assert cached.is_working_day(ORDINARY_MONDAY)
    working_calendar_cache_clear()
    assert not working_calendar().is_working_day(ORDINARY_MONDAY)


def test_another_process_sees_a_change_once_its_own_copy_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert working_calendar().is_working_day(ORDINARY_MONDAY)
    # Another process's service changes the day and, on commit, clears the shared cache; this
    # process's own copy is not told.
    CalendarDay.objects.create(day=ORDINARY_MONDAY, kind=CalendarDayKind.DAY_OFF)
    cache.delete(WORKING_CALENDAR_CACHE_KEY)
    read_at = time.monotonic()

    monkeypatch.setattr(
        selectors, "monotonic", lambda: read_at + WORKING_CALENDAR_PROCESS_SECONDS - 0.5
    )
    assert working_calendar().is_working_day(ORDINARY_MONDAY)
    monkeypatch.setattr(
        selectors, "monotonic", lambda: read_at + WORKING_CALENDAR_PROCESS_SECONDS + 0.5
    )
    assert not working_calendar().is_working_day(ORDINARY_MONDAY)


def test_the_services_clear_the_cache_only_once_the_change_is_committed(
    django_capture_on_commit_callbacks,
) -> None:
    assert working_calendar().is_working_day(ORDINARY_MONDAY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_day_set(day=ORDINARY_MONDAY, kind=CalendarDayKind.DAY_OFF)
        assert cache.get(WORKING_CALENDAR_CACHE_KEY) is not None
        assert working_calendar().is_working_day(ORDINARY_MONDAY)
    for callback in callbacks:
        callback()

    assert cache.get(WORKING_CALENDAR_CACHE_KEY) is None
    assert not working_calendar().is_working_day(ORDINARY_MONDAY)


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: every cache call fails at once.
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
)
def test_the_calendar_still_answers_when_the_cache_server_is_down(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=ORDINARY_MONDAY, kind=CalendarDayKind.DAY_OFF)

    assert not working_calendar().is_working_day(ORDINARY_MONDAY)


def test_the_admin_declares_a_day_through_the_service(
    admin_client: Client, django_capture_on_commit_callbacks
) -> None:
    assert working_calendar().is_working_day(NEW_YEAR_MAKE_UP_SATURDAY) is False

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:geoapp_calendarday_add"),
            {"day": "10/01/2026", "kind": "working_day", "note": "Làm bù Tết Dương lịch"},
        )

    assert response.status_code == 302, response.content.decode()
    stored = CalendarDay.objects.get()
    assert (stored.day, stored.kind) == (NEW_YEAR_MAKE_UP_SATURDAY, "working_day")
    assert working_calendar().is_working_day(NEW_YEAR_MAKE_UP_SATURDAY)


def test_the_admin_removes_a_day_through_the_service(
    admin_client: Client, django_capture_on_commit_callbacks
) -> None:
    calendar_day = CalendarDay.objects.create(day=ORDINARY_MONDAY, kind=CalendarDayKind.DAY_OFF)
    assert not working_calendar().is_working_day(ORDINARY_MONDAY)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:geoapp_calendarday_delete", args=[calendar_day.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert working_calendar().is_working_day(ORDINARY_MONDAY)


def test_the_admin_bulk_delete_clears_the_cache_too(
    admin_client: Client, django_capture_on_commit_callbacks
) -> None:
    first = CalendarDay.objects.create(day=ORDINARY_MONDAY, kind=CalendarDayKind.DAY_OFF)
    second = CalendarDay.objects.create(
        day=NEW_YEAR_MAKE_UP_SATURDAY, kind=CalendarDayKind.WORKING_DAY
    )
    assert working_calendar().is_working_day(NEW_YEAR_MAKE_UP_SATURDAY)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:geoapp_calendarday_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [first.pk, second.pk],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert not working_calendar().is_working_day(NEW_YEAR_MAKE_UP_SATURDAY)


def test_the_admin_lists_the_days(admin_client: Client) -> None:
    CalendarDay.objects.create(day=NEW_YEAR_SWAPPED_FRIDAY, kind=CalendarDayKind.DAY_OFF)

    response = admin_client.get(reverse("admin:geoapp_calendarday_changelist"))

    assert response.status_code == 200
    assert "Ngày nghỉ" in response.content.decode()


def test_the_admin_changes_the_kind_of_a_declared_day(
    admin_client: Client, django_capture_on_commit_callbacks
) -> None:
    calendar_day = CalendarDay.objects.create(
        day=NEW_YEAR_MAKE_UP_SATURDAY, kind=CalendarDayKind.DAY_OFF
    )
    assert not working_calendar().is_working_day(NEW_YEAR_MAKE_UP_SATURDAY)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:geoapp_calendarday_change", args=[calendar_day.pk]),
            {"kind": "working_day", "note": "Làm bù Tết Dương lịch"},
        )

    assert response.status_code == 302, response.content.decode()
    assert list(CalendarDay.objects.values_list("pk", "day", "kind")) == [
        (calendar_day.pk, NEW_YEAR_MAKE_UP_SATURDAY, "working_day")
    ]
    assert working_calendar().is_working_day(NEW_YEAR_MAKE_UP_SATURDAY)
