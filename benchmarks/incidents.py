"""Citizen feedback (issue 3): filing reports, the public map list and Open311 requests.json.

Measured on a database of its own, `geoapp_benchmark_incidents`, holding the demo territory
(`wards_load_demo`: 123 approximate areas before and after the reform, 129 agencies, the routing
rules) and the eight feedback categories. Each run files its own reports: 10,000 anonymous reports
on random points of the 96 current communes (in proportion to their areas), the categories in
turn, reported at the moment of the call.

1. Filing, 10,000 in one transaction: `incident_create` called 10,000 times inside one transaction
   (routing, deadlines, tracking code, the report and its first event), timed up to the commit.
   Floor: what PostgreSQL needs for the same reports: the routing statement `route_point` sends,
   once per report (prepared, psycopg), then COPY of the very incident and event rows the service
   wrote. Those rows are what the next figures read. Beside it, the CPU per report (this process
   and its PostgreSQL backend; the floor's client and backend), which a shared machine disturbs
   less than the wall clock.
   Beside it, the same 10,000 reports filed by 2 processes at once (half each, each in one
   transaction, like 2 gunicorn workers on the 2 cores), timed from the common start to the
   last call; and a diagnostic: the same calls for 2,000 reports with the notification hooks
   replaced by nothing, which tells the service's own cost from the cost of planning its
   notifications.
2. Filing, one transaction per report, as the API files them: `incident_create` in autocommit
   (its own transaction and commit) with all its work, the notification planning included
   (outbox rows, and a task on the broker after the commit), for 1,000 reports. Floor: per
   report, the routing statement and COPY of its two rows in one committed transaction.
3. The public map list `GET /api/v1/incidents/?bbox=<the territory>&limit=10000` (10,000 features)
   through gunicorn, one request at a time on a kept-alive connection; p50 and p95. Floor: the
   statement the selector sends, run by psycopg (prepared) and fetched as the selector fetches
   it (the document's UTF-8 bytes, not decoded), p50.
4. Open311 `GET /open311/v2/requests.json` (the default window: the latest 1,000 requests), the
   same way. Floor: the statements the view sends, replayed by psycopg.

The benchmark's notification tasks go to a Redis database of their own (BROKER_REDIS_DATABASE),
emptied after the run, so that no worker of the machine's development set-up receives them.

    .venv/bin/python -m benchmarks.incidents demo [--json figures.json]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Figure,
    database_ensure,
    database_migrate,
    django_setup,
    figures_table,
    figures_write,
    processes_cpu_seconds,
)
from benchmarks.datasets import Dataset
from benchmarks.routing import floor_connection, statements_capture
from benchmarks.sample_reports import CATEGORY_ATTRIBUTES

DATASET = Dataset("incidents", "demo territory (123 approximate areas, 129 agencies), 8 categories")
DATASET_KEY = "demo"  # what run_all passes; the database is always DATASET's

REPORT_COUNT = 10_000
FILING_PROCESSES = 2  # the machine's cores: how many gunicorn workers would file at once
REQUEST_PATH_REPORT_COUNT = 1_000
DIAGNOSTIC_REPORT_COUNT = 2_000
# Filings per turn of the summaries' share (three turns with their triggers, three without).
SUMMARIES_REPORT_COUNT = 2_000
POINT_SEED = 3
TARGET_REPORTS_PER_SECOND = 500.0
# Redis database 13 of the local server: the broker of this benchmark alone.
BROKER_REDIS_DATABASE = 13
BROKER_URL = f"redis://127.0.0.1:6379/{BROKER_REDIS_DATABASE}"

# Each category with the answers its required questions need.


@dataclass(frozen=True)
class Filing:
    category_code: str
    description: str
    longitude: float
    latitude: float


# --- the database -------------------------------------------------------------------------------


def database_prepare() -> None:
    """Create and migrate the benchmark database, set Django up on it, load what is missing."""
    if database_ensure(DATASET.database):
        print(f"created database {DATASET.database}", flush=True)
    database_migrate(DATASET.database)
    os.environ["CELERY_BROKER_URL"] = BROKER_URL
    django_setup(DATASET.database)
    from django.core.management import call_command

    call_command("wards_load_demo")
    call_command("incidents_load_categories")
    from django.db import connection

    with connection.cursor() as cursor:
        # The routing plan needs the statistics of the boundaries' pieces the load just wrote;
        # measured before autovacuum has come by, the planner's guess costs twice the database CPU.
        cursor.execute("ANALYZE wards_areapiece")


def reports_delete() -> None:
    """Remove every report (and what hangs off it: events, supporters, notifications)."""
    from django.db import connection

    with connection.cursor() as cursor:
        # The outbox and the subscriptions name reports by a generic reference, no foreign key
        # that CASCADE follows: named here, as CASCADE emptied them before.
        cursor.execute(
            "TRUNCATE incidents_incident, notifications_notification, notifications_subscription "
            "CASCADE"
        )


def filings(count: int, *, seed: int) -> list[Filing]:
    """`count` reports on random points of the current communes, in proportion to their areas."""
    from django.db import connection

    from incidents.demo_texts import REPORT_TEXTS

    with connection.cursor() as cursor:
        # Points generated by PostGIS inside each commune (seeded), in random (seeded) order.
        cursor.execute(
            """
            WITH commune AS (
                SELECT id, boundary, area_km2, sum(area_km2) OVER () AS total
                FROM wards_area
                WHERE level = 'commune' AND valid_to IS NULL
            ), share AS (
                SELECT id, boundary, ceil(%(count)s * area_km2 / total)::integer AS points
                FROM commune
            )
            SELECT ST_X(geom), ST_Y(geom)
            FROM (
                SELECT (ST_Dump(ST_GeneratePoints(boundary, points, (%(seed)s + id)::integer))).geom AS geom
                FROM share WHERE points > 0
            ) AS generated
            ORDER BY md5(ST_AsText(geom))
            LIMIT %(count)s
            """,
            {"count": count, "seed": seed},
        )
        coordinates = cursor.fetchall()
    codes = list(CATEGORY_ATTRIBUTES)
    fill = {
        "street": "Hùng Vương",
        "other_street": "Quang Trung",
        "landmark": "chợ Quảng Ngãi",
        "school": "Trường THPT Lê Khiết",
        "park": "công viên Ba Tơ",
        "hospital": "Bệnh viện Đa khoa tỉnh",
        "village": "thôn Phú Mỹ",
        "days": 3,
        "count": 4,
        "number": 12,
    }
    result = []
    for index, (longitude, latitude) in enumerate(coordinates):
        code = codes[index % len(codes)]
        texts = REPORT_TEXTS[code]
        description = texts[index // len(codes) % len(texts)].description.format(**fill)
        result.append(Filing(code, description, longitude, latitude))
    return result


def _incident_create(filing: Filing) -> None:
    from django.contrib.gis.geos import Point

    from incidents.models import IncidentChannel
    from incidents.services import incident_create

    incident_create(
        category_code=filing.category_code,
        description=filing.description,
        point=Point(filing.longitude, filing.latitude, srid=4326),
        channel=IncidentChannel.WEB,
        attributes=CATEGORY_ATTRIBUTES[filing.category_code],
    )


def _routing_statement(filing: Filing) -> tuple[str, dict[str, Any]]:
    """The statement route_point sends for a report, and its parameters."""
    from django.contrib.gis.geos import Point

    from geoapp.clock import vietnam_today
    from wards.selectors import route_point

    point = Point(filing.longitude, filing.latitude, srid=4326)
    captured = statements_capture(
        lambda: route_point(point=point, category_code=filing.category_code, on=vietnam_today())
    )
    if len(captured) != 1 or not isinstance(captured[0][1], dict):
        raise RuntimeError(f"expected one routing statement with named parameters: {captured}")
    return captured[0]


def _routing_parameters(template: dict[str, Any], filing: Filing) -> dict[str, Any]:
    from django.contrib.gis.geos import Point

    # As route_point sends it: EWKB bytes, read by ST_GeomFromEWKB.
    point = Point(filing.longitude, filing.latitude, srid=4326)
    return {**template, "point": bytes(point.ewkb), "category_code": filing.category_code}


def _table_rows(cursor: Any, source: str) -> list[bytes]:
    """The rows of `source` (a table, or a query in parentheses) in COPY text format, one line
    each, read on Django's connection (so within its transaction)."""
    with cursor.cursor.copy(f"COPY {source} TO STDOUT") as copy:
        data = b"".join(bytes(block) for block in copy)
    return data.splitlines(keepends=True)


