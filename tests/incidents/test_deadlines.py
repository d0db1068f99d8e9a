"""Deadlines from the category's norm, the priority and the working-day calendar.

Expected moments are worked out by hand: working hours are 07:00–11:30 and 13:30–17:00, Monday
to Friday, in Vietnam; Tết 2026 closes offices from Monday 16 to Friday 20 February 2026.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import User
from django.utils import timezone

from geoapp.selectors import working_calendar, working_calendar_cache_clear
from geoapp.services import calendar_day_set
from incidents import services
from tests.conftest import Territory

from .conftest import AN_PHU_POINT, FileReport, vietnam

FRIDAY_AFTERNOON = vietnam(2025, 10, 10, 16)


def test_a_report_on_friday_at_16_with_8_hours_to_acknowledge_is_due_monday_at_16(
    file_report: FileReport,
) -> None:
    incident = file_report(reported_at=FRIDAY_AFTERNOON).incident

    assert incident.acknowledge_by == vietnam(2025, 10, 13, 16)
    assert incident.deadlines_from == FRIDAY_AFTERNOON


def test_a_normal_report_on_friday_at_16_is_due_for_resolution_three_working_days_later(
    file_report: FileReport,
) -> None:
    incident = file_report(reported_at=FRIDAY_AFTERNOON).incident

    assert incident.resolve_by == vietnam(2025, 10, 15, 16)


def test_an_urgent_report_counts_its_deadlines_in_working_hours(file_report: FileReport) -> None:
    incident = file_report(reported_at=FRIDAY_AFTERNOON, priority="urgent").incident

    # 1 hour on Friday, then 3 on Monday from 07:00; the resolve norm is 8 working hours.
    assert incident.acknowledge_by == vietnam(2025, 10, 13, 10)
    assert incident.resolve_by == vietnam(2025, 10, 13, 16)


def test_a_complex_report_gets_the_categorys_longer_norm(file_report: FileReport) -> None:
    incident = file_report(reported_at=FRIDAY_AFTERNOON, priority="complex").incident

    assert incident.acknowledge_by == vietnam(2025, 10, 13, 16)
    assert incident.resolve_by == vietnam(2025, 10, 24, 16)  # 10 working days


def test_the_deadlines_skip_the_tet_holiday(file_report: FileReport) -> None:
    # Friday 13 February 2026 at 16:00: one hour that day, then nothing until Monday 23 February.
    incident = file_report(reported_at=vietnam(2026, 2, 13, 16)).incident

    assert incident.acknowledge_by == vietnam(2026, 2, 23, 16)
    assert incident.resolve_by == vietnam(2026, 2, 25, 16)


def test_a_report_received_on_a_sunday_night_counts_from_monday_morning(
    file_report: FileReport,
) -> None:
    incident = file_report(reported_at=vietnam(2025, 10, 12, 22)).incident

    assert incident.acknowledge_by == vietnam(2025, 10, 13, 17)
    assert incident.resolve_by == vietnam(2025, 10, 15, 17)


def test_a_configured_extra_day_off_pushes_the_deadlines(file_report: FileReport) -> None:
    calendar_day_set(day=date(2025, 10, 13), kind="day_off", note="Nghỉ bù theo thông báo")
    working_calendar_cache_clear()  # the service clears it on commit; tests never commit

    incident = file_report(reported_at=FRIDAY_AFTERNOON).incident

    assert incident.acknowledge_by == vietnam(2025, 10, 14, 16)
    assert incident.resolve_by == vietnam(2025, 10, 16, 16)


def test_the_categorys_own_norms_are_used(file_report: FileReport) -> None:
    # An ninh trật tự: acknowledge within 4 working hours, resolve within 2 working days.
    incident = file_report(
        reported_at=FRIDAY_AFTERNOON, category_code="an-ninh-trat-tu", attributes={}
    ).incident

    assert incident.acknowledge_by == vietnam(2025, 10, 13, 10)
    assert incident.resolve_by == vietnam(2025, 10, 14, 16)


def _between(moment: datetime, before: datetime, after: datetime) -> bool:
    return before <= moment <= after


def test_after_a_transfer_both_deadlines_restart_from_the_transfer_for_the_new_unit(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    incident = file_report(reported_at=FRIDAY_AFTERNOON).incident
    services.incident_acknowledge(actor=officer_a, incident=incident)
    before = timezone.now()

    incident = services.incident_transfer(
        actor=officer_a,
        incident=incident,
        reason="Thuộc địa bàn An Phú",
        to_agency=territory.committee_an_phu,
    )

    after = timezone.now()
    calendar = working_calendar()
    assert _between(incident.deadlines_from, before, after)
    assert incident.acknowledge_by == calendar.add_working_hours(incident.deadlines_from, 8)
    assert incident.resolve_by == calendar.add_working_days(incident.deadlines_from, 3)
    event = incident.events.latest("id")
    assert event.data["deadline_rule"] == "restarted_at_transfer"
    assert event.data["previous_resolve_by"] == vietnam(2025, 10, 15, 16).isoformat()
    assert event.data["resolve_by"] == incident.resolve_by.isoformat()


def test_after_reopening_the_resolve_deadline_restarts_and_the_acknowledge_deadline_stays(
    file_report: FileReport, officer_a: User
) -> None:
    filed = file_report(reported_at=FRIDAY_AFTERNOON)
    services.incident_acknowledge(actor=officer_a, incident=filed.incident)
    services.incident_resolve(actor=officer_a, incident=filed.incident, answer="Đã xử lý.")
    before = timezone.now()

    incident = services.incident_reopen(
        incident=filed.incident, reporter_token=filed.token, reason="Chưa sửa."
    )

    assert _between(incident.deadlines_from, before, timezone.now())
    assert incident.acknowledge_by == vietnam(2025, 10, 13, 16)
    assert incident.resolve_by == working_calendar().add_working_days(incident.deadlines_from, 3)


def test_changing_the_priority_recomputes_the_deadlines_from_the_same_start(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report(reported_at=FRIDAY_AFTERNOON).incident

    incident = services.incident_set_priority(
        actor=officer_a, incident=incident, priority="urgent", note="Nguy hiểm cho xe máy"
    )

    assert incident.acknowledge_by == vietnam(2025, 10, 13, 10)
    assert incident.resolve_by == vietnam(2025, 10, 13, 16)
    event = incident.events.latest("id")
    assert (event.action, event.is_public) == ("priority_changed", False)
    assert event.data["previous_resolve_by"] == vietnam(2025, 10, 15, 16).isoformat()


def test_a_met_acknowledge_deadline_is_not_moved_by_a_priority_change(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report(reported_at=FRIDAY_AFTERNOON).incident
    services.incident_acknowledge(actor=officer_a, incident=incident)

    incident = services.incident_set_priority(
        actor=officer_a, incident=incident, priority="complex"
    )

    assert incident.acknowledge_by == vietnam(2025, 10, 13, 16)
    assert incident.resolve_by == vietnam(2025, 10, 24, 16)


def test_a_correction_that_keeps_the_unit_keeps_the_deadlines(
    file_report: FileReport, officer_a: User
) -> None:
    from django.contrib.gis.geos import Point

    incident = file_report(reported_at=FRIDAY_AFTERNOON).incident

    incident = services.incident_transfer(
        actor=officer_a,
        incident=incident,
        reason="Ghim lệch 100 m",
        point=Point(108.801, 15.051, srid=4326),
    )

    assert incident.deadlines_from == FRIDAY_AFTERNOON
    assert incident.resolve_by == vietnam(2025, 10, 15, 16)
    assert incident.location.coords == (108.801, 15.051)
    assert incident.events.latest("id").action == "corrected"


def test_a_report_moved_by_a_corrected_location_is_transferred_to_the_new_communes_unit(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    incident = file_report(reported_at=FRIDAY_AFTERNOON).incident

    incident = services.incident_transfer(
        actor=officer_a, incident=incident, reason="Ghim sai phường", point=AN_PHU_POINT
    )

    assert (incident.area, incident.agency) == (territory.an_phu, territory.committee_an_phu)
    assert incident.status == "new"
    assert incident.transferred_count == 1
    event = incident.events.latest("id")
    assert event.data["previous_area_id"] == territory.cam_thanh.pk
    assert event.data["area_id"] == territory.an_phu.pk
    assert event.data["location"] == [108.80, 15.15]
