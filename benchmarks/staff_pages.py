"""The officials' queue page (issue 4): server-side rendering with 10,000 reports, or any number
(`--reports`, issue 10).

Measured on a database of its own per size, `geoapp_benchmark_staff_pages` for 10,000 reports and
`geoapp_benchmark_staff_pages_<N>` for N, holding a small made-up territory (the project's own
squares, like the tests' `territory` fixture: a province and six communes, each with its People's
Committee), the eight feedback categories, and the reports written by COPY
(benchmarks/report_loader.py) with their timelines, all routed to one unit (the People's Committee
of Phường Cẩm Thành): the worst case for its officers, whose queue covers every one of them. The
reports are spread over the last 90 days, in every state (about half still open), with the
deadlines the categories' norms and the working-day calendar give; some overdue, some due within
a working day.

Figures, each through gunicorn (one sync worker, one request at a time on a kept-alive
connection, signed in with a session cookie), p50 and p95 over repeated requests, with the raw-SQL
floor beside it: every statement the request sends (session, account, memberships, filter
choices, the counts per status, the page), captured in-process and replayed by psycopg as
prepared statements.

1. The officer's default queue `GET /can-bo/phan-anh/`: open reports, most urgent first, page 1
   of 50 rows, with the counts per status.
2. The leader's queue of every report, `?status=all` (every row, ordered by deadline).
3. The officer's overdue reports, `?sort=overdue` (the longest overdue first; until issue 10
   `?overdue=on&sort=newest`).

    .venv/bin/python -m benchmarks.staff_pages [--reports N] [--json figures.json] [--reload]
        [--load-only]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks.common import (
    RESULTS_DIRECTORY,
    Figure,
    database_backends_cpu_seconds,
    database_ensure,
    database_migrate,
    django_setup,
    figures_table,
    figures_write,
    percentile,
    served_cpu_seconds,
)
from benchmarks.datasets import DEFAULT_REPORT_COUNT, Dataset, dataset_of_size
from benchmarks.lookup_api import ServerShape, gunicorn_serving
from benchmarks.report_loader import Place as ReportPlace
from benchmarks.report_loader import (
    ReportPlan,
    points_in_box,
    reports_copy,
    tables_vacuum_analyze,
)
from benchmarks.routing import floor_replay_timings, statements_capture

DATASET_TITLE = "made-up territory, every report in one unit"
DATASET_KEY = "staff"  # what run_all passes; the database is the size's (dataset_for)
# Bump when what the database holds changes, so an existing benchmark database is reloaded.
DATASET_VERSION = 1

REPORT_COUNT = DEFAULT_REPORT_COUNT
DATASET = dataset_of_size("staff_pages", DATASET_TITLE, REPORT_COUNT)
SEED = 20260601
TARGET_P50_MILLISECONDS = 200.0
WARM_UP_REQUESTS = 5
MEASURED_REQUESTS = 40
# The cache of this benchmark alone (Redis database 12 of the local server): the working-day
# calendar it caches must not reach the development app's cache.
CACHE_REDIS_URL = "redis://127.0.0.1:6379/12"
OFFICER = "benchmark-can-bo-cam-thanh"
LEADER = "benchmark-lanh-dao"

# Share of the reports in each state, and each state's place in the workflow.
STATUS_SHARES = (
    ("new", 0.22),
    ("acknowledged", 0.10),
    ("in_progress", 0.12),
    ("information_requested", 0.03),
    ("answered", 0.05),
    ("resolved", 0.23),
    ("closed", 0.15),
    ("rejected", 0.10),
)
# One report in five past "new" is assigned to the officer (the plan's assignee, set at load).
ASSIGNED_SHARE = 0.2
PRIORITY_SHARES = (("normal", 0.8), ("urgent", 0.1), ("complex", 0.1))


# --- the database -------------------------------------------------------------------------------


def dataset_for(reports: int) -> Dataset:
    return dataset_of_size("staff_pages", DATASET_TITLE, reports)


def database_prepare(*, reload: bool = False, reports: int = REPORT_COUNT) -> Dataset:
    """Create and migrate the benchmark database of `reports` reports, set Django up on it, load
    it once."""
    dataset = dataset_for(reports)
    if database_ensure(dataset.database):
        print(f"created database {dataset.database}", flush=True)
    database_migrate(dataset.database)
    os.environ["REDIS_URL"] = CACHE_REDIS_URL
    django_setup(dataset.database)
    if not reload and _loaded_version(dataset) == DATASET_VERSION:
        return dataset
    started = time.perf_counter()
    print(f"loading {reports:,} reports into {dataset.database} …", flush=True)
    _load(dataset, reports)
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    return dataset


def _loaded_version(dataset: Dataset) -> int | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS benchmark_dataset "
            "(key text PRIMARY KEY, version integer NOT NULL, loaded_at timestamptz NOT NULL)"
        )
        cursor.execute("SELECT version FROM benchmark_dataset WHERE key = %s", [dataset.key])
        row = cursor.fetchone()
    return row[0] if row else None


def _load(dataset: Dataset, reports: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from incidents import services as incident_services
    from incidents.category_catalogue import CATEGORIES
    from wards.models import Agency, AgencyMembership, AgencyRole, Area, AreaLevel

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE incidents_incident CASCADE")
        AgencyMembership.objects.all().delete()
        User.objects.filter(username__in=[OFFICER, LEADER]).delete()
        Agency.jurisdiction.through.objects.all().delete()
        Agency.objects.all().delete()
        for level in (AreaLevel.COMMUNE, AreaLevel.DISTRICT, AreaLevel.PROVINCE):
            Area.objects.filter(level=level).delete()
        communes, committees = _territory_create()
        incident_services.categories_load_catalogue(catalogue=CATEGORIES)
        officer = User.objects.create_user(username=OFFICER, password=None)
        AgencyMembership.objects.create(user=officer, agency=committees[0], role=AgencyRole.OFFICER)
        leader = User.objects.create_user(username=LEADER, password=None)
        leader.groups.add(Group.objects.get(name="Lãnh đạo"))
        area, agency = communes[0], committees[0]
        started = time.perf_counter()
        # Uniform over the commune's square (the made-up communes are their bounding boxes).
        places = [
            ReportPlace(area.pk, agency.pk, point)
            for point in points_in_box(random.Random(SEED), area.boundary.extent, reports)
        ]
        loaded = reports_copy(
            plan=ReportPlan(
                seed=SEED,
                status_shares=STATUS_SHARES,
                priority_shares=PRIORITY_SHARES,
                assignee_id=officer.pk,
                assigned_share=ASSIGNED_SHARE,
                answer="Đơn vị đã kiểm tra và xử lý.",
            ),
            places=places,
            agency_names={agency.pk: agency.name},
            indexes_rebuilt=True,
        )
        print(
            f"  {loaded.reports:,} reports and {loaded.events:,} events written in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM benchmark_dataset")
            cursor.execute(
                "INSERT INTO benchmark_dataset VALUES (%s, %s, now())",
                [dataset.key, DATASET_VERSION],
            )
    started = time.perf_counter()
    tables_vacuum_analyze()
    print(f"  vacuumed and analysed in {time.perf_counter() - started:.0f} s", flush=True)


def _territory_create() -> tuple[list[Any], list[Any]]:
    """A province and six communes in a 3 × 2 grid of 0.1° squares (made-up shapes)."""
    from shapely.geometry import box

    from wards import services
    from wards.models import AgencyKind, AreaLevel, AreaType

    valid_from = datetime.date(2025, 7, 1)
    province = services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE,
        level=AreaLevel.PROVINCE, boundary=box(107.5, 14.0, 109.0, 15.5), valid_from=valid_from,
    )  # fmt: skip
    names = ("Phường Cẩm Thành", "Phường Nghĩa Lộ", "Phường Trương Quang Trọng", "Xã An Phú",
             "Xã Tịnh Khê", "Xã Đông Sơn")  # fmt: skip
    codes = ("21025", "21028", "21001", "21034", "21211", "21289")
    communes, committees = [], []
    for index, (name, code) in enumerate(zip(names, codes, strict=True)):
        west, south = 108.6 + 0.1 * (index % 3), 15.0 + 0.1 * (index // 3)
        area = services.area_create(
            code=code, name=name,
            area_type=AreaType.WARD if name.startswith("Phường") else AreaType.COMMUNE,
            level=AreaLevel.COMMUNE, boundary=box(west, south, west + 0.1, south + 0.1),
            valid_from=valid_from, parent=province,
        )  # fmt: skip
        communes.append(area)
        committees.append(
            services.agency_create(
                code=f"ubnd-{code}",
                name=f"Ủy ban nhân dân {name}",
                kind=AgencyKind.PEOPLES_COMMITTEE,
                jurisdiction=[area],
            )
        )
    return communes, committees


# --- measuring ----------------------------------------------------------------------------------


def session_cookie(username: str) -> str:
    """A signed-in session for `username`, as the login page would create it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend that checks passwords (the first one, django-axes's, only counts failures).
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def http_milliseconds(
    base_url: str, path: str, *, cookie: str, rows: int, count: int
) -> list[float]:
    """`count` GET requests, one at a time on one kept-alive connection; each in milliseconds,
    from sending the request to having read the whole page. Each page must hold `rows` rows."""
    parts = urlsplit(base_url)
    assert parts.hostname is not None, f"no host in {base_url}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    timings = []
    try:
        for _request in range(count):
            started = time.perf_counter_ns()
            connection.request(
                "GET", path, headers={"Accept-Encoding": "identity", "Cookie": cookie}
            )
            response = connection.getresponse()
            body = response.read()
            timings.append((time.perf_counter_ns() - started) / 1e6)
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
            found = len(re.findall(rb'<tr class="queue-row', body))
            if found != rows:
                raise RuntimeError(f"GET {path} showed {found} rows, not {rows}")
    finally:
        connection.close()
    return timings


def statements_of_request(path: str, username: str) -> list[tuple[str, Any]]:
    """Every SQL statement the page sends for `username`, captured in-process."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    # Signed in with a session made as the login page makes it, not force_login: that sends
    # user_logged_in from a request without an address, and django-axes, on in production
    # settings, then fails to record the login ("'None' does not appear to be an IPv4 …").
    name, key = session_cookie(username).split("=", 1)
    client.cookies[name] = key
    client.get(path)  # warm: the working calendar's configuration is cached after the first
    captured = statements_capture(lambda: client.get(path))
    return captured


def statements_replay_timings(
    dataset: Dataset, statements: list[tuple[str, Any]], *, count: int
) -> list[float]:
    return floor_replay_timings(dataset, statements, warm_up=WARM_UP_REQUESTS, count=count)


@contextmanager
def serving(dataset: Dataset) -> Iterator[str]:
    from wards.models import Area

    centre = Area.objects.get(code="21025").label_point
    probe = urlencode({"lat": f"{centre.y:.6f}", "lon": f"{centre.x:.6f}"})
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)  # gunicorn's log goes there
    with gunicorn_serving(dataset, ServerShape(workers=1, connections=1), probe) as base_url:
        yield base_url


def page_figures(
    base_url: str, dataset: Dataset, *, name: str, path: str, username: str
) -> list[Figure]:
    from incidents.models import Incident

    cookie = session_cookie(username)
    rows = min(50, _expected_rows(path, username))
    http_milliseconds(base_url, path, cookie=cookie, rows=rows, count=WARM_UP_REQUESTS)
    cpu_before = served_cpu_seconds(base_url, dataset.database)
    project = http_milliseconds(base_url, path, cookie=cookie, rows=rows, count=MEASURED_REQUESTS)
    cpu = (served_cpu_seconds(base_url, dataset.database) - cpu_before) / MEASURED_REQUESTS
    statements = statements_of_request(path, username)
    floor_cpu_before = database_backends_cpu_seconds(dataset.database) + time.process_time()
    floor = statements_replay_timings(dataset, statements, count=MEASURED_REQUESTS)
    floor_cpu = (
        database_backends_cpu_seconds(dataset.database) + time.process_time() - floor_cpu_before
    ) / (WARM_UP_REQUESTS + MEASURED_REQUESTS)
    total = Incident.objects.count()
    # `staff`, or `staff_<N>` at another size.
    figures_key = dataset.key.replace("staff_pages", DATASET_KEY)
    return [
        Figure(
            dataset=figures_key,
            name=f"{name}, p50",
            unit="ms",
            project=percentile(project, 50),
            floor=percentile(floor, 50),
            target_operator="≤",
            target_value=TARGET_P50_MILLISECONDS,
            note=f"{total:,} reports; {rows} rows shown; floor: the page's "
            f"{len(statements)} SQL statements replayed",
        ),
        Figure(
            dataset=figures_key,
            name=f"{name}, p95",
            unit="ms",
            project=percentile(project, 95),
            floor=percentile(floor, 95),
        ),
        # What the load of the shared machine disturbs least (benchmarks.common.served_cpu_seconds).
        Figure(
            dataset=figures_key,
            name=f"{name}, CPU per request",
            unit="ms",
            project=cpu * 1e3,
            floor=floor_cpu * 1e3,
            note="gunicorn + its PostgreSQL backend; floor: psycopg + backend",
        ),
    ]


def _expected_rows(path: str, username: str) -> int:
    from django.contrib.auth.models import User
    from django.http import QueryDict

    from incidents import staff_queue_selectors
    from incidents.staff_forms import QueueFilterForm

    user = User.objects.get(username=username)
    query = QueryDict(urlsplit(path).query)
    choices = staff_queue_selectors.staff_queue_choices(user=user)
    filters = QueueFilterForm(query, choices=choices).filters()
    return staff_queue_selectors.staff_queue(user=user, filters=filters).page.count


PAGES = (
    ("queue", "officer's queue (open, most urgent first)", "/can-bo/phan-anh/", OFFICER),
    ("all", "leader's queue of every report", "/can-bo/phan-anh/?status=all", LEADER),
    # The overdue list (issue 10): overdue reports, the longest overdue first, along the index.
    ("overdue", "officer's overdue reports", "/can-bo/phan-anh/?sort=overdue", OFFICER),
)


def staff_pages_figures(dataset: Dataset, parts: tuple[str, ...]) -> list[Figure]:
    figures: list[Figure] = []
    with serving(dataset) as base_url:
        for key, name, path, username in PAGES:
            if key in parts:
                measured = page_figures(base_url, dataset, name=name, path=path, username=username)
                print(figures_table(measured), flush=True)
                figures += measured
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", choices=[DATASET_KEY], default=DATASET_KEY)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--reload", action="store_true", help="load the reports again")
    parser.add_argument(
        "--load-only", action="store_true", help="prepare the database, measure nothing"
    )
    parser.add_argument(
        "--reports",
        type=int,
        default=REPORT_COUNT,
        help=f"how many reports (default {REPORT_COUNT:,}); each number has its own database",
    )
    parser.add_argument(
        "--only", nargs="+", choices=[key for key, *_ in PAGES], default=[k for k, *_ in PAGES]
    )
    arguments = parser.parse_args()
    dataset = database_prepare(reload=arguments.reload, reports=arguments.reports)
    if arguments.load_only:
        return
    figures = staff_pages_figures(dataset, tuple(arguments.only))
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"\n{figures_table(figures)}")


if __name__ == "__main__":
    main()
