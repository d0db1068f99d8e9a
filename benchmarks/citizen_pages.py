"""The citizens' pages (issue 4): the home page, the public map's endpoint and the tracking page,
with 10,000 reports, or any number (`--reports`, issue 10).

Measured on a database of its own per size, `geoapp_benchmark_citizen_pages` for 10,000 reports
and `geoapp_benchmark_citizen_pages_<N>` for N, holding the 96 real communes of Quảng Ngãi from
1 July 2025 (imported at run time from ../shared/geo by the project's importer, never copied into
the repository), a People's Committee per commune, the eight feedback categories, and the reports
written by COPY (benchmarks/report_loader.py): seven in ten in the six communes of the former city
(where people live), the rest over the province in proportion to area; spread over the last 90
days, in every state, a few hidden or rejected as spam; each with its public timeline.

Figures, each through gunicorn (one sync worker, one request at a time on a kept-alive
connection), p50 and p95 over repeated requests, with the raw-SQL floor beside it: every statement
the request sends, captured in-process and replayed by psycopg as prepared statements.

1. The home page `GET /` (server-side render: filters, figures, latest answers). Target ≤ 200 ms.
2. The public map's endpoint `GET /api/v1/incident-map/?bbox=&zoom=` for three views: the
   province at zoom 9 and the city at zoom 12 (grouped on a grid in SQL), a street at zoom 16 (one
   feature per report).
3. The tracking page of a report `GET /phan-anh/<code>/` (status, timeline, answer).

    .venv/bin/python -m benchmarks.citizen_pages [--reports N] [--json figures.json] [--reload]
        [--load-only]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks.common import (
    RESULTS_DIRECTORY,
    Figure,
    database_ensure,
    database_migrate,
    django_setup,
    figures_table,
    figures_write,
    load_average,
    percentile,
    served_cpu_seconds,
)
from benchmarks.datasets import DEFAULT_REPORT_COUNT, Dataset, dataset_of_size
from benchmarks.lookup_api import ServerShape, gunicorn_serving
from benchmarks.report_loader import Place, ReportPlan, reports_copy, tables_vacuum_analyze
from benchmarks.routing import (
    floor_replay_cpu_milliseconds,
    floor_replay_timings,
    statements_capture,
)

DATASET_TITLE = "96 real communes of Quảng Ngãi"
DATASET_KEY = "citizen"
# Bump when what the database holds changes, so an existing benchmark database is reloaded.
DATASET_VERSION = 1

REPORT_COUNT = DEFAULT_REPORT_COUNT
# The 10,000-report data set, whose database benchmarks/load.py copies.
DATASET = dataset_of_size("citizen_pages", DATASET_TITLE, REPORT_COUNT)
# ST_GeneratePoints is asked for at most this many points at a time (one commune may get 230,000
# of a million): each call builds its points as one MultiPoint in memory.
POINTS_PER_CALL = 50_000
CITY_SHARE = 0.7
CITY_COMMUNES = (
    "Phường Cẩm Thành",
    "Phường Nghĩa Lộ",
    "Phường Trương Quang Trọng",
    "Xã An Phú",
    "Xã Tịnh Khê",
    "Xã Đông Sơn",
)
SEED = 20260701
HOME_TARGET_P50_MILLISECONDS = 200.0
WARM_UP_REQUESTS = 5
MEASURED_REQUESTS = 40
CPU_FLOOR_REPLAYS = 10
# The cache of this benchmark alone (Redis database 11 of the local server, unless
# GEOAPP_BENCHMARK_REDIS_URL names another: people measuring at once on one machine would
# otherwise read each other's cached pages, built from other databases).
CACHE_REDIS_URL = os.environ.get("GEOAPP_BENCHMARK_REDIS_URL", "redis://127.0.0.1:6379/11")

STATUS_SHARES = (
    ("new", 0.20),
    ("acknowledged", 0.10),
    ("in_progress", 0.12),
    ("information_requested", 0.03),
    ("answered", 0.07),
    ("resolved", 0.25),
    ("closed", 0.15),
    ("rejected", 0.08),
)
REPORT_PLAN = ReportPlan(seed=SEED, status_shares=STATUS_SHARES, public_share=0.97, spam_share=0.5)


# --- the database -------------------------------------------------------------------------------


def dataset_for(reports: int) -> Dataset:
    return dataset_of_size("citizen_pages", DATASET_TITLE, reports)


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
    print(f"loading the communes and {reports:,} reports into {dataset.database} …", flush=True)
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
    from django.db import connection, transaction

    from incidents import services as incident_services
    from incidents.category_catalogue import CATEGORIES
    from wards.models import Agency, Area, AreaLevel, AreaSuccession, RoutingRule

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE incidents_incident CASCADE")
        RoutingRule.objects.all().delete()
        Agency.jurisdiction.through.objects.all().delete()
        Agency.objects.all().delete()
        AreaSuccession.objects.all().delete()
        for level in (AreaLevel.COMMUNE, AreaLevel.DISTRICT, AreaLevel.PROVINCE):
            Area.objects.filter(level=level).delete()
        committees = _territory_import()
        incident_services.categories_load_catalogue(catalogue=CATEGORIES)
        started = time.perf_counter()
        places = _report_places(reports, committees)
        print(f"  {reports:,} points in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        loaded = reports_copy(
            plan=REPORT_PLAN,
            places=places,
            agency_names={agency.pk: agency.name for agency in committees.values()},
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
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  vacuumed and analysed in {time.perf_counter() - started:.0f} s", flush=True)


def _territory_import() -> dict[int, Any]:
    """The real province and its 96 communes, read by path; a People's Committee per commune."""
    from django.conf import settings

    from wards import services
    from wards.boundary_import import areas_import
    from wards.models import AgencyKind, Area, AreaLevel

    directory = Path(str(settings.SHARED_GEO_DIR))
    valid_from = datetime.date(2025, 7, 1)
    areas_import(
        path=directory / "qn2025_province_boundary.geojson",
        level=AreaLevel.PROVINCE,
        valid_from=valid_from,
        name_field="fullName",
        commit=True,
    )
    areas_import(
        path=directory / "qn2025_wards_province_96.geojson",
        level=AreaLevel.COMMUNE,
        valid_from=valid_from,
        name_field="fullName",
        parent_code="51",
        commit=True,
    )
    committees = {}
    for commune in Area.objects.filter(level=AreaLevel.COMMUNE).defer("boundary"):
        committees[commune.pk] = services.agency_create(
            code=f"ubnd-{commune.code}",
            name=f"Ủy ban nhân dân {commune.name}",
            kind=AgencyKind.PEOPLES_COMMITTEE,
            jurisdiction=[commune],
        )
    return committees


