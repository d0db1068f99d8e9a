"""The outbox: one row per message, sent once, retried with backoff, never lost to a broker outage."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from incidents.notice_texts import IncidentNoticeKind
from notifications import services
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationStatus,
    RecipientRole,
)
from notifications.tasks import send_notification

from .conftest import broker_unreachable, queued_tasks

pytestmark = pytest.mark.django_db


def enqueue(
    dedupe_key: str = "incident:1:event:2:reporter:email", **overrides: Any
) -> Notification:
    arguments: dict[str, Any] = {
        "dedupe_key": dedupe_key,
        "kind": IncidentNoticeKind.INCIDENT_UPDATED,
        "channel": NotificationChannel.EMAIL,
        "recipient_role": RecipientRole.REPORTER,
        "address": "binh@example.vn",
        "subject": "Phản ánh PA-ABC-DEF: Tiếp nhận / Report PA-ABC-DEF: Acknowledge",
        "body": "Nội dung thư\n\nEnglish",
    }
    arguments.update(overrides)
    return services.notification_enqueue(**arguments)


def failing_smtp(settings: Settings) -> None:
    """A real SMTP backend pointed at a port where nothing listens: every send is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2


def test_planning_the_same_message_twice_writes_one_row_and_enqueues_one_task(
    private_queue: str, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = enqueue()
        second = enqueue(body="Một nội dung khác")

    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert Notification.objects.get().body == "Nội dung thư\n\nEnglish"
    assert len(callbacks) == 1
    assert queued_tasks(private_queue) == [("notifications.send", f"({first.pk},)")]


def test_nothing_is_enqueued_before_the_commit(
    private_queue: str, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue()

    assert queued_tasks(private_queue) == []
    assert len(callbacks) == 1


def test_sending_sends_the_email_and_marks_the_row_sent() -> None:
    notification = enqueue(headers={"List-Unsubscribe": "<http://127.0.0.1:8000/theo-doi/huy/x/>"})

    status = services.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert status == NotificationStatus.SENT
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 1, "")
    assert notification.sent_at is not None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["binh@example.vn"]
    assert email.subject == "Phản ánh PA-ABC-DEF: Tiếp nhận / Report PA-ABC-DEF: Acknowledge"
    assert email.body == "Nội dung thư\n\nEnglish"
    assert email.from_email == "geoapp Quảng Ngãi <no-reply@localhost>"
    assert email.extra_headers == {"List-Unsubscribe": "<http://127.0.0.1:8000/theo-doi/huy/x/>"}


def test_a_sent_message_is_never_sent_again() -> None:
    notification = enqueue()

    send_notification.apply(args=(notification.pk,))
    result = send_notification.apply(args=(notification.pk,))

    notification.refresh_from_db()
    assert len(mail.outbox) == 1
    assert result.result is None
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_a_text_message_goes_through_the_console_gateway_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    notification = enqueue(
        dedupe_key="incident:1:event:2:reporter:sms",
        channel=NotificationChannel.SMS,
        address="0905 123 456",
        body="Phản ánh PA-ABC-DEF: Tiếp nhận. http://127.0.0.1:8000/phan-anh/PA-ABC-DEF/",
    )

    services.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert capsys.readouterr().out == (
        # The phone masked (test_logged_addresses.py).
        "[sms → xxxxxxx456] Phản ánh PA-ABC-DEF: Tiếp nhận. "
        "http://127.0.0.1:8000/phan-anh/PA-ABC-DEF/\n"
    )
    assert mail.outbox == []


def test_a_refused_send_is_recorded_and_left_pending_for_a_retry(settings: Settings) -> None:
    failing_smtp(settings)
    notification = enqueue()

    with pytest.raises(services.DeliveryWillBeRetried):
        services.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert notification.last_error.startswith("ConnectionRefusedError:")
    assert notification.last_attempt_at is not None
    assert notification.sent_at is None


def test_the_task_retries_until_the_attempts_run_out_then_marks_the_row_failed(
    settings: Settings,
) -> None:
    failing_smtp(settings)
    notification = enqueue()

    # Eagerly applied, the task's retries run one after the other at once (no countdown).
    result = send_notification.apply(args=(notification.pk,))

    notification.refresh_from_db()
    assert settings.NOTIFICATION_MAX_ATTEMPTS == 8
    assert (notification.status, notification.attempts) == ("failed", 8)
    assert notification.last_error.startswith("ConnectionRefusedError:")
    # The last attempt records the failure for good and ends the task: no retry is left.
    assert (result.state, result.result) == ("SUCCESS", "failed")
    assert mail.outbox == []


def test_the_task_backs_off_exponentially_up_to_five_minutes() -> None:
    # The decorator sets these options on the task; celery-types's Task does not declare them.
    assert send_notification.autoretry_for == (services.DeliveryWillBeRetried,)  # type: ignore[attr-defined]
    assert send_notification.retry_backoff == 30  # type: ignore[attr-defined]
    assert send_notification.retry_backoff_max == 300  # type: ignore[attr-defined]
    assert send_notification.retry_jitter is True  # type: ignore[attr-defined]
    assert send_notification.max_retries == 7


def test_an_address_the_server_refuses_fails_at_once_without_retrying(
    settings: Settings, refusing_smtp_server: int
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = refusing_smtp_server
    notification = enqueue(address="khong-ton-tai@example.vn")

    status = services.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert status == NotificationStatus.FAILED
    assert (notification.status, notification.attempts) == ("failed", 1)
    assert "550" in notification.last_error
    assert "khong-ton-tai@example.vn" in notification.last_error


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_worker_is_skipped_not_sent_twice() -> None:
    notification = enqueue()
    locked = threading.Event()
    release = threading.Event()

    def other_worker() -> None:
        # Another worker holds the row (in its own connection and transaction) while it sends.
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=notification.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(timeout=10)
    try:
        skipped = services.notification_send(notification_id=notification.pk)
    finally:
        release.set()
        thread.join(timeout=10)

    notification.refresh_from_db()
    assert skipped is None
    assert (notification.status, notification.attempts) == ("pending", 0)
    assert mail.outbox == []

    assert services.notification_send(notification_id=notification.pk) == NotificationStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_plannings_of_one_message_at_once_write_one_row_and_enqueue_one_task(
    private_queue: str,
) -> None:
    planned = threading.Event()
    first: list[Notification] = []

    def first_planner() -> None:
        # Plans the message in its own transaction and commits only once the second planner
        # is blocked on the dedupe key's unique index.
        try:
            with transaction.atomic():
                first.append(enqueue())
                planned.set()
                _until_another_connection_waits_for_a_lock()
        finally:
            planned.set()
            connection.close()

    thread = threading.Thread(target=first_planner)
    thread.start()
    try:
        assert planned.wait(timeout=10)
        second = enqueue(body="Một nội dung khác")
    finally:
        thread.join(timeout=20)

    assert second.pk == first[0].pk
    assert list(Notification.objects.values_list("pk", "body")) == [
        (first[0].pk, "Nội dung thư\n\nEnglish")
    ]
    assert queued_tasks(private_queue) == [("notifications.send", f"({first[0].pk},)")]


def _until_another_connection_waits_for_a_lock() -> None:
    """Poll until a backend of this test database is blocked on a lock; at most ten seconds."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction the statistics views keep their first snapshot: drop it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second planner never waited for the first one")


def test_a_broker_outage_leaves_the_row_pending_and_the_caller_unharmed(
    private_queue: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        notification = enqueue()

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("pending", 0)
    assert queued_tasks(private_queue) == []
    assert f"notification {notification.pk} left pending for the sweeper" in caplog.text
    assert "Connection refused" in caplog.text
