"""Overdue reports: escalated to the parent unit and the leaders once per report, stage and deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django import Settings

from incidents import services as incident_services
from incidents.escalation import incidents_escalate_overdue
from incidents.models import (
    EscalationStage,
    Incident,
    IncidentEscalation,
    IncidentEvent,
    RejectionReason,
)
from incidents.tasks import incidents_escalate_overdue as escalate_task
from notifications.models import Notification

from .conftest import REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, FileReport, Units, vietnam

MINUTE = timedelta(minutes=1)


@pytest.fixture
def late(file_report: FileReport, leaders: list[User]) -> Incident:
    """Filed on Tuesday 1 July 2025 at 08:00; its deadlines are computed by the service."""
    return file_report(reported_at=vietnam(2025, 7, 1, 8))


def escalations() -> list[tuple[int, str, datetime]]:
    return list(
        IncidentEscalation.objects.order_by("id").values_list("incident_id", "stage", "deadline")
    )


def test_a_report_not_acknowledged_in_time_is_escalated_up_the_hierarchy(
    late: Incident, units: Units, leaders: list[User]
) -> None:
    chairman, deputy = leaders

    run = incidents_escalate_overdue(now=late.acknowledge_by + MINUTE)

    escalation = IncidentEscalation.objects.get()
    assert run.escalated == [escalation]
    assert escalations() == [(late.pk, "acknowledge", late.acknowledge_by)]
    assert (escalation.agency, escalation.notified_addresses) == (units.cam_thanh, 4)
    assert escalation.escalated_at == late.acknowledge_by + MINUTE
    assert list(
        Notification.objects.order_by("id").values_list(
            "dedupe_key", "recipient_role", "address", "kind"
        )
    ) == [
        (f"escalation:{escalation.pk}:parent_unit:agency:{units.province.pk}:email",
         "parent_unit", "ubnd-tinh@quangngai.gov.vn", "incident_overdue"),
        (f"escalation:{escalation.pk}:leader:user:{chairman.pk}:email",
         "leader", "chutich@quangngai.gov.vn", "incident_overdue"),
        (f"escalation:{escalation.pk}:leader:user:{deputy.pk}:email",
         "leader", "phochutich@quangngai.gov.vn", "incident_overdue"),
        (f"escalation:{escalation.pk}:unit:agency:{units.cam_thanh.pk}:email",
         "unit", "ubnd-camthanh@quangngai.gov.vn", "incident_overdue"),
    ]  # fmt: skip


def test_the_escalation_message_names_the_stage_the_deadline_and_who_was_told(
    late: Incident,
) -> None:
    incidents_escalate_overdue(now=late.acknowledge_by + MINUTE)

    notification = Notification.objects.filter(recipient_role="leader").first()
    assert notification is not None
    code = late.tracking_code
    assert notification.subject == (
        f"Quá hạn tiếp nhận: phản ánh {code} / Acknowledgement overdue: report {code}"
    )
    assert notification.body.startswith(
        f"Quá hạn tiếp nhận: phản ánh {code} do Ủy ban nhân dân Phường Cẩm Thành xử lý đã quá "
        "hạn 08:00 02/07/2025."
    )
    assert (
        "Thư này gửi Ủy ban nhân dân tỉnh Quảng Ngãi, lãnh đạo, "
        "Ủy ban nhân dân Phường Cẩm Thành." in notification.body
    )
    assert "Sent to Quảng Ngãi Provincial People's Committee, the leaders," in notification.body
    for personal in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL):
        assert personal not in notification.body


def test_the_escalation_is_written_in_the_reports_internal_history(late: Incident) -> None:
    incidents_escalate_overdue(now=late.acknowledge_by + MINUTE)

    escalation = IncidentEscalation.objects.get()
    assert escalation.event_id is not None
    event = IncidentEvent.objects.get(pk=escalation.event_id)
    assert (event.incident_id, event.action, event.actor, event.actor_label, event.is_public) == (
        late.pk,
        "escalated",
        None,
        "Hệ thống",
        False,
    )
    assert (event.from_status, event.to_status) == ("new", "new")
    assert event.note.startswith("Quá hạn tiếp nhận (hạn ")
    assert event.data["escalation"] == "acknowledge"
    assert event.data["deadline"] == "2025-07-02T08:00:00+07:00"
    assert late.acknowledge_by == vietnam(2025, 7, 2, 8)


def test_running_the_job_again_escalates_nothing_more(late: Incident) -> None:
    now = late.acknowledge_by + MINUTE
    incidents_escalate_overdue(now=now)
    counts = (
        IncidentEscalation.objects.count(),
        Notification.objects.count(),
        IncidentEvent.objects.count(),
    )

    second = incidents_escalate_overdue(now=now + timedelta(minutes=5))
    third = incidents_escalate_overdue(now=now + timedelta(minutes=10))

    assert second.escalated == [] and third.escalated == []
    assert (IncidentEscalation.objects.count(), Notification.objects.count(), IncidentEvent.objects.count()) == counts  # fmt: skip
    assert counts == (1, 4, 2)


def test_nothing_is_escalated_before_the_deadline(late: Incident) -> None:
    run = incidents_escalate_overdue(now=late.acknowledge_by)

    assert run.escalated == []
    assert (IncidentEscalation.objects.count(), Notification.objects.count()) == (0, 0)


def test_a_report_acknowledged_in_time_is_escalated_only_when_it_is_not_resolved_in_time(
    late: Incident, officer_a: User
) -> None:
    incident_services.incident_acknowledge(actor=officer_a, incident=late)

    before_resolve_by = incidents_escalate_overdue(now=late.resolve_by - MINUTE)
    after_resolve_by = incidents_escalate_overdue(now=late.resolve_by + MINUTE)

    assert before_resolve_by.escalated == []
    assert escalations() == [(late.pk, "resolve", late.resolve_by)]
    assert after_resolve_by.count(EscalationStage.RESOLVE) == 1


def test_a_report_never_acknowledged_is_escalated_for_both_stages(late: Incident) -> None:
    run = incidents_escalate_overdue(now=late.resolve_by + MINUTE)

    assert escalations() == [
        (late.pk, "acknowledge", late.acknowledge_by),
        (late.pk, "resolve", late.resolve_by),
    ]
    assert (run.count(EscalationStage.ACKNOWLEDGE), run.count(EscalationStage.RESOLVE)) == (1, 1)


def test_resolved_closed_and_rejected_reports_are_not_escalated(
    file_report: FileReport, officer_a: User, leaders: list[User]
) -> None:
    moment = vietnam(2025, 7, 1, 8)
    resolved = file_report(reported_at=moment)
    closed = file_report(reported_at=moment)
    rejected = file_report(reported_at=moment)
    for incident in (resolved, closed):
        incident_services.incident_acknowledge(actor=officer_a, incident=incident)
        incident_services.incident_resolve(actor=officer_a, incident=incident, answer="Đã xử lý.")
    incident_services.incident_close(actor=officer_a, incident=closed)
    incident_services.incident_reject(
        actor=officer_a, incident=rejected, reason=RejectionReason.OUTSIDE_SCOPE
    )

    notices_of_the_workflow = Notification.objects.count()

    run = incidents_escalate_overdue(now=resolved.resolve_by + timedelta(days=2))

    assert run.escalated == []
    assert IncidentEscalation.objects.count() == 0
    assert Notification.objects.count() == notices_of_the_workflow


def test_a_transferred_report_is_escalated_again_when_it_misses_its_new_deadline(
    late: Incident, units: Units, officer_a: User
) -> None:
    incidents_escalate_overdue(now=late.acknowledge_by + MINUTE)
    incident_services.incident_transfer(
        actor=officer_a, incident=late, reason="Thuộc xã An Phú.", to_agency=units.an_phu
    )
    late.refresh_from_db()

    incidents_escalate_overdue(now=late.acknowledge_by + MINUTE)

    assert [(stage, agency) for stage, agency in
            IncidentEscalation.objects.order_by("id").values_list("stage", "agency")] == [
        ("acknowledge", units.cam_thanh.pk),
        ("acknowledge", units.an_phu.pk),
    ]  # fmt: skip
    assert escalations()[1] == (late.pk, "acknowledge", late.acknowledge_by)


def test_a_unit_without_a_parent_still_reaches_the_leaders(
    late: Incident, units: Units, leaders: list[User]
) -> None:
    units.cam_thanh.parent = None
    units.cam_thanh.save(update_fields=["parent"])

    incidents_escalate_overdue(now=late.acknowledge_by + MINUTE)

    assert sorted(Notification.objects.values_list("address", flat=True)) == [
        "chutich@quangngai.gov.vn",
        "phochutich@quangngai.gov.vn",
        "ubnd-camthanh@quangngai.gov.vn",
    ]
    assert IncidentEscalation.objects.get().notified_addresses == 3


def test_deadlines_missed_more_than_the_look_back_window_ago_are_not_escalated(
    late: Incident, settings: Settings
) -> None:
    settings.INCIDENT_ESCALATION_LOOKBACK_DAYS = 30

    run = incidents_escalate_overdue(now=late.resolve_by + timedelta(days=30, minutes=1))

    assert run.escalated == []
    assert IncidentEscalation.objects.count() == 0


def test_the_beat_task_escalates_against_the_current_time(
    file_report: FileReport, leaders: list[User]
) -> None:
    # Twenty days ago: past both deadlines whatever holidays came between, within the look-back.
    incident = file_report(reported_at=timezone.now() - timedelta(days=20))

    result = escalate_task.apply()

    assert result.result == 2
    assert escalations() == [
        (incident.pk, "acknowledge", incident.acknowledge_by),
        (incident.pk, "resolve", incident.resolve_by),
    ]


def test_both_jobs_are_scheduled_every_five_minutes(settings: Settings) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["incidents_escalate_overdue"] == {
        "task": "incidents.escalate_overdue",
        "schedule": 300.0,
    }
    assert schedule["notifications_sweep"] == {"task": "notifications.sweep", "schedule": 300.0}
