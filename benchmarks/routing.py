"""Figure 2: the routing service `wards.selectors.route_point`, in process, one point at a time.

The project's figure is the p50 (and p95) of `route_point(point=..., category_code=..., on=...)`
over the sample points (random points inside the territory), for a category with no routing
rule, so every call goes all the way to the commune's People's Committee.

The raw-SQL floor is the very statements `route_point` sent for each point, captured with
Django's execute wrapper and replayed directly through psycopg as server-side prepared
statements on a connection of their own: what PostgreSQL needs to answer, without Django, the
ORM or the Python between the statements. pgbench running the same statements from a script is
the "same query in psql" floor; it runs on the statement of the lookup (figure 3).

    .venv/bin/python -m benchmarks.routing real      # or synthetic
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format

from benchmarks.common import (
    Figure,
    database_server,
    django_setup,
    figures_table,
    figures_write,
    percentile,
    process_cpu_seconds,
)
from benchmarks.datasets import DATASETS, LOOKUP_DAY, UNROUTED_CATEGORY, Dataset

WARM_UP_CALLS = 300
MEASURED_CALLS = 3_000
TARGET_P50_MILLISECONDS = 1.0

Statement = tuple[str, Any]


class _Ewkb(bytes):
    """A geometry as EWKB, sent to PostgreSQL in binary as the `geometry` type (as Django does)."""


def sample_points(count: int) -> list[tuple[float, float]]:
    """(longitude, latitude) of the first `count` points of `benchmark_point`, in id order."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(location), ST_Y(location) FROM benchmark_point WHERE id <= %s ORDER BY id",
            [count],
        )
        return list(cursor.fetchall())


def statements_capture(call: Callable[[], object]) -> list[Statement]:
    """The SQL statements and parameters `call` sends to the database, in order."""
    from django.contrib.gis.db.backends.postgis.adapter import PostGISAdapter
    from django.db import connection

    captured: list[Statement] = []

    def geometry_as_ewkb(value: Any) -> Any:
        return _Ewkb(value.ewkb) if isinstance(value, PostGISAdapter) else value

    def capture(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        if isinstance(params, dict):
            values: Any = {name: geometry_as_ewkb(value) for name, value in params.items()}
        else:
            values = tuple(geometry_as_ewkb(value) for value in params or ())
        captured.append((sql, values))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        call()
    return captured


def floor_connection(dataset: Dataset) -> psycopg.Connection:
    connection = psycopg.connect(database_server().conninfo(dataset.database), autocommit=True)
    (geometry_oid,) = connection.execute(
        "SELECT oid FROM pg_type WHERE typname = 'geometry'"
    ).fetchone()  # type: ignore[misc]

    class GeometryDumper(Dumper):
        format = Format.BINARY
        oid = geometry_oid

        def dump(self, obj: Any) -> bytes:
            return bytes(obj)

    connection.adapters.register_dumper(_Ewkb, GeometryDumper)
    return connection


def statements_replay_milliseconds(
    connection: psycopg.Connection, statements: list[Statement]
) -> float:
    started = time.perf_counter_ns()
    for sql, params in statements:
        connection.execute(sql, params, prepare=True).fetchall()
    return (time.perf_counter_ns() - started) / 1e6


def floor_replay_timings(
    dataset: Dataset, statements: list[Statement], *, warm_up: int, count: int
) -> list[float]:
    """Replay a request's statements `warm_up + count` times on one prepared floor connection;
    the milliseconds of each of the last `count` replays."""
    with floor_connection(dataset) as connection:
        replays = [
            statements_replay_milliseconds(connection, statements) for _ in range(warm_up + count)
        ]
    return replays[warm_up:]


def floor_replay_cpu_milliseconds(
    dataset: Dataset, statements: list[Statement], *, count: int
) -> float:
    """The CPU one replay of a request's statements costs: this process's (psycopg) and its
    backend's, over `count` replays after one that prepares them. Read from the backend while
    the connection is open: a backend's CPU is gone from /proc once it has ended."""
    with floor_connection(dataset) as connection:
        backend = connection.info.backend_pid
        statements_replay_milliseconds(connection, statements)
        before = process_cpu_seconds(backend) + time.process_time()
        for _ in range(count):
            statements_replay_milliseconds(connection, statements)
        used = process_cpu_seconds(backend) + time.process_time() - before
    return used / count * 1e3


def route_point_figures(dataset: Dataset) -> list[Figure]:
    from django.contrib.gis.geos import Point

    from wards.selectors import route_point

    coordinates = sample_points(WARM_UP_CALLS + MEASURED_CALLS)
    points = [Point(longitude, latitude, srid=4326) for longitude, latitude in coordinates]

    for point in points[:WARM_UP_CALLS]:
        route_point(point=point, category_code=UNROUTED_CATEGORY, on=LOOKUP_DAY)
    project: list[float] = []
    for point in points[WARM_UP_CALLS:]:
        started = time.perf_counter_ns()
        route_point(point=point, category_code=UNROUTED_CATEGORY, on=LOOKUP_DAY)
        project.append((time.perf_counter_ns() - started) / 1e6)

    per_point = [
        statements_capture(
            functools.partial(
                route_point, point=point, category_code=UNROUTED_CATEGORY, on=LOOKUP_DAY
            )
        )
        for point in points
    ]
    floor: list[float] = []
    with floor_connection(dataset) as connection:
        for statements in per_point[:WARM_UP_CALLS]:
            statements_replay_milliseconds(connection, statements)
        for statements in per_point[WARM_UP_CALLS:]:
            floor.append(statements_replay_milliseconds(connection, statements))

    statement_count = len(per_point[-1])
    note = f"{statement_count} SQL statement{'s' if statement_count > 1 else ''} per call"
    return [
        Figure(
            dataset=dataset.key,
            name="route_point p50",
            unit="ms",
            project=percentile(project, 50),
            floor=percentile(floor, 50),
            target_operator="≤",
            target_value=TARGET_P50_MILLISECONDS,
            note=note,
        ),
        Figure(
            dataset=dataset.key,
            name="route_point p95",
            unit="ms",
            project=percentile(project, 95),
            floor=percentile(floor, 95),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    arguments = parser.parse_args()
    dataset = DATASETS[arguments.dataset]
    django_setup(dataset.database)
    figures = route_point_figures(dataset)
    if arguments.json:
        figures_write(figures, arguments.json)
    print(figures_table(figures))


if __name__ == "__main__":
    main()