def _written_columns(cursor: Any, table: str) -> list[str]:
    """The columns of `table` that a COPY into it without a column list fills, in its order:
    every column but those PostgreSQL generates (the incidents' map feature text)."""
    cursor.execute(
        "SELECT quote_ident(attname) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' "
        "ORDER BY attnum",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


# --- figure 1: 10,000 reports in one transaction ------------------------------------------------


def filing_in_one_transaction_figures(reports: list[Filing]) -> list[Figure]:
    from django.db import connection, transaction

    reports_delete()
    with transaction.atomic():  # warm-up: caches, prepared statements, year tables
        for filing in reports[:200]:
            _incident_create(filing)
        transaction.set_rollback(True)
    statement, template = _routing_statement(reports[0])

    with transaction.atomic():
        backend_cpu = _backend_cpu_meter(connection)
        started, cpu_started, backend_started = (
            time.perf_counter(),
            time.process_time(),
            backend_cpu(),
        )
        for filing in reports:
            _incident_create(filing)
        project_seconds = time.perf_counter() - started
        project_cpu = time.process_time() - cpu_started + backend_cpu() - backend_started
        with connection.cursor() as cursor:
            incident_rows = _table_rows(cursor, "incidents_incident")
            event_rows = _table_rows(cursor, "incidents_incidentevent")
        # Rolled back: committing would run 10,000 notification plannings (figure 2 measures
        # that path); the floor below writes the same rows back.
        transaction.set_rollback(True)

    with floor_connection(DATASET) as floor:
        floor.autocommit = False
        floor_backend_cpu = _backend_cpu_meter(floor)
        started, cpu_started, backend_started = (
            time.perf_counter(),
            time.process_time(),
            floor_backend_cpu(),
        )
        for filing in reports:
            floor.execute(statement, _routing_parameters(template, filing), prepare=True).fetchall()
        with floor.cursor() as cursor:
            with cursor.copy("COPY incidents_incident FROM STDIN") as copy:
                for row in incident_rows:
                    copy.write(row)
            with cursor.copy("COPY incidents_incidentevent FROM STDIN") as copy:
                for row in event_rows:
                    copy.write(row)
        floor.commit()
        floor_seconds = time.perf_counter() - started
        floor_cpu = time.process_time() - cpu_started + floor_backend_cpu() - backend_started
        floor.autocommit = True
        floor.execute("VACUUM ANALYZE incidents_incident")

    count = len(reports)
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {count:,} in one transaction",
            unit="reports/s",
            project=count / project_seconds,
            floor=count / floor_seconds,
            target_operator="≥",
            target_value=TARGET_REPORTS_PER_SECOND,
            note="floor: routing statement per report + COPY of the same rows",
        ),
        # What a shared machine disturbs less than the wall clock: the CPU the filing took, in
        # this process and in its PostgreSQL backend (and the floor's client and backend).
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {count:,} in one transaction, CPU per report",
            unit="ms",
            project=1000 * project_cpu / count,
            floor=1000 * floor_cpu / count,
            note="this process + its PostgreSQL backend",
        ),
    ]