def _report_places(count: int, committees: dict[int, Any]) -> list[Place]:
    """Where each report is, generated by PostGIS inside the communes: CITY_SHARE of them in the
    six communes of the former city, the rest in proportion to area; in random order."""
    from django.db import connection

    from wards.models import Area, AreaLevel

    communes = list(
        Area.objects.filter(level=AreaLevel.COMMUNE)
        .order_by("id")
        .values_list("id", "name", "area_km2")
    )
    city = [row for row in communes if row[1] in CITY_COMMUNES]
    if len(city) != len(CITY_COMMUNES):
        raise SystemExit(f"the six communes of the former city were not all found: {city}")
    city_count = round(count * CITY_SHARE)
    counts = _shares([area for _id, _name, area in city], city_count)
    elsewhere = [row for row in communes if row[1] not in CITY_COMMUNES]
    counts += _shares([area for _id, _name, area in elsewhere], count - city_count)
    places = []
    with connection.cursor() as cursor:
        for (area_id, _name, _area), commune_count in zip([*city, *elsewhere], counts, strict=True):
            agency_id = committees[area_id].pk
            # The seed is the one the 10,000-report set always had.
            points = points_in_area(cursor, area_id, commune_count, seed=SEED)
            places += [Place(area_id, agency_id, point) for point in points]
    assert len(places) == count, f"{len(places):,} points for {count:,} reports"
    random.Random(SEED).shuffle(places)
    return places


def points_in_area(cursor: Any, area_id: int, count: int, *, seed: int) -> list[str]:
    """Exactly `count` random points inside the area, as hex EWKB, the same for the same seed.

    ST_GeneratePoints does not always return the number asked of a multipolygon (the first million
    came out 5 too many): ask again for what is missing, keep exactly the count.
    """
    points: list[str] = []
    call = 0
    while len(points) < count:
        cursor.execute(
            "SELECT encode(ST_AsEWKB(geom), 'hex') FROM (SELECT (ST_Dump(ST_GeneratePoints("
            "boundary, %s, %s))).geom FROM wards_area WHERE id = %s) generated",
            [min(POINTS_PER_CALL, count - len(points)), seed + area_id + call * 1_000_003, area_id],
        )
        points += [point for (point,) in cursor.fetchall()]
        call += 1
    return points[:count]


def _shares(weights: list[float], total: int) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainders (they add up exactly)."""
    exact = [total * weight / sum(weights) for weight in weights]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda index: exact[index] - counts[index])
    for index in by_remainder[len(by_remainder) - (total - sum(counts)) :]:
        counts[index] += 1
    return counts


# --- measuring ----------------------------------------------------------------------------------


def http_milliseconds(base_url: str, path: str, *, count: int, expect: bytes) -> list[float]:
    """`count` GET requests, one at a time on one kept-alive connection; each in milliseconds,
    from sending the request to having read the whole answer, which must contain `expect`."""
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
            if response.status != 200 or expect not in body:
                raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
    finally:
        connection.close()
    return timings


def statements_of_request(path: str) -> list[tuple[str, Any]]:
    """Every SQL statement the request sends, captured in-process."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)
    return statements_capture(lambda: client.get(path))


def statements_replay_timings(
    dataset: Dataset, statements: list[tuple[str, Any]], *, count: int
) -> list[float]:
    return floor_replay_timings(dataset, statements, warm_up=WARM_UP_REQUESTS, count=count)


