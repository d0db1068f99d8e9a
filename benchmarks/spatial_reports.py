"""The planners' report builder (issue 14, part 1) at 10,000 and 1,000,000 reports, with the
raw-SQL floor beside each figure.

The data set is the citizens' pages' (benchmarks/citizen_pages.py: the 96 real communes of
Quảng Ngãi, reports written by COPY over the last 90 days, seven in ten in the former city), in
its database per size. Figures:

- a year's summary per commune: the builder's page through Django in this process (the test
  client, signed in as an administrator: routing, middleware, parsing, the summary, the
  template), p50 and p95; the floor replays the summary's statement on one prepared connection;
- a polygon over the former city (the convex hull of its six communes, pasted as GeoJSON),
  summarised per commune: the same, the floor being the summary's statement on the points;
- a GeoPackage of about 100,000 reports (the city polygon over the most recent days that hold
  that many): `export_write`, what the Celery task runs, once; the floor is GDAL's ogr2ogr
  writing the same rows from the same SQL straight from PostGIS.

    .venv/bin/python -m benchmarks.spatial_reports [--reports N] [--json figures.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.citizen_pages import database_prepare
from benchmarks.common import (
    Figure,
    database_server,
    figures_table,
    figures_write,
    load_average,
    percentile,
)
from benchmarks.datasets import Dataset
from benchmarks.routing import floor_replay_timings, statements_capture
from benchmarks.staff_pages import session_cookie

WARM_UP = 3
MEASURED = 20
FORMER_CITY_CODES = ("21025", "21028", "21172", "21034", "21211", "21109")
GEOPACKAGE_REPORTS = 100_000


def _city_polygon() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsGeoJSON(ST_ConvexHull(ST_Collect(boundary)), 6) FROM wards_area "
            "WHERE level = 'commune' AND valid_to IS NULL AND code = ANY(%s)",
            [list(FORMER_CITY_CODES)],
        )
        row = cursor.fetchone()
    assert row and row[0], "the former city's communes are missing"
    return str(row[0])


def _page_figure(
    dataset: Dataset, name: str, parameters: dict[str, str], target: float | None
) -> Figure:
    from django.contrib.auth.models import User
    from django.test import Client

    User.objects.update_or_create(
        username="benchmark-planner", defaults={"is_superuser": True, "is_active": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    # A session made as the login page makes it (force_login trips django-axes: see staff_pages).
    cookie_name, cookie_value = session_cookie("benchmark-planner").split("=", 1)
    client.cookies[cookie_name] = cookie_value
    path = f"/bao-cao-khong-gian/?{urlencode(parameters)}"

    def call() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])

    for _ in range(WARM_UP):
        call()
    timings = []
    for _ in range(MEASURED):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    # The floor: the statement that computes the table (not the session, the permission check,
    # the category list of the form, nor the polygon's check against the territory).
    statements = [s for s in statements_capture(call) if "GROUP BY" in s[0]]
    assert len(statements) == 1, statements
    floor = floor_replay_timings(dataset, statements, warm_up=WARM_UP, count=MEASURED)
    return Figure(
        dataset=dataset.title,
        name=name,
        unit="ms",
        project=percentile(timings, 95),
        floor=percentile(floor, 95),
        target_operator="≤" if target is not None else "",
        target_value=target,
        note=f"p50 {percentile(timings, 50):.1f} ms, floor p50 {percentile(floor, 50):.1f} ms",
        runs=timings,
        floor_runs=floor,
    )


def _first_day_holding(polygon: str | None, count: int, last: datetime.date) -> datetime.date:
    """The latest first day from which the polygon (every report when None) holds at least
    `count` reports up to `last`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT day FROM (SELECT (reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, "
            "sum(count(*)) OVER (ORDER BY (reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date DESC) "
            "AS total FROM incidents_incident "
            "WHERE %s::text IS NULL OR ST_Intersects(location, ST_GeomFromGeoJSON(%s)) "
            "GROUP BY 1) days WHERE total >= %s ORDER BY day DESC LIMIT 1",
            [polygon, polygon, count],
        )
        row = cursor.fetchone()
    return row[0] if row else last - datetime.timedelta(days=365)


def _geopackage_figure(dataset: Dataset, polygon: str | None, today: datetime.date) -> Figure:
    from django.db import connection

    from spatial_reports.queries import report_query_parse
    from spatial_reports.services import export_write

    first = _first_day_holding(polygon, GEOPACKAGE_REPORTS, today)
    period = {"tu": first.isoformat(), "den": today.isoformat()}
    query = report_query_parse(period | ({"vung": polygon} if polygon else {}))
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "project.gpkg"
        started = time.perf_counter()
        count = export_write(query=query, file_format="gpkg", target=target)
        project = (time.perf_counter() - started) * 1000
        # The floor: GDAL writing the same columns of the same reports straight from PostGIS.
        captured: list[Any] = []
        from spatial_reports.selectors import report_rows

        captured = statements_capture(lambda: report_rows(query))
        sql, parameters = captured[-1]
        with connection.cursor() as cursor:
            literal = cursor.mogrify(
                sql,
                {k: bytes(v) if isinstance(v, memoryview) else v for k, v in parameters.items()},
            )
        literal = literal.replace("ST_X(i.location), ST_Y(i.location)", "i.location")
        server = database_server()
        source = (
            f"PG:host={server.host} port={server.port} user={server.user} "
            f"password={server.password} dbname={dataset.database}"
        )
        started = time.perf_counter()
        subprocess.run(
            ["ogr2ogr", "-f", "GPKG", str(Path(directory) / "floor.gpkg"), source,
             "-sql", literal, "-nln", "phan_anh"],
            check=True,
        )  # fmt: skip
        floor = (time.perf_counter() - started) * 1000
    return Figure(
        dataset=dataset.title,
        name=f"GeoPackage of {count:,} reports ({'polygon' if polygon else 'all'}, from {first})",
        unit="ms",
        project=project,
        floor=floor,
        target_operator="≤",
        target_value=10_000,
        note="once; floor = ogr2ogr from PostGIS, same SQL",
    )


def spatial_report_figures(dataset: Dataset, *, territory_wide: bool = False) -> list[Figure]:
    """The figures over the former city's polygon; `territory_wide` (a territory other than
    Quảng Ngãi, whose polygons the builder refuses as outside the province): the summary per
    commune and a GeoPackage of every report of the latest days holding about 100,000."""
    from geoapp.clock import vietnam_today

    today = vietnam_today()
    year = {"tu": (today - datetime.timedelta(days=364)).isoformat(), "den": today.isoformat()}
    summary = _page_figure(
        dataset, "summary per commune, a year", {**year, "nhom": "commune"}, 2_000
    )
    if territory_wide:
        return [summary, _geopackage_figure(dataset, None, today)]
    polygon = _city_polygon()
    return [
        summary,
        _page_figure(
            dataset,
            "polygon over the former city, a year, per commune",
            {**year, "vung": polygon},
            2_000,
        ),
        _geopackage_figure(dataset, polygon, today),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    arguments = parser.parse_args()
    dataset = database_prepare(reports=arguments.reports)
    print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
    figures = spatial_report_figures(dataset)
    print(f"one-minute load average after measuring: {load_average():.2f}")
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"\n{figures_table(figures)}")
    print(json.dumps({"load_average": load_average()}))


if __name__ == "__main__":
    main()