def _backend_cpu_meter(connection: Any) -> Callable[[], float]:
    """A function answering the CPU seconds used so far by the PostgreSQL backend serving
    `connection` (Django's or psycopg's), found by the client port of its connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_client_port()")
        (port,) = cursor.fetchone()
    marker = f"({port})"
    return lambda: processes_cpu_seconds(
        lambda command: command.startswith("postgres:") and marker in command
    )


def _file_share(share: list[Filing], start: Any, results: Any) -> None:
    """In a child process: warm up, wait for the other filers, file `share` one transaction each,
    as a gunicorn worker files them (committed; removed afterwards by the parent), and report when
    the calls started and ended."""
    from django.db import connection

    try:
        for filing in share[:100]:  # warm-up: this process's caches and prepared statements
            _incident_create(filing)
        start.wait()
        # The monotonic clock is the machine's: the processes' moments compare.
        started = time.monotonic()
        for filing in share[100:]:
            _incident_create(filing)
        ended = time.monotonic()
        results.put((started, ended))
    except BaseException as error:
        results.put(error)
        raise
    finally:
        connection.close()


def filing_in_parallel_figures(reports: list[Filing]) -> list[Figure]:
    """The same reports filed by FILING_PROCESSES processes at once, each its share, one
    transaction each. Not one transaction per process: two long transactions upserting the same
    summaries' rows in different orders deadlock, which requests, each its own transaction and
    its upserts in key order, never do."""
    from django.db import connections

    from incidents.models import Incident

    first_new_id = (Incident.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    connections.close_all()  # each child opens its own database connection
    context = multiprocessing.get_context("fork")
    start = context.Barrier(FILING_PROCESSES)
    results = context.Queue()
    shares = [reports[index::FILING_PROCESSES] for index in range(FILING_PROCESSES)]
    processes = [
        context.Process(target=_file_share, args=(share, start, results)) for share in shares
    ]
    try:
        for process in processes:
            process.start()
        moments = [results.get(timeout=900) for _process in processes]
        for process in processes:
            process.join()
    finally:
        _delete_reports_from(first_new_id)
        broker_empty()
    failures = [moment for moment in moments if isinstance(moment, BaseException)]
    if failures or any(process.exitcode != 0 for process in processes):
        raise RuntimeError(f"a filing process failed: {failures}")
    seconds = max(ended for _started, ended in moments) - min(started for started, _ in moments)
    count = sum(len(share) - 100 for share in shares)
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {count:,} by {FILING_PROCESSES} processes at once",
            unit="reports/s",
            project=count / seconds,
            target_operator="≥",
            target_value=TARGET_REPORTS_PER_SECOND,
            note=f"{FILING_PROCESSES} processes on {os.cpu_count()} cores, one transaction each",
        )
    ]


@contextmanager
def notification_planning_skipped() -> Iterator[None]:
    """Diagnostic only: no message is planned while it lasts (a filing's included)."""
    from incidents.notifications import history_recorded_silently

    with history_recorded_silently():
        yield


def filing_without_notifications_figures(reports: list[Filing]) -> list[Figure]:
    from django.db import transaction

    with notification_planning_skipped(), transaction.atomic():
        started = time.perf_counter()
        for filing in reports:
            _incident_create(filing)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {len(reports):,} in one transaction, notifications skipped",
            unit="reports/s",
            project=len(reports) / seconds,
            note="diagnostic: the service's own cost, without planning its notifications",
        )
    ]


