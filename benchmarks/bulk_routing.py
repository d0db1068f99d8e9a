"""Figure 4: routing 1,000,000 points in one set-based statement.

The project's figure is `wards.bulk_routing.points_count_by_area(table="benchmark_point", ...)`:
the commune of each of the 1,000,000 points of `benchmark_point`, counted per commune, with the
polygons on the outer side of the join. The raw-SQL floor is the same statement run by psql
(its `\\timing`). Beside them, the planner's own plan for the plain join of points and communes,
also in psql.

    .venv/bin/python -m benchmarks.bulk_routing real      # or synthetic
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time
from pathlib import Path

from benchmarks.common import (
    Figure,
    database_server,
    django_setup,
    figures_table,
    figures_write,
)
from benchmarks.datasets import BULK_POINT_COUNT, DATASETS, LOOKUP_DAY, Dataset

TARGET_SECONDS = 5.0
POINTS_TABLE = "benchmark_point"

# The join as anyone would first write it; the planner chooses which side goes outside.
PLANNER_DEFAULT_SQL = """
    SELECT area.id, count(*) AS points
    FROM wards_area area
    JOIN benchmark_point point ON ST_Covers(area.boundary, point.location)
    WHERE area.level = %(level)s
      AND area.valid_from <= %(day)s
      AND (area.valid_to IS NULL OR area.valid_to >= %(day)s)
    GROUP BY area.id
"""


def psql_seconds(dataset: Dataset, statement: str) -> float:
    """How long psql reports (`\\timing`) for `statement`, its rows thrown away."""
    completed = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"]
        + ["-c", "\\timing on", "-c", statement],
        env=database_server().libpq_environment(dataset.database),
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Time: ([0-9.]+) ms", completed.stdout)
    if match is None:
        raise RuntimeError(f"psql printed no timing: {completed.stdout}{completed.stderr}")
    return float(match.group(1)) / 1000


def with_literals(statement: str) -> str:
    """The statement as Django sends it: parameters bound on the client, as literals."""
    return statement.replace("%(level)s", "'commune'").replace(
        "%(day)s", f"'{LOOKUP_DAY.isoformat()}'::date"
    )


def bulk_routing_figures(dataset: Dataset) -> list[Figure]:
    from wards.bulk_routing import points_count_by_area, points_count_by_area_sql

    # The first pass reads the points and polygons into the cache; every measured pass finds
    # them there, as a routinely used table would be.
    points_count_by_area(table=POINTS_TABLE, on=LOOKUP_DAY)

    started = time.perf_counter()
    counts = points_count_by_area(table=POINTS_TABLE, on=LOOKUP_DAY)
    project_seconds = time.perf_counter() - started
    routed = sum(counts.values())
    if abs(routed - BULK_POINT_COUNT) > BULK_POINT_COUNT // 1000:
        raise RuntimeError(f"{routed} points routed, expected {BULK_POINT_COUNT}")

    floor_seconds = psql_seconds(
        dataset, with_literals(points_count_by_area_sql(table=POINTS_TABLE))
    )
    default_seconds = psql_seconds(dataset, with_literals(PLANNER_DEFAULT_SQL))
    return [
        Figure(
            dataset=dataset.key,
            name="1,000,000 points, polygons outside",
            unit="s",
            project=project_seconds,
            floor=floor_seconds,
            target_operator="≤",
            target_value=TARGET_SECONDS,
            note=f"{len(counts):,} areas, {routed:,} points routed",
        ),
        Figure(
            dataset=dataset.key,
            name="1,000,000 points, planner's default plan",
            unit="s",
            project=None,
            floor=default_seconds,
            note=f"plain join in psql, {default_seconds / floor_seconds:.1f}× the chosen plan",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    arguments = parser.parse_args()
    dataset = DATASETS[arguments.dataset]
    django_setup(dataset.database)
    figures = bulk_routing_figures(dataset)
    if arguments.json:
        figures_write(figures, arguments.json)
    print(figures_table(figures))


if __name__ == "__main__":
    main()
