"""End to end with a real Celery worker on the real Redis broker and the test database.

These tests commit for real (`transaction=True`): the worker is another process and sees only
committed rows. Its email backend (locmem) lives in its own memory, so what the tests read is the
outbox row the worker marked sent.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from tests.celery_worker import running_worker

from .conftest import FileReport, broker_unreachable

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_until_sent(expected: int, *, timeout: float = 30) -> list[tuple[str, str, int]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = list(
            Notification.objects.order_by("id").values_list("recipient_role", "status", "attempts")
        )
        if len(rows) == expected and all(status == "sent" for _role, status, _n in rows):
            return rows
        time.sleep(0.2)
    return list(
        Notification.objects.order_by("id").values_list("recipient_role", "status", "attempts")
    )


def test_a_worker_sends_the_messages_of_a_new_report_once_it_is_committed(
    file_report: FileReport, private_queue: str
) -> None:
    with running_worker(queue=private_queue, database_name=connection.settings_dict["NAME"]):
        incident = file_report(
            keep_notices=True
        )  # commits; the hook plans two messages and enqueues them
        rows = wait_until_sent(2)

    assert rows == [("unit", "sent", 1), ("reporter", "sent", 1)]
    assert Notification.objects.about(incident).filter(sent_at__isnull=False).count() == 2


def test_messages_a_broker_outage_dropped_are_sent_after_the_sweep(
    file_report: FileReport, private_queue: str
) -> None:
    with broker_unreachable():
        incident = file_report(keep_notices=True)  # saved, although nothing reaches the broker
    assert list(Notification.objects.values_list("status", flat=True)) == ["pending", "pending"]

    with running_worker(queue=private_queue, database_name=connection.settings_dict["NAME"]):
        time.sleep(1)  # the worker is up and idle: nothing was queued for it
        assert list(Notification.objects.values_list("status", flat=True)) == [
            "pending",
            "pending",
        ]
        swept = services.notifications_sweep(now=timezone.now() + timedelta(minutes=11))
        rows = wait_until_sent(2)

    assert len(swept) == 2
    assert rows == [("unit", "sent", 1), ("reporter", "sent", 1)]
    assert incident.pk is not None