# --- figure 2: one transaction per report, as the API files them --------------------------------


def filing_one_transaction_each_figures(reports: list[Filing]) -> list[Figure]:
    """Filed after figure 1's rows, which stay; this figure's own rows are removed afterwards."""
    from django.db import connection

    from incidents.models import Incident

    kept = Incident.objects.count()
    first_new_id = (Incident.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for filing in reports[:50]:  # warm-up, and the broker connection
        _incident_create(filing)
    started = time.perf_counter()
    for filing in reports:
        _incident_create(filing)
    project_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        first = int(first_new_id)  # COPY takes no parameters; an integer is safe to inline
        columns = ", ".join(_written_columns(cursor, "incidents_incident"))
        incident_rows = _table_rows(
            cursor, f"(SELECT {columns} FROM incidents_incident WHERE id >= {first} ORDER BY id)"
        )
        event_rows = _table_rows(
            cursor,
            f"(SELECT * FROM incidents_incidentevent WHERE incident_id >= {first} ORDER BY id)",
        )
    _delete_reports_from(first_new_id)
    # Each report's single event, paired with its report (both in id order).
    incident_rows, event_rows = incident_rows[-len(reports) :], event_rows[-len(reports) :]
    statement, template = _routing_statement(reports[0])

    with floor_connection(DATASET) as floor:
        floor.autocommit = False
        started = time.perf_counter()
        for filing, incident_row, event_row in zip(reports, incident_rows, event_rows, strict=True):
            floor.execute(statement, _routing_parameters(template, filing), prepare=True).fetchall()
            with floor.cursor() as cursor:
                with cursor.copy("COPY incidents_incident FROM STDIN") as copy:
                    copy.write(incident_row)
                with cursor.copy("COPY incidents_incidentevent FROM STDIN") as copy:
                    copy.write(event_row)
            floor.commit()
        floor_seconds = time.perf_counter() - started
        floor.autocommit = True
    _delete_reports_from(first_new_id)
    if Incident.objects.count() != kept:
        raise RuntimeError("figure 2 left reports behind")

    count = len(reports)
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {count:,} one transaction each",
            unit="reports/s",
            project=count / project_seconds,
            floor=count / floor_seconds,
            note="notification planning included; floor: routing + COPY + COMMIT per report",
        )
    ]


