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
import http.client
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from psycopg.adapt import Loader

from benchmarks.common import (
    RESULTS_DIRECTORY,
    Figure,
    database_ensure,
    database_migrate,
    django_setup,
    figures_table,
    figures_write,
    percentile,
    processes_cpu_seconds,
)
from benchmarks.datasets import Dataset
from benchmarks.lookup_api import ServerShape, gunicorn_serving
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
MAP_TARGET_P50_MILLISECONDS = 40.0
MAP_TARGET_FLOOR_RATIO = 3.0
OPEN311_TARGET_P50_MILLISECONDS = 200.0
WARM_UP_REQUESTS = 5
MEASURED_REQUESTS = 30
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
    """In a child process: warm up, wait for the other filers, file `share` in one transaction
    (rolled back, as in figure 1) and report when the calls started and ended."""
    from django.db import connection, transaction

    try:
        with transaction.atomic():  # warm-up: this process's caches and prepared statements
            for filing in share[:100]:
                _incident_create(filing)
            transaction.set_rollback(True)
        start.wait()
        with transaction.atomic():
            # The monotonic clock is the machine's: the processes' moments compare.
            started = time.monotonic()
            for filing in share:
                _incident_create(filing)
            ended = time.monotonic()
            transaction.set_rollback(True)
        results.put((started, ended))
    except BaseException as error:
        results.put(error)
        raise
    finally:
        connection.close()


def filing_in_parallel_figures(reports: list[Filing]) -> list[Figure]:
    """The same reports filed by FILING_PROCESSES processes at once, each its share."""
    from django.db import connections

    connections.close_all()  # each child opens its own database connection
    context = multiprocessing.get_context("fork")
    start = context.Barrier(FILING_PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_file_share, args=(reports[index::FILING_PROCESSES], start, results))
        for index in range(FILING_PROCESSES)
    ]
    for process in processes:
        process.start()
    moments = [results.get(timeout=900) for _process in processes]
    for process in processes:
        process.join()
    failures = [moment for moment in moments if isinstance(moment, BaseException)]
    if failures or any(process.exitcode != 0 for process in processes):
        raise RuntimeError(f"a filing process failed: {failures}")
    seconds = max(ended for _started, ended in moments) - min(started for started, _ in moments)
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {len(reports):,} by {FILING_PROCESSES} processes at once",
            unit="reports/s",
            project=len(reports) / seconds,
            target_operator="≥",
            target_value=TARGET_REPORTS_PER_SECOND,
            note=f"{FILING_PROCESSES} processes on {os.cpu_count()} cores, each in one transaction",
        )
    ]


@contextmanager
def notification_planning_skipped() -> Iterator[None]:
    """Diagnostic only: the hooks of incidents/notifications.py do nothing while it lasts."""
    from incidents import notifications

    hooks = {name: hook for name, hook in vars(notifications).items() if name.startswith("notify_")}
    for name in hooks:
        setattr(notifications, name, lambda *arguments, **keywords: None)
    try:
        yield
    finally:
        for name, hook in hooks.items():
            setattr(notifications, name, hook)


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


# The triggers before issue 13's pending map changes (migration 0017: both map grids upserted by
# every filing), installed inside a measured transaction (DDL is transactional: its rollback
# puts the current triggers back), so that both are measured in the same turns.
_TRIGGERS_OF_0017 = Path(__file__).resolve().parent.parent / (
    "incidents/migrations/sql/0017_summaries_triggers.sql"
)


