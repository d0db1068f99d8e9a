"""The Redis server (cache of the rate limits, and Celery's broker) is killed while citizens file.

The app is served by gunicorn and its messages sent by a real Celery worker, both on a Redis of
the test's own; threads file reports through the REST API, Redis is killed (SIGKILL) a third of
the way and restarted, empty, two thirds of the way. Then the sweeper runs as its schedule would.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from geoapp.api import IDEMPOTENCY_HEADER
from incidents.models import Incident
from notifications import services
from notifications.models import Notification
from tests.conftest import database_url

from .conftest import (
    Answer,
    Gunicorn,
    RedisServer,
    Worker,
    app_environment,
    broker_at,
    filing,
    http,
    wait_for,
)
from .delivery import deliveries

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

FILINGS = 24
CLIENTS = 4
MESSAGES_PER_REPORT = 2  # the unit (email) and the reporter (SMS)


def _worker_idle(server: RedisServer) -> bool:
    """Nothing waits in the queue, and nothing taken from it is unacknowledged (kombu's Redis
    transport keeps a task there until it ran, since tasks are acknowledged late)."""
    client = redis.Redis(port=server.port)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def test_filing_goes_on_while_redis_is_killed_and_every_message_is_sent_once_after(
    fault_redis: RedisServer, tmp_path: Path, units: None, categories: None
) -> None:
    """Issue 8, finding 14: with Redis down no citizen could file (HTTP 500, nothing stored)."""
    log = tmp_path / "deliveries.jsonl"
    environment = app_environment(
        database_url=database_url(), redis_url=fault_redis.url, delivery_log=log
    )
    web = Gunicorn(environment=environment, log=tmp_path / "gunicorn.log")
    worker = Worker(environment=environment, log=tmp_path / "worker.log")
    answers: dict[int, Answer] = {}
    answered = threading.Semaphore(0)

    def file(number: int) -> None:
        answers[number] = http(
            f"{web.url}/api/v1/incidents/",
            payload=filing(number),
            headers={IDEMPOTENCY_HEADER: f"fault-redis-{number}"},
        )
        answered.release()

    def wait_for_answers(count: int) -> None:
        for _ in range(count):
            assert answered.acquire(timeout=40), (
                f"no answer within 40 s: {sorted((n, a.status) for n, a in answers.items())}"
            )

    web.start()
    worker.start()
    try:
        with ThreadPoolExecutor(CLIENTS) as clients:
            for number in range(FILINGS):
                clients.submit(file, number)
            wait_for_answers(FILINGS // 3)
            fault_redis.kill()
            wait_for_answers(FILINGS // 3)
            fault_redis.start()  # empty: the queued tasks and the limits' counts are gone
        assert worker.alive(), worker.output()
        # What Redis lost, the sweeper enqueues again once the worker has done what it still has.
        wait_for(lambda: _worker_idle(fault_redis), timeout=30, what="the worker to be idle")
        with broker_at(fault_redis.url):
            later = timezone.now() + timedelta(
                minutes=settings.NOTIFICATION_SWEEP_AFTER_MINUTES + 1
            )
            services.notifications_sweep(now=later)
        wait_for(
            lambda: (
                Notification.objects.filter(status="sent").count() == FILINGS * MESSAGES_PER_REPORT
            ),
            timeout=30,
            what="every message sent",
        )
    finally:
        worker.stop()
        web.stop()

    assert sorted((number, answer.status) for number, answer in answers.items()) == [
        (number, 201) for number in range(FILINGS)
    ], web.output()
    assert Incident.objects.count() == FILINGS
    assert sorted(Incident.objects.values_list("idempotency_key", flat=True)) == sorted(
        f"fault-redis-{number}" for number in range(FILINGS)
    )
    assert {answer.json()["tracking_code"] for answer in answers.values()} == set(
        Incident.objects.values_list("tracking_code", flat=True)
    )
    rows = list(Notification.objects.values_list("address", "body", "status"))
    assert Counter(status for _address, _body, status in rows) == {
        "sent": FILINGS * MESSAGES_PER_REPORT
    }
    delivered = deliveries(log)
    assert sorted(delivered.items()) == sorted(((address, body), 1) for address, body, _s in rows)
