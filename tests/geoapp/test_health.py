from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from geoapp.health import HEARTBEAT_CACHE_KEY
from geoapp.tasks import heartbeat
from tests.celery_worker import running_worker

EVERY_PART_UP_IN_PUBLIC = {
    "ok": True,
    "database": {"ok": True},
    "redis": {"ok": True},
    "celery": {"ok": True},
}


@pytest.fixture(autouse=True)
def no_heartbeat_yet() -> Iterator[None]:
    cache.delete(HEARTBEAT_CACHE_KEY)
    yield
    cache.delete(HEARTBEAT_CACHE_KEY)


@pytest.fixture
def staff_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create(username="van-hanh", is_staff=True))
    return client


@pytest.mark.celery_worker
@pytest.mark.django_db
def test_a_real_worker_runs_the_heartbeat_task_and_healthz_reports_everything_up(
    client: Client, staff_client: Client, private_queue: str
) -> None:
    with running_worker(queue=private_queue) as worker_name:
        before = timezone.now()
        result = heartbeat.delay()
        finished_at = datetime.datetime.fromisoformat(result.get(timeout=20))
        public = client.get("/healthz")
        detailed = staff_client.get("/healthz")

    assert (public.status_code, public.json()) == (200, EVERY_PART_UP_IN_PUBLIC)
    body = detailed.json()
    assert detailed.status_code == 200
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["database"]["postgis"].startswith("3.")
    assert body["redis"] == {"ok": True}
    assert worker_name in body["celery"]["workers"]
    assert before <= finished_at <= timezone.now()
    assert body["celery"]["last_heartbeat"] == finished_at.isoformat()


@pytest.mark.django_db
def test_the_public_answer_judges_workers_by_their_heartbeat_without_asking_them(
    client: Client,
) -> None:
    # No worker runs here: asking the workers would find none. A recent heartbeat is enough.
    cache.set(HEARTBEAT_CACHE_KEY, (timezone.now() - datetime.timedelta(minutes=2)).isoformat())

    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, EVERY_PART_UP_IN_PUBLIC)


@pytest.mark.django_db
def test_a_heartbeat_older_than_three_minutes_means_the_workers_are_down(client: Client) -> None:
    cache.set(HEARTBEAT_CACHE_KEY, (timezone.now() - datetime.timedelta(minutes=4)).isoformat())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["celery"] == {"ok": False}


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_down_and_tells_why_to_staff_only(
    client: Client, staff_client: Client, settings: Settings
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    public = client.get("/healthz")
    detailed = staff_client.get("/healthz")

    assert public.status_code == 503
    assert public.json()["redis"] == {"ok": False}
    assert public.json()["database"] == {"ok": True}
    assert "Connection refused" not in public.content.decode()
    assert detailed.status_code == 503
    assert detailed.json()["redis"]["ok"] is False
    assert "Connection refused" in detailed.json()["redis"]["error"]


@pytest.mark.django_db
def test_healthz_answers_503_when_no_worker_answers(staff_client: Client) -> None:
    # No worker is started here; workers of a developer's `make run` use another Redis database.
    response = staff_client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["celery"]["ok"] is False
    assert response.json()["celery"]["workers"] == []
