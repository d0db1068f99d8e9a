"""Services act at the moment they are given (`at`, default now): every stamp of the step, its
event and the report's last change carry that moment, so history is written without touching the
process's clock; and history recorded silently plans no message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents import notifications, services
from incidents.models import IncidentSupporter
from notifications.models import Notification

from .conftest import Filed, jpeg_bytes, upload

FILED_AT = datetime(2025, 9, 8, 8, 15, tzinfo=VIETNAM_TIME_ZONE)  # a Monday, after the reform
ACKNOWLEDGED_AT = datetime(2025, 9, 8, 9, 30, tzinfo=VIETNAM_TIME_ZONE)
RESOLVED_AT = datetime(2025, 9, 10, 16, 0, tzinfo=VIETNAM_TIME_ZONE)


def test_a_report_filed_at_a_past_moment_carries_it_everywhere(
    file_report: Callable[..., Filed],
) -> None:
    filed = file_report(at=FILED_AT, photos=[upload("a.jpg", jpeg_bytes())])
    incident = filed.incident
    incident.refresh_from_db()

    assert (incident.reported_at, incident.created_at, incident.updated_at) == (
        FILED_AT,
        FILED_AT,
        FILED_AT,
    )
    assert incident.deadlines_from == FILED_AT
    assert list(incident.events.values_list("action", "created_at")) == [("created", FILED_AT)]
    assert list(incident.photos.values_list("created_at", flat=True)) == [FILED_AT]


def test_each_step_stamps_its_own_moment(
    file_report: Callable[..., Filed], officer_a: User
) -> None:
    filed = file_report(at=FILED_AT)

    services.incident_acknowledge(actor=officer_a, incident=filed.incident, at=ACKNOWLEDGED_AT)
    services.incident_support(
        incident=filed.incident, supporter_identity="address:203.0.113.9", at=ACKNOWLEDGED_AT
    )
    incident = services.incident_resolve(
        actor=officer_a,
        incident=filed.incident,
        answer="Đã vá ổ gà",
        at=RESOLVED_AT,
    )
    incident.refresh_from_db()

    assert (incident.acknowledged_at, incident.resolved_at, incident.answered_at) == (
        ACKNOWLEDGED_AT,
        RESOLVED_AT,
        RESOLVED_AT,
    )
    assert incident.updated_at == RESOLVED_AT
    assert list(incident.events.order_by("id").values_list("action", "created_at")) == [
        ("created", FILED_AT),
        ("acknowledged", ACKNOWLEDGED_AT),
        ("resolved", RESOLVED_AT),
    ]
    assert list(IncidentSupporter.objects.values_list("created_at", flat=True)) == [ACKNOWLEDGED_AT]


def test_without_a_moment_a_step_acts_now(
    file_report: Callable[..., Filed], officer_a: User
) -> None:
    before = timezone.now()
    filed = file_report()
    incident = services.incident_acknowledge(actor=officer_a, incident=filed.incident)
    after = timezone.now()

    event = incident.events.latest("id")
    assert incident.acknowledged_at is not None
    assert before <= incident.acknowledged_at == event.created_at == incident.updated_at <= after


def test_history_recorded_silently_plans_no_message_and_the_next_step_is_announced_again(
    file_report: Callable[..., Filed], officer_a: User
) -> None:
    with notifications.history_recorded_silently():
        filed = file_report(at=FILED_AT)
        services.incident_acknowledge(actor=officer_a, incident=filed.incident, at=ACKNOWLEDGED_AT)

    assert Notification.objects.count() == 0

    services.incident_answer(actor=officer_a, incident=filed.incident, answer="Đang xử lý")

    answered = filed.incident.events.latest("id")
    assert list(Notification.objects.values_list("dedupe_key", flat=True)) == [
        f"incident:{filed.incident.pk}:event:{answered.pk}:reporter:email"
    ]


def test_the_silence_ends_with_its_block_even_when_the_block_fails(
    file_report: Callable[..., Filed],
) -> None:
    with pytest.raises(RuntimeError), notifications.history_recorded_silently():
        raise RuntimeError("an import failed half way")

    filed = file_report(at=timezone.now() - timedelta(minutes=1))

    assert list(Notification.objects.values_list("dedupe_key", flat=True)) == [
        f"incident:{filed.incident.pk}:created:reporter:email"
    ]
