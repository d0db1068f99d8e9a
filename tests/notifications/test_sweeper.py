"""The sweeper: messages a broker outage left pending are enqueued again, and only those."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from incidents.models import Incident
from incidents.notice_texts import IncidentNoticeKind
from notifications import services
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationStatus,
    RecipientRole,
)
from notifications.tasks import notifications_sweep

from .conftest import FileReport, broker_unreachable, queued_tasks

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)


def outbox_row(
    name: str,
    *,
    created_minutes_ago: int,
    status: NotificationStatus = NotificationStatus.PENDING,
    attempted_minutes_ago: int | None = None,
) -> Notification:
    """A row as the outbox holds it, dated in the past (written directly: these tests are about
    what the sweeper does with rows of every age and state, not about how they came to be)."""
    return Notification.objects.create(
        dedupe_key=f"test:{name}",
        kind=IncidentNoticeKind.INCIDENT_UPDATED,
        channel=NotificationChannel.EMAIL,
        recipient_role=RecipientRole.REPORTER,
        address="binh@example.vn",
        subject="Phản ánh",
        body="Nội dung",
        status=status,
        created_at=NOW - timedelta(minutes=created_minutes_ago),
        last_attempt_at=(
            NOW - timedelta(minutes=attempted_minutes_ago)
            if attempted_minutes_ago is not None
            else None
        ),
    )


def test_the_sweeper_enqueues_again_only_the_messages_pending_too_long(
    private_queue: str, settings: Settings
) -> None:
    assert settings.NOTIFICATION_SWEEP_AFTER_MINUTES == 10
    dropped = outbox_row("dropped-by-the-outage", created_minutes_ago=11)
    older = outbox_row("dropped-earlier", created_minutes_ago=60)
    outbox_row("just-written", created_minutes_ago=9)
    outbox_row("waiting-for-its-retry", created_minutes_ago=30, attempted_minutes_ago=4)
    outbox_row("sent", created_minutes_ago=60, status=NotificationStatus.SENT)
    outbox_row("failed", created_minutes_ago=60, status=NotificationStatus.FAILED)

    enqueued = services.notifications_sweep(now=NOW)

    assert enqueued == [older.pk, dropped.pk]
    assert queued_tasks(private_queue) == [
        ("notifications.send", f"({older.pk},)"),
        ("notifications.send", f"({dropped.pk},)"),
    ]


def test_a_row_whose_last_attempt_is_old_is_enqueued_again(private_queue: str) -> None:
    stalled = outbox_row("retry-lost", created_minutes_ago=60, attempted_minutes_ago=11)

    assert services.notifications_sweep(now=NOW) == [stalled.pk]


def test_the_sweeper_stops_at_once_while_the_broker_is_still_down(private_queue: str) -> None:
    first = outbox_row("first", created_minutes_ago=30)
    second = outbox_row("second", created_minutes_ago=20)

    with broker_unreachable():
        enqueued = services.notifications_sweep(now=NOW)

    assert enqueued == []
    assert queued_tasks(private_queue) == []
    assert list(Notification.objects.order_by("id").values_list("pk", "status")) == [
        (first.pk, "pending"),
        (second.pk, "pending"),
    ]
    # Once the broker is back, the next sweep enqueues them.
    assert services.notifications_sweep(now=NOW) == [first.pk, second.pk]


def test_the_beat_task_sweeps_with_the_current_time(private_queue: str) -> None:
    stuck = Notification.objects.create(
        dedupe_key="test:stuck",
        kind=IncidentNoticeKind.INCIDENT_UPDATED,
        channel=NotificationChannel.EMAIL,
        recipient_role=RecipientRole.REPORTER,
        address="binh@example.vn",
        subject="Phản ánh",
        body="Nội dung",
        created_at=timezone.now() - timedelta(minutes=15),
    )

    result = notifications_sweep.apply()

    assert result.result == 1
    assert queued_tasks(private_queue) == [("notifications.send", f"({stuck.pk},)")]


def test_a_report_filed_while_the_broker_is_down_is_saved_and_its_messages_swept_later(
    file_report: FileReport,
    private_queue: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        incident = file_report(keep_notices=True)

    rows = list(Notification.objects.order_by("id"))
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert [(row.recipient_role, row.status) for row in rows] == [
        ("unit", "pending"),
        ("reporter", "pending"),
    ]
    assert queued_tasks(private_queue) == []

    enqueued = services.notifications_sweep(now=timezone.now() + timedelta(minutes=11))

    assert enqueued == [row.pk for row in rows]
    assert queued_tasks(private_queue) == [("notifications.send", f"({row.pk},)") for row in rows]


def test_a_send_cut_off_by_a_dead_worker_is_marked_failed_not_sent_again(
    private_queue: str,
) -> None:
    """Issue 8, finding 14 (the outbox half): the provider may have accepted a message whose
    worker died before recording it; sending it again could deliver it twice."""
    cut_off = outbox_row(
        "worker-died", created_minutes_ago=30, status=NotificationStatus.SENDING,
        attempted_minutes_ago=11,
    )  # fmt: skip
    under_way = outbox_row(
        "still-sending", created_minutes_ago=30, status=NotificationStatus.SENDING,
        attempted_minutes_ago=1,
    )  # fmt: skip

    assert services.notifications_sweep(now=NOW) == []

    assert queued_tasks(private_queue) == []
    cut_off.refresh_from_db()
    under_way.refresh_from_db()
    assert (cut_off.status, cut_off.last_error) == ("failed", services.INTERRUPTED_SEND_ERROR)
    assert (under_way.status, under_way.last_error) == ("sending", "")
