"""Open data (issue 14): OGC API – Features pages and vector tiles at 10,000 and 1,000,000
public reports, with the raw-SQL floor beside each figure.

The data set is the citizens' pages' (benchmarks/citizen_pages.py: the 96 real communes of
Quảng Ngãi, reports written by COPY, seven in ten in the former city), in its database per size.
Each figure is the request through Django in this process (the test client: URL routing,
middleware, the view, the selector; no HTTP server), p50 and p95 over repeated requests; the
floor replays the statements the request sent on one psycopg connection, prepared.

Tiles are measured fresh: the low-zoom tiles' cache is bypassed by giving the grid a new version
before each request, so every figure includes building the tile.

    .venv/bin/python -m benchmarks.open_data [--reports N] [--json figures.json]
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.citizen_pages import database_prepare
from benchmarks.common import Figure, figures_table, figures_write, load_average, percentile
from benchmarks.datasets import Dataset
from benchmarks.routing import floor_replay_timings, statements_capture

WARM_UP = 3
MEASURED = 20
CITY_CENTRE = (108.80, 15.12)
TILE_ZOOMS = tuple(range(5, 17))  # every zoom of the target, 5 to 16


def tile_of(longitude: float, latitude: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    radians = math.radians(latitude)
    x = int((longitude + 180) / 360 * n)
    y = int((1 - math.log(math.tan(radians) + 1 / math.cos(radians)) / math.pi) / 2 * n)
    return z, x, y


def request_figure(
    dataset: Dataset,
    name: str,
    path: str,
    *,
    target: float | None,
    fresh_grid: bool = False,
    before: Callable[[], None] | None = None,
) -> Figure:
    from django.core.cache import cache
    from django.test import Client

    from opendata.services import GRID_VERSION_KEY

    client = Client(HTTP_HOST="127.0.0.1")

    def call() -> None:
        if fresh_grid:
            cache.set(GRID_VERSION_KEY, f"benchmark-{time.time_ns()}", timeout=None)
        if before is not None:
            before()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])

    for _ in range(WARM_UP):
        call()
    timings = []
    for _ in range(MEASURED):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    statements = [
        statement
        for statement in statements_capture(call)
        # The floor is the statements that build the answer, not Django's session or
        # connection set-up.
        if "opendata_" in statement[0]
    ]
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


def open_data_figures(
    dataset: Dataset, *, centre: tuple[float, float] = CITY_CENTRE
) -> list[Figure]:
    """The figures with tiles around `centre` (longitude, latitude): the former city by default,
    another point on another territory (benchmarks/national.py)."""
    from opendata.services import report_grid_refresh

    started = time.perf_counter()
    report_grid_refresh()
    refresh_ms = (time.perf_counter() - started) * 1000
    figures = [
        Figure(dataset=dataset.title, name="report grid refresh", unit="ms", project=refresh_ms)
    ]
    items = "/ogc/collections/phan-anh/items"
    figures.append(
        request_figure(dataset, "OGC items, 1,000 features", f"{items}?limit=1000", target=150)
    )
    figures.append(
        request_figure(
            dataset,
            "OGC items, 1,000 in a city bbox, EPSG:3406",
            f"{items}?limit=1000&bbox=108.75,15.05,108.85,15.2"
            "&crs=http://www.opengis.net/def/crs/EPSG/0/3406",
            target=150,
        )
    )
    figures.append(
        request_figure(
            dataset, "OGC items, 1,000 at offset 10,000", f"{items}?limit=1000&offset=10000",
            target=150,
        )
    )  # fmt: skip
    for z in TILE_ZOOMS:
        z, x, y = tile_of(*centre, z)
        figures.append(
            request_figure(
                dataset,
                f"report tile z{z} ({'city centre' if centre == CITY_CENTRE else 'centre'}, fresh)",
                f"/tiles/phan-anh/{z}/{x}/{y}.mvt",
                target=50,
                fresh_grid=True,
            )
        )
    z, x, y = tile_of(*centre, 8)
    figures.append(
        request_figure(
            dataset, "commune tile z8 (cached)", f"/tiles/xa-phuong/{z}/{x}/{y}.mvt", target=50
        )
    )
    return figures


def files_figure(dataset: Dataset, directory: Path) -> Figure:
    from opendata.services import open_data_files_write

    started = time.perf_counter()
    metadata = open_data_files_write(directory=directory)
    return Figure(
        dataset=dataset.title,
        name=f"open-data files (GeoPackage, GeoJSON, CSV) of {metadata['report_count']:,} reports",
        unit="ms",
        project=(time.perf_counter() - started) * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--files", action="store_true", help="also time the daily files")
    arguments = parser.parse_args()
    dataset = database_prepare(reports=arguments.reports)
    print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
    figures = open_data_figures(dataset)
    if arguments.files:
        figures.append(files_figure(dataset, Path("var/benchmark_open_data")))
    print(f"one-minute load average after measuring: {load_average():.2f}")
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"\n{figures_table(figures)}")


if __name__ == "__main__":
    main()
