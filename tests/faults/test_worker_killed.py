"""The Celery worker is killed (SIGKILL) while it works through a batch of messages.

A real worker sends through a slow provider that records every delivery in a file
(tests/faults/delivery.py); the test kills it just after the provider accepted a message and before
the outbox could mark it sent, starts another worker, runs the sweeper as its schedule would, and
counts what each citizen received.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from notifications import services
from notifications.models import Notification, NotificationChannel, RecipientRole
from tests.conftest import database_url

from .conftest import RedisServer, Worker, app_environment, broker_at, wait_for
from .delivery import deliveries

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

MESSAGES = 8
# Each delivery takes this long after the provider recorded it: the moment the test kills in.
PROVIDER_SECONDS = 0.5


def _settled() -> int:
    return Notification.objects.filter(status__in=["sent", "failed"]).count()


def test_a_worker_killed_mid_send_delivers_every_message_once_or_marks_it_failed(
    fault_redis: RedisServer, tmp_path: Path
) -> None:
    """Issue 8, finding 14 (the outbox half): a worker killed after the provider accepted a message
    and before the row was marked sent must not make the sweeper send it a second time."""
    log = tmp_path / "deliveries.jsonl"
    environment = app_environment(
        database_url=database_url(), redis_url=fault_redis.url, delivery_log=log
    )
    environment["FAULT_GATEWAY_SECONDS"] = str(PROVIDER_SECONDS)
    with broker_at(fault_redis.url):
        for number in range(MESSAGES):
            services.notification_enqueue(
                dedupe_key=f"fault-test:{number}",
                kind="fault_test",
                channel=NotificationChannel.SMS,
                recipient_role=RecipientRole.REPORTER,
                address=f"09050000{number:02d}",
                subject="",
                body=f"Tin nhắn thử số {number}",
            )
    worker = Worker(environment=environment, log=tmp_path / "worker.log")
    worker.start()
    try:
        # The third delivery is recorded: the worker now sleeps inside the provider's call.
        wait_for(lambda: sum(deliveries(log).values()) >= 3, timeout=30, what="3 deliveries")
        worker.kill()
        worker.start()
        # The new worker empties the queue; the killed one's message is left to the sweeper.
        wait_for(lambda: _settled() >= MESSAGES - 1, timeout=30, what="the queue to drain")
        with broker_at(fault_redis.url):
            later = timezone.now() + timedelta(
                minutes=settings.NOTIFICATION_SWEEP_AFTER_MINUTES + 1
            )
            services.notifications_sweep(now=later)
        wait_for(lambda: _settled() == MESSAGES, timeout=30, what="every message settled")
    finally:
        worker.stop()

    delivered = deliveries(log)
    rows = list(Notification.objects.values_list("address", "body", "status", "last_error"))
    for address, body, status, last_error in rows:
        if status == "sent":
            assert delivered[(address, body)] == 1, (address, delivered[(address, body)])
        else:
            # Accepted by the provider just before the kill: once, and the row says why it is
            # not tried again.
            assert delivered[(address, body)] == 1
            assert "interrupted" in last_error
    assert sum(delivered.values()) == MESSAGES
    assert Counter(status for _address, _body, status, _error in rows) == {
        "sent": MESSAGES - 1,
        "failed": 1,
    }
