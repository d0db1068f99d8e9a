"""PostgreSQL restarts while citizens file reports.

A throwaway PostgreSQL 15 cluster with PostGIS, migrated by the project's migrations and loaded
with the demo territory, serves a real gunicorn. Clients file reports concurrently through the
REST API with idempotency keys, retrying an answer 503 with the same key as a well-behaved client
does; the cluster is stopped (`pg_ctl stop -m fast`, which cuts every open connection) once
filing is under way, and started again once the outage has been met; gunicorn is not touched.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from geoapp.api import IDEMPOTENCY_HEADER

from .conftest import (
    DEMO_CAM_THANH,
    PROJECT_DIR,
    Answer,
    Gunicorn,
    PostgresCluster,
    RedisServer,
    app_environment,
    filing,
    http,
    wait_for,
)

CLIENTS = 4
OUTAGE_ANSWERS = 4  # answers 503 met before PostgreSQL comes back
FILINGS_AFTER_RECOVERY = 8
DATABASE = "geoapp_fault"
UNAVAILABLE_VI = "Hệ thống đang tạm thời gián đoạn, chưa lưu được gì. Vui lòng thử lại sau ít giây."
UNAVAILABLE_EN = (
    "The service is briefly interrupted and nothing was saved. Please try again in a few seconds."
)


@pytest.fixture
def served_on_cluster(
    postgres_cluster: PostgresCluster, fault_redis: RedisServer, tmp_path: Path
) -> Iterator[Gunicorn]:
    """gunicorn serving the app on the throwaway cluster, migrated and loaded as `make run` does."""
    with psycopg.connect(postgres_cluster.conninfo("postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(postgres_cluster.conninfo(DATABASE), autocommit=True) as connection:
        connection.execute("CREATE EXTENSION postgis")
    environment = app_environment(
        database_url=postgres_cluster.url(DATABASE),
        redis_url=fault_redis.url,
        delivery_log=tmp_path / "deliveries.jsonl",
    )
    for command in (["migrate", "--no-input"], ["wards_load_demo"], ["incidents_load_categories"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=PROJECT_DIR, env=environment, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
    web = Gunicorn(environment=environment, log=tmp_path / "gunicorn.log")
    web.start()
    try:
        yield web
    finally:
        web.stop()


def test_a_postgresql_restart_under_load_answers_503_and_loses_or_duplicates_nothing(
    served_on_cluster: Gunicorn, postgres_cluster: PostgresCluster
) -> None:
    """Issue 8, finding 14 (the database half): during a database outage every request got an
    HTML 500; the API must answer 503 with Retry-After in its own format, and recover alone."""
    web = served_on_cluster
    answers: dict[str, list[Answer]] = {}
    lock = threading.Lock()
    enough = threading.Event()

    def answered(status: int) -> int:
        with lock:
            return sum(a.status == status for attempts in answers.values() for a in attempts)

    def client(index: int) -> None:
        number = 0
        while not enough.is_set():
            key = f"pg-{index}-{number}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    answer = http(
                        f"{web.url}/api/v1/incidents/",
                        payload=filing(index * 1000 + number, point=DEMO_CAM_THANH),
                        headers={IDEMPOTENCY_HEADER: key},
                    )
                except OSError as error:  # the connection itself failed: recorded as status 0
                    answer = Answer(0, {}, str(error).encode())
                with lock:
                    answers.setdefault(key, []).append(answer)
                if answer.status != 503 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)  # a client honouring Retry-After waits longer; the test need not
            if answer.status not in (200, 201):
                return  # the assertions below report it
            number += 1

    clients = [threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)]
    for thread in clients:
        thread.start()
    outage: dict[str, Answer] = {}
    try:
        wait_for(lambda: answered(201) >= 6, timeout=30, what="filing under way")
        postgres_cluster.stop()
        wait_for(
            lambda: answered(503) >= OUTAGE_ANSWERS or not any(t.is_alive() for t in clients),
            timeout=30,
            what="answers 503",
        )
        assert answered(503) >= OUTAGE_ANSWERS, sorted(
            (key, [a.status for a in attempts]) for key, attempts in answers.items()
        )[-CLIENTS:]
        outage["page"] = http(f"{web.url}/gui-phan-anh/")
        outage["open311"] = http(f"{web.url}/open311/v2/services.json")
        outage["english"] = http(
            f"{web.url}/api/v1/incidents/",
            payload=filing(999_999, point=DEMO_CAM_THANH),
            headers={"Accept-Language": "en", IDEMPOTENCY_HEADER: "pg-english"},
        )
        postgres_cluster.start()
        stored_before_recovery = answered(201)
        wait_for(
            lambda: answered(201) >= stored_before_recovery + FILINGS_AFTER_RECOVERY,
            timeout=30,
            what="filing to work again",
        )
    finally:
        enough.set()
        for thread in clients:
            thread.join(timeout=90)

    statuses = Counter(a.status for attempts in answers.values() for a in attempts)
    assert set(statuses) <= {201, 200, 503}, (statuses, web.output()[-3000:])
    assert statuses[503] >= OUTAGE_ANSWERS
    for attempts in answers.values():
        for answer in attempts:
            if answer.status == 503:
                assert answer.headers["Content-Type"] == "application/json"
                assert answer.headers["Retry-After"] == "10"
                assert answer.json() == {"detail": UNAVAILABLE_VI, "code": "database_unavailable"}
    assert (outage["english"].status, outage["english"].json()["detail"]) == (503, UNAVAILABLE_EN)
    assert (outage["page"].status, outage["page"].headers["Retry-After"]) == (503, "10")
    assert outage["page"].headers["Content-Type"] == "text/html; charset=utf-8"
    assert UNAVAILABLE_VI in outage["page"].body.decode()
    assert outage["open311"].status == 503
    assert outage["open311"].json() == [{"code": 503, "description": UNAVAILABLE_VI}]

    # Every key ends stored: answered 201 once at most, then 200 (a replay) for any retry.
    for key, attempts in answers.items():
        final = [a.status for a in attempts if a.status != 503]
        assert final and final[0] in (200, 201) and final.count(201) <= 1, (key, final)
    with psycopg.connect(postgres_cluster.conninfo(DATABASE)) as connection:
        stored: dict[str, list[str]] = dict(
            connection.execute(
                "SELECT idempotency_key, array_agg(tracking_code) FROM incidents_incident "
                "GROUP BY idempotency_key"
            ).fetchall()
        )
    assert sorted(stored) == sorted(answers)
    for key, attempts in answers.items():
        codes = {a.json()["tracking_code"] for a in attempts if a.status in (200, 201)}
        assert [codes] == [set(stored[key])], key
        assert len(stored[key]) == 1
    # Recovered without a hand: the two workers gunicorn booted are the ones that served it all.
    assert web.alive()
    assert web.output().count("Booting worker") == 2
