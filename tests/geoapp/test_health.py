import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from geoapp.health import HEARTBEAT_CACHE_KEY
from geoapp.tasks import heartbeat
from tests.celery_worker import running_worker


@pytest.fixture(autouse=True)
def no_heartbeat_yet():
    cache.delete(HEARTBEAT_CACHE_KEY)


@pytest.mark.celery_worker
@pytest.mark.django_db
def test_a_real_worker_runs_the_heartbeat_task_and_healthz_reports_everything_up(
    client, private_queue
):
    with running_worker(queue=private_queue) as worker_name:
        before = timezone.now()
        result = heartbeat.delay()
        finished_at = datetime.datetime.fromisoformat(result.get(timeout=20))
        response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["database"]["postgis"].startswith("3.")
    assert body["redis"] == {"ok": True}
    assert worker_name in body["celery"]["workers"]
    assert before <= finished_at <= timezone.now()
    assert body["celery"]["last_heartbeat"] == finished_at.isoformat()


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert body["ok"] is False
    assert body["redis"]["ok"] is False
    assert "Connection refused" in body["redis"]["error"]
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_answers_503_when_no_worker_answers(client):
    # No worker is started here; workers of a developer's `make run` use another Redis database.
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["celery"]["ok"] is False
    assert response.json()["celery"]["workers"] == []