def _delete_reports_from(first_id: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from incidents.models import Incident

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM notifications_notification WHERE about_type_id = %s AND about_id >= %s",
            [ContentType.objects.get_for_model(Incident).pk, first_id],
        )
        cursor.execute("DELETE FROM incidents_incidentevent WHERE incident_id >= %s", [first_id])
        cursor.execute("DELETE FROM incidents_incident WHERE id >= %s", [first_id])


def broker_empty() -> None:
    """Drop the tasks figure 2 put on the benchmark's own broker database."""
    import redis

    client = redis.Redis.from_url(BROKER_URL)
    for key in client.scan_iter(match="*celery*"):
        client.delete(key)


PARTS = ("filing", "summaries", "map", "open311")


def incidents_figures(parts: tuple[str, ...] = PARTS) -> list[Figure]:
    """The figures of `parts`; "map" and "open311" read the reports "filing" left (a previous
    run's, when "filing" is not among them)."""
    figures: list[Figure] = []
    if "filing" in parts:
        reports = filings(REPORT_COUNT + REQUEST_PATH_REPORT_COUNT, seed=POINT_SEED)
        figures += _shown(filing_in_one_transaction_figures(reports[:REPORT_COUNT]))
        figures += _shown(filing_in_parallel_figures(reports[:REPORT_COUNT]))
        figures += _shown(filing_without_notifications_figures(reports[:DIAGNOSTIC_REPORT_COUNT]))
        try:
            figures += _shown(filing_one_transaction_each_figures(reports[REPORT_COUNT:]))
        finally:
            broker_empty()
    if "summaries" in parts:
        # Here, not at the top: that module takes this one's helpers.
        from benchmarks.filing_summaries_committed import filing_summaries_share_figures

        reports = filings(SUMMARIES_REPORT_COUNT, seed=POINT_SEED)
        figures += _shown(filing_summaries_share_figures(reports))
    if "map" in parts or "open311" in parts:
        # Here, not at the top: the reads' module takes this one's constants.
        from benchmarks.incidents_reads import map_list_figures, open311_figures, serving

        with serving() as base_url:
            if "map" in parts:
                figures += _shown(map_list_figures(base_url, REPORT_COUNT))
            if "open311" in parts:
                figures += _shown(open311_figures(base_url))
    return figures


def _shown(figures: list[Figure]) -> list[Figure]:
    print(figures_table(figures), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=[DATASET_KEY])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    arguments = parser.parse_args()
    database_prepare()
    figures = incidents_figures(tuple(arguments.only))
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"\n{figures_table(figures)}")


if __name__ == "__main__":
    main()