def _filing_cpu_per_report(reports: list[Filing], *, triggers: str) -> tuple[float, float]:
    """CPU milliseconds per report (this process + its backend) filing `reports` in one
    transaction, rolled back; `triggers`: "current", "0017" (the triggers of migration 0017 in
    their place inside that transaction) or "none" (disabled inside it). With "current", also
    the backend CPU per report of folding the map changes the filings left pending (the same
    transaction, before its rollback)."""
    from django.db import connection, transaction

    from incidents.summaries import summaries_fold_map_changes, triggers_remove_sql
    from incidents.summary_definitions import MAP_CHANGES_TABLE, SUMMARIES

    # Each turn is rolled back, and a rolled-back upsert leaves its index entries behind: without
    # a vacuum, every turn with the triggers would search the summaries' indexes through the
    # dead entries of the turns before it (in production, filings commit and autovacuum passes).
    with connection.cursor() as cursor:
        for table in (*(summary.table for summary in SUMMARIES), MAP_CHANGES_TABLE):
            cursor.execute(f"VACUUM {table}")  # a fixed name
    fold = 0.0
    with transaction.atomic():
        with connection.cursor() as cursor:
            if triggers == "none":
                cursor.execute("ALTER TABLE incidents_incident DISABLE TRIGGER USER")
            elif triggers == "0017":
                cursor.execute(triggers_remove_sql() + _TRIGGERS_OF_0017.read_text())
        backend_cpu = _backend_cpu_meter(connection)
        cpu_started, backend_started = time.process_time(), backend_cpu()
        for filing in reports:
            _incident_create(filing)
        cpu = time.process_time() - cpu_started + backend_cpu() - backend_started
        if triggers == "current":
            fold_started = backend_cpu()
            summaries_fold_map_changes()
            fold = backend_cpu() - fold_started
        transaction.set_rollback(True)
    return 1000 * cpu / len(reports), 1000 * fold / len(reports)


def filing_summaries_share_figures(reports: list[Filing]) -> list[Figure]:
    """What keeping the summaries (issue 10) adds to a filing: the CPU per report with their
    triggers, with those of migration 0017 (before the map changes were left pending, issue 13)
    and without any, in turns (three of each, median), so that the machine's load falls on all
    alike; and what the fold of the pending map changes costs per report it moves."""
    reports_delete()
    _filing_cpu_per_report(reports[:200], triggers="current")  # warm-up
    measured: dict[str, list[float]] = {"current": [], "0017": [], "none": []}
    folds = []
    for _turn in range(3):
        for triggers, figures in measured.items():
            cpu, fold = _filing_cpu_per_report(reports, triggers=triggers)
            figures.append(cpu)
            if triggers == "current":
                folds.append(fold)
    current, before, floor = (statistics.median(measured[name]) for name in measured)
    count = f"{len(reports):,}"
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {count} in one transaction, CPU per report, summaries kept",
            unit="ms",
            project=current,
            floor=floor,
            note=f"floor: the summaries' triggers disabled; +{100 * (current / floor - 1):.1f} %",
        ),
        Figure(
            dataset=DATASET_KEY,
            name="the same, with the triggers of migration 0017 (grids upserted per filing)",
            unit="ms",
            project=before,
            floor=floor,
            note=f"diagnostic, the same turns: +{100 * (before / floor - 1):.1f} %",
        ),
        Figure(
            dataset=DATASET_KEY,
            name=f"fold of the map changes, {count} at once, backend CPU per report",
            unit="ms",
            project=statistics.median(folds),
            note="paid by the beat's fold, not by the filing",
        ),
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


# --- figures 3 and 4: reads through gunicorn ----------------------------------------------------


def territory_bbox() -> tuple[float, float, float, float]:
    from wards.models import Area, AreaLevel

    province = Area.objects.get(level=AreaLevel.PROVINCE, valid_to__isnull=True)
    min_x, min_y, max_x, max_y = province.boundary.extent
    return (round(min_x, 4), round(min_y, 4), round(max_x, 4), round(max_y, 4))


def http_milliseconds(
    base_url: str, path: str, *, check: Callable[[bytes], None], count: int
) -> list[float]:
    """`count` GET requests, one at a time on one kept-alive connection; each in milliseconds,
    from sending the request to having read the whole body."""
    parts = urlsplit(base_url)
    assert parts.hostname is not None, f"no host in {base_url}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    timings = []
    try:
        for _request in range(count):
            started = time.perf_counter_ns()
            connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = connection.getresponse()
            body = response.read()
            timings.append((time.perf_counter_ns() - started) / 1e6)
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
            check(body)
    finally:
        connection.close()
    return timings


class _Utf8BytesLoader(Loader):
    """Text as the bytes PostgreSQL sent, as the map list's selector fetches its document."""

    def load(self, data: Any) -> bytes:
        return bytes(data)


def statements_replay_timings(
    statements: list[tuple[str, Any]], *, count: int, text_as_bytes: bool = False
) -> list[float]:
    """Replay the statements `count` times (plus a warm-up) on a psycopg connection, prepared,
    fetching every row (text undecoded with `text_as_bytes`); each replay in milliseconds."""
    timings = []
    with floor_connection(DATASET) as floor:
        if text_as_bytes:
            floor.adapters.register_loader("text", _Utf8BytesLoader)
        for replay in range(WARM_UP_REQUESTS + count):
            started = time.perf_counter_ns()
            for sql, parameters in statements:
                floor.execute(sql, parameters, prepare=True).fetchall()
            if replay >= WARM_UP_REQUESTS:
                timings.append((time.perf_counter_ns() - started) / 1e6)
    return timings


