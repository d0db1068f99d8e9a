"""The citizens' pages (issue 4): the home page, the public map's endpoint and the tracking page,
with 10,000 reports.

Measured on a database of its own, `geoapp_benchmark_citizen_pages`, holding the 96 real communes
of Quảng Ngãi from 1 July 2025 (imported at run time from ../shared/geo by the project's importer,
never copied into the repository), a People's Committee per commune, the eight feedback categories,
and 10,000 reports bulk-inserted: seven in ten in the six communes of the former city (where people
live), the rest over the province in proportion to area; spread over the last 90 days, in every
state, a few hidden or rejected as spam; each with its public timeline.

Figures, each through gunicorn (one sync worker, one request at a time on a kept-alive
connection), p50 and p95 over repeated requests, with the raw-SQL floor beside it: every statement
the request sends, captured in-process and replayed by psycopg as prepared statements.

1. The home page `GET /` (server-side render: filters, figures, latest answers). Target ≤ 200 ms.
2. The public map's endpoint `GET /api/v1/incident-map/?bbox=&zoom=` for three views: the
   province at zoom 9 and the city at zoom 12 (grouped on a grid in SQL), a street at zoom 16 (one
   feature per report).
3. The tracking page of a report `GET /phan-anh/<code>/` (status, timeline, answer).

    .venv/bin/python -m benchmarks.citizen_pages [--json figures.json] [--reload]
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
)
from benchmarks.datasets import Dataset
from benchmarks.lookup_api import ServerShape, gunicorn_serving
from benchmarks.routing import floor_replay_timings, statements_capture
from benchmarks.sample_reports import CATEGORY_ATTRIBUTES, DESCRIPTIONS

DATASET = Dataset("citizen_pages", "96 real communes of Quảng Ngãi, 10,000 reports")
DATASET_KEY = "citizen"
# Bump when what the database holds changes, so an existing benchmark database is reloaded.
DATASET_VERSION = 1

REPORT_COUNT = 10_000
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
# The cache of this benchmark alone (Redis database 11 of the local server).
CACHE_REDIS_URL = "redis://127.0.0.1:6379/11"

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
ANSWER = "Đơn vị đã kiểm tra hiện trường và xử lý; cảm ơn người dân đã phản ánh."


# --- the database -------------------------------------------------------------------------------


def database_prepare(*, reload: bool = False) -> None:
    """Create and migrate the benchmark database, set Django up on it, load it once."""
    if database_ensure(DATASET.database):
        print(f"created database {DATASET.database}", flush=True)
    database_migrate(DATASET.database)
    os.environ["REDIS_URL"] = CACHE_REDIS_URL
    django_setup(DATASET.database)
    if not reload and _loaded_version() == DATASET_VERSION:
        return
    started = time.perf_counter()
    print(f"loading the communes and {REPORT_COUNT:,} reports into {DATASET.database} …")
    _load()
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)


def _loaded_version() -> int | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS benchmark_dataset "
            "(key text PRIMARY KEY, version integer NOT NULL, loaded_at timestamptz NOT NULL)"
        )
        cursor.execute("SELECT version FROM benchmark_dataset WHERE key = %s", [DATASET.key])
        row = cursor.fetchone()
    return row[0] if row else None


def _load() -> None:
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
        _reports_insert(committees)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM benchmark_dataset")
            cursor.execute(
                "INSERT INTO benchmark_dataset VALUES (%s, %s, now())",
                [DATASET.key, DATASET_VERSION],
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


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


def _report_points() -> list[tuple[int, float, float]]:
    """(area id, longitude, latitude) of every report, generated by PostGIS inside the communes:
    CITY_SHARE of them in the six communes of the former city, the rest in proportion to area."""
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
    city_count = round(REPORT_COUNT * CITY_SHARE)
    counts = _shares([area for _id, _name, area in city], city_count)
    elsewhere = [row for row in communes if row[1] not in CITY_COMMUNES]
    counts += _shares([area for _id, _name, area in elsewhere], REPORT_COUNT - city_count)
    points = []
    with connection.cursor() as cursor:
        for (area_id, _name, _area), count in zip([*city, *elsewhere], counts, strict=True):
            if not count:
                continue
            cursor.execute(
                "SELECT ST_X(geom), ST_Y(geom) FROM (SELECT (ST_Dump(ST_GeneratePoints("
                "boundary, %s, %s))).geom FROM wards_area WHERE id = %s) generated",
                [count, SEED + area_id, area_id],
            )
            points += [(area_id, x, y) for x, y in cursor.fetchall()]
    random.Random(SEED).shuffle(points)
    return points


def _shares(weights: list[float], total: int) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainders (they add up exactly)."""
    exact = [total * weight / sum(weights) for weight in weights]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda index: exact[index] - counts[index])
    for index in by_remainder[len(by_remainder) - (total - sum(counts)) :]:
        counts[index] += 1
    return counts