@contextmanager
def serving(dataset: Dataset) -> Iterator[str]:
    from wards.models import Area

    centre = Area.objects.get(name="Phường Cẩm Thành").label_point
    probe = urlencode({"lat": f"{centre.y:.6f}", "lon": f"{centre.x:.6f}"})
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)  # gunicorn's log goes there
    with gunicorn_serving(dataset, ServerShape(workers=1, connections=1), probe) as base_url:
        yield base_url


def request_figures(
    base_url: str,
    dataset: Dataset,
    *,
    name: str,
    path: str,
    expect: bytes,
    target: float | None = None,
    note: str = "",
) -> list[Figure]:
    http_milliseconds(base_url, path, count=WARM_UP_REQUESTS, expect=expect)
    cpu_before = served_cpu_seconds(base_url, dataset.database)
    project = http_milliseconds(base_url, path, count=MEASURED_REQUESTS, expect=expect)
    cpu = (served_cpu_seconds(base_url, dataset.database) - cpu_before) / MEASURED_REQUESTS
    statements = statements_of_request(path)
    floor = statements_replay_timings(dataset, statements, count=MEASURED_REQUESTS)
    # Fewer replays than requests: a generic plan may take seconds (the grouped maps').
    floor_cpu = floor_replay_cpu_milliseconds(dataset, statements, count=CPU_FLOOR_REPLAYS)
    figures_key = figures_dataset(dataset)
    return [
        Figure(
            dataset=figures_key,
            name=f"{name}, p50",
            unit="ms",
            project=percentile(project, 50),
            floor=percentile(floor, 50),
            target_operator="≤" if target is not None else "",
            target_value=target,
            note=f"{note}; floor: {len(statements)} SQL statement"
            f"{'s' if len(statements) != 1 else ''} replayed",
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
            floor=floor_cpu,
            note="gunicorn + its PostgreSQL backend; floor: psycopg + backend",
        ),
    ]


# Views of the public map: (key, name, bounding box, zoom). The province's extent, the former
# city's, and one street of Cẩm Thành.
def map_views() -> list[tuple[str, str, tuple[float, float, float, float], int]]:
    from django.contrib.gis.db.models import Extent

    from wards.models import Area, AreaLevel

    province = Area.objects.filter(level=AreaLevel.PROVINCE).aggregate(extent=Extent("boundary"))
    city = Area.objects.filter(name__in=CITY_COMMUNES).aggregate(extent=Extent("boundary"))
    centre = Area.objects.get(name="Phường Cẩm Thành").label_point
    street = (centre.x - 0.006, centre.y - 0.004, centre.x + 0.006, centre.y + 0.004)
    return [
        ("map_province", "map, province at zoom 9 (grouped)", province["extent"], 9),
        ("map_city", "map, former city at zoom 12 (grouped)", city["extent"], 12),
        ("map_street", "map, a street at zoom 16 (every report)", street, 16),
    ]


def figures_dataset(dataset: Dataset) -> str:
    """The data set column of the figures: `citizen`, or `citizen_<N>` at another size."""
    return dataset.key.replace("citizen_pages", DATASET_KEY)


def citizen_pages_figures(dataset: Dataset, parts: tuple[str, ...]) -> list[Figure]:
    from incidents.models import Incident

    total = Incident.objects.count()
    public = Incident.objects.public().count()
    figures: list[Figure] = []
    with serving(dataset) as base_url:
        if "home" in parts:
            figures += request_figures(
                base_url,
                dataset,
                name="home page `/`",
                path="/",
                expect=b'id="incident-map"',
                target=HOME_TARGET_P50_MILLISECONDS,
                note=f"{total:,} reports ({public:,} public)",
            )
        for key, name, box, zoom in map_views():
            if key not in parts:
                continue
            path = "/api/v1/incident-map/?" + urlencode(
                {"bbox": ",".join(f"{value:.6f}" for value in box), "zoom": zoom}
            )
            document = json.loads(_get(base_url, path))
            figures += request_figures(
                base_url,
                dataset,
                name=name,
                path=path,
                expect=b'"FeatureCollection"',
                note=f"{document['numberMatched']:,} reports in the box, "
                f"{len(document['features']):,} features",
            )
        if "tracking" in parts:
            incident = (
                Incident.objects.public().filter(status="resolved").order_by("-reported_at").first()
            )
            assert incident is not None, "the tracking page needs a resolved public report"
            path = f"/phan-anh/{incident.tracking_code}/"
            figures += request_figures(
                base_url,
                dataset,
                name="tracking page `/phan-anh/<code>/`",
                path=path,
                expect=incident.tracking_code.encode(),
                note="a resolved report with its answer and timeline",
            )
    return figures


def _get(base_url: str, path: str) -> bytes:
    parts = urlsplit(base_url)
    assert parts.hostname is not None, f"no host in {base_url}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


PARTS = ("home", "map_province", "map_city", "map_street", "tracking")


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
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    arguments = parser.parse_args()
    dataset = database_prepare(reload=arguments.reload, reports=arguments.reports)
    if arguments.load_only:
        return
    print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
    figures = citizen_pages_figures(dataset, tuple(arguments.only))
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"one-minute load average after measuring: {load_average():.2f}")
    print(f"\n{figures_table(figures)}")


if __name__ == "__main__":
    main()