@contextmanager
def serving() -> Iterator[str]:
    from django.contrib.gis.geos import Point

    from geoapp.clock import vietnam_today
    from wards.models import Area

    centre = Area.objects.get(code="21025", valid_to__isnull=True).label_point
    assert isinstance(centre, Point)
    probe = urlencode(
        {"lat": f"{centre.y:.6f}", "lon": f"{centre.x:.6f}", "date": vietnam_today().isoformat()}
    )
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)  # gunicorn's log goes there
    with gunicorn_serving(DATASET, ServerShape(workers=2, connections=1), probe) as base_url:
        yield base_url


def map_list_figures(base_url: str, expected_features: int) -> list[Figure]:
    import json

    from incidents import selectors

    bbox = territory_bbox()
    path = "/api/v1/incidents/?" + urlencode(
        {"bbox": ",".join(str(value) for value in bbox), "limit": expected_features}
    )

    def check(body: bytes) -> None:
        returned = json.loads(body)["numberReturned"]
        if returned != expected_features:
            raise RuntimeError(
                f"the map list returned {returned} features, not {expected_features}"
            )

    http_milliseconds(base_url, path, check=check, count=WARM_UP_REQUESTS)
    project = http_milliseconds(base_url, path, check=check, count=MEASURED_REQUESTS)
    statements = statements_capture(
        lambda: selectors.incidents_public_feature_collection(
            filters=selectors.PublicIncidentFilters(bbox=bbox), limit=expected_features
        )
    )
    floor = statements_replay_timings(statements, count=MEASURED_REQUESTS, text_as_bytes=True)
    size = len(
        selectors.incidents_public_feature_collection(
            filters=selectors.PublicIncidentFilters(bbox=bbox), limit=expected_features
        )
    )
    project_p50, floor_p50 = percentile(project, 50), percentile(floor, 50)
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"public map list, {expected_features:,} points, p50",
            unit="ms",
            project=project_p50,
            floor=floor_p50,
            target_operator="≤",
            target_value=MAP_TARGET_P50_MILLISECONDS,
            note=f"{project_p50 / floor_p50:.1f}× the floor (target ≤ "
            f"{MAP_TARGET_FLOOR_RATIO:.0f}×); {size / 1e6:.1f} MB of GeoJSON",
        ),
        Figure(
            dataset=DATASET_KEY,
            name=f"public map list, {expected_features:,} points, p95",
            unit="ms",
            project=percentile(project, 95),
            floor=percentile(floor, 95),
        ),
    ]


def open311_figures(base_url: str) -> list[Figure]:
    import json

    from django.test import RequestFactory

    from incidents.open311.views import ServiceRequestsView

    path = "/open311/v2/requests.json"

    def check(body: bytes) -> None:
        returned = len(json.loads(body))
        if returned != 1000:
            raise RuntimeError(f"requests.json returned {returned} requests, not 1,000")

    http_milliseconds(base_url, path, check=check, count=WARM_UP_REQUESTS)
    project = http_milliseconds(base_url, path, check=check, count=MEASURED_REQUESTS)
    request = RequestFactory().get(path, HTTP_HOST="127.0.0.1")
    statements = statements_capture(lambda: ServiceRequestsView.as_view()(request))
    floor = statements_replay_timings(statements, count=MEASURED_REQUESTS)
    return [
        Figure(
            dataset=DATASET_KEY,
            name="Open311 requests.json, 1,000 requests, p50",
            unit="ms",
            project=percentile(project, 50),
            floor=percentile(floor, 50),
            target_operator="≤",
            target_value=OPEN311_TARGET_P50_MILLISECONDS,
            note=f"floor: the view's {len(statements)} statement(s) replayed",
        ),
        Figure(
            dataset=DATASET_KEY,
            name="Open311 requests.json, 1,000 requests, p95",
            unit="ms",
            project=percentile(project, 95),
            floor=percentile(floor, 95),
        ),
    ]


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
        reports = filings(SUMMARIES_REPORT_COUNT, seed=POINT_SEED)
        figures += _shown(filing_summaries_share_figures(reports))
    if "map" in parts or "open311" in parts:
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