def _reports_insert(committees: dict[int, Any]) -> None:
    """The reports with consistent states, stamps, deadlines and public timelines, bulk-inserted
    (the pages read them; how they were filed does not matter here)."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from geoapp.selectors import working_calendar
    from incidents.deadlines import deadlines_compute
    from incidents.models import Category, Incident, IncidentEvent, RejectionReason
    from incidents.reporter_tokens import reporter_token_for, reporter_token_hash
    from incidents.tracking_codes import tracking_code_generate

    generator = random.Random(SEED)
    calendar = working_calendar()
    categories = {category.code: category for category in Category.objects.all()}
    codes = list(CATEGORY_ATTRIBUTES)
    statuses = [status for status, _share in STATUS_SHARES]
    weights = [share for _status, share in STATUS_SHARES]
    now = timezone.now()
    tracking_codes: set[str] = set()
    reports: list[Incident] = []
    for index, (area_id, longitude, latitude) in enumerate(_report_points()):
        category = categories[codes[index % len(codes)]]
        status = generator.choices(statuses, weights)[0]
        age_days = generator.uniform(
            0, 12 if status not in ("resolved", "closed", "rejected") else 90
        )
        reported_at = now - datetime.timedelta(days=age_days)
        deadlines = deadlines_compute(
            calendar=calendar, category=category, priority="normal", counted_from=reported_at
        )
        code = tracking_code_generate()
        while code in tracking_codes:
            code = tracking_code_generate()
        tracking_codes.add(code)
        later = reported_at + (now - reported_at) * generator.uniform(0.1, 0.5)
        incident = Incident(
            tracking_code=code,
            category=category,
            description=DESCRIPTIONS[index % len(DESCRIPTIONS)],
            location=Point(longitude, latitude, srid=4326),
            address=f"Số {generator.randint(1, 300)} đường Hùng Vương",
            reported_at=reported_at,
            area_id=area_id,
            agency=committees[area_id],
            status=status,
            priority="normal",
            channel="web",
            attributes=CATEGORY_ATTRIBUTES[category.code],
            reporter_name="Người dân",
            reporter_phone="0905000000",
            reporter_token_hash=reporter_token_hash(reporter_token_for(code)),
            is_public=generator.random() > 0.03,
            deadlines_from=reported_at,
            acknowledge_by=deadlines.acknowledge_by,
            resolve_by=deadlines.resolve_by,
            supporters_count=generator.randint(0, 6),
        )
        if status != "new":
            incident.acknowledged_at = later
        if status in ("in_progress", "information_requested", "answered", "resolved", "closed"):
            incident.started_at = later
        if status in ("answered", "resolved", "closed"):
            incident.answered_at = later
            incident.public_answer = ANSWER
        if status in ("resolved", "closed"):
            incident.resolved_at = later
        if status == "closed":
            incident.closed_at = later
        if status == "rejected":
            incident.rejected_at = later
            incident.rejection_reason = generator.choice(
                [RejectionReason.OUTSIDE_SCOPE, RejectionReason.SPAM]
            )
        reports.append(incident)
    Incident.objects.bulk_create(reports, batch_size=2000)

    events = []
    for incident in reports:
        events.append(_event(incident, "created", "", "new", incident.reported_at))
        if incident.acknowledged_at:
            events.append(
                _event(incident, "acknowledged", "new", "acknowledged", incident.acknowledged_at)
            )
        if incident.answered_at:
            events.append(
                _event(
                    incident, "answered", "in_progress", "answered", incident.answered_at, ANSWER
                )
            )
        if incident.resolved_at:
            events.append(
                _event(incident, "resolved", "answered", "resolved", incident.resolved_at, ANSWER)
            )
    IncidentEvent.objects.bulk_create(events, batch_size=5000)
    # The event rows' moments are their own, not the moment of this insert.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_incidentevent SET created_at = (data->>'at')::timestamptz, data = '{}'"
        )


def _event(
    incident: Any, action: str, from_status: str, to_status: str, moment: Any, note: str = ""
) -> Any:
    from incidents.models import IncidentEvent

    return IncidentEvent(
        incident=incident,
        actor_label="Người phản ánh" if action == "created" else incident.agency.name,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        is_public=True,
        data={"at": moment.isoformat()},
    )


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


def statements_replay_timings(statements: list[tuple[str, Any]], *, count: int) -> list[float]:
    return floor_replay_timings(DATASET, statements, warm_up=WARM_UP_REQUESTS, count=count)


@contextmanager
def serving() -> Iterator[str]:
    from wards.models import Area

    centre = Area.objects.get(name="Phường Cẩm Thành").label_point
    probe = urlencode({"lat": f"{centre.y:.6f}", "lon": f"{centre.x:.6f}"})
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)  # gunicorn's log goes there
    with gunicorn_serving(DATASET, ServerShape(workers=1, connections=1), probe) as base_url:
        yield base_url


def request_figures(
    base_url: str,
    *,
    name: str,
    path: str,
    expect: bytes,
    target: float | None = None,
    note: str = "",
) -> list[Figure]:
    http_milliseconds(base_url, path, count=WARM_UP_REQUESTS, expect=expect)
    project = http_milliseconds(base_url, path, count=MEASURED_REQUESTS, expect=expect)
    statements = statements_of_request(path)
    floor = statements_replay_timings(statements, count=MEASURED_REQUESTS)
    return [
        Figure(
            dataset=DATASET_KEY,
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
            dataset=DATASET_KEY,
            name=f"{name}, p95",
            unit="ms",
            project=percentile(project, 95),
            floor=percentile(floor, 95),
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


def citizen_pages_figures(parts: tuple[str, ...]) -> list[Figure]:
    from incidents.models import Incident

    total = Incident.objects.count()
    public = Incident.objects.public().count()
    figures: list[Figure] = []
    with serving() as base_url:
        if "home" in parts:
            figures += request_figures(
                base_url,
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
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    arguments = parser.parse_args()
    database_prepare(reload=arguments.reload)
    print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
    figures = citizen_pages_figures(tuple(arguments.only))
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"one-minute load average after measuring: {load_average():.2f}")
    print(f"\n{figures_table(figures)}")


if __name__ == "__main__":
    main()
