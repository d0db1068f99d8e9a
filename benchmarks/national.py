"""Issue 14's figures over the national territory: 3,321 synthetic communes in 34 provinces
(benchmarks/synthetic_territory.py) holding N reports (10,000 or 1,000,000), each beside its
raw-SQL floor.

The database (one per size, `<prefix>_national_<N>`) holds the synthetic territory as
benchmarks/datasets.py makes it (communes, provinces, a People's Committee per commune, a utility
with a routing rule per province) and the reports written by COPY (benchmarks/report_loader.py),
spread over the last 90 days as the citizens' pages' data set is. Each commune gets the same
number of reports (largest remainders): communes hold similar populations, so the small
communes of the clustered town areas are the dense ones, as towns are. A second size is made as a
copy of the first one loaded (creating 3,321 communes through the services takes minutes), whose
reports are then replaced.

Figures (the same code as benchmarks/open_data.py and benchmarks/spatial_reports.py, which say how
each is measured):
- vector tiles of the public reports, fresh, p95 at every zoom 5–16, centred on the busiest
  ward's point;
- an OGC API items page of 1,000 features;
- the report builder's summary per commune of all the reports of a year (3,321 rows);
- a GeoPackage of about 100,000 reports (every report of the latest days holding that many);
- the indicators' choropleth as tiles (`/tiles/chi-tieu/…`), one approved value per commune.

No polygon figure: the report builder refuses a polygon that does not meet the province of
settings.TERRITORY_ROOT_CODE (Quảng Ngãi), and the synthetic territory is elsewhere.

    .venv/bin/python -m benchmarks.national --reports N [--json figures.json] [--load-only]
        [--only open-data choropleth spatial-reports]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from benchmarks.citizen_pages import REPORT_PLAN, _shares, points_in_area
from benchmarks.common import (
    Figure,
    database_copy_of_another_size,
    database_ensure,
    database_migrate,
    django_setup,
    figures_table,
    figures_write,
    load_average,
)
from benchmarks.datasets import Dataset, dataset_of_size
from benchmarks.report_loader import Place, reports_copy, tables_vacuum_analyze

DATASET_TITLE = "3,321 synthetic communes in 34 provinces"
DATASET_KEY_PREFIX = "national_"
# Bump when what the database holds changes, so an existing benchmark database is reloaded.
DATASET_VERSION = 1
SEED = 20260702


def dataset_for(reports: int) -> Dataset:
    # Always suffixed with the size (dataset_of_size leaves 10,000 unsuffixed), so that every size
    # shares the copy prefix.
    base = dataset_of_size("national", DATASET_TITLE, reports)
    return Dataset(f"national_{reports}", base.title)


def national_prepare(*, reports: int, reload: bool = False) -> Dataset:
    """Create, migrate and fill the national database of `reports` reports; set Django up on it."""
    dataset = dataset_for(reports)
    if database_copy_of_another_size(dataset.database, key_prefix=DATASET_KEY_PREFIX):
        print(f"created database {dataset.database} from another size's territory", flush=True)
    elif database_ensure(dataset.database):
        print(f"created database {dataset.database}", flush=True)
    database_migrate(dataset.database)
    django_setup(dataset.database)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS benchmark_dataset "
            "(key text PRIMARY KEY, version integer NOT NULL, loaded_at timestamptz NOT NULL)"
        )
        cursor.execute("SELECT version FROM benchmark_dataset WHERE key = %s", [dataset.key])
        row = cursor.fetchone()
    if not reload and row and row[0] == DATASET_VERSION:
        return dataset
    started = time.perf_counter()
    print(f"loading {dataset.title} into {dataset.database} …", flush=True)
    _load(dataset, reports)
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    return dataset


def _load(dataset: Dataset, reports: int) -> None:
    from django.db import connection, transaction

    from benchmarks.datasets import _agencies_create, _synthetic_areas_create
    from incidents import services as incident_services
    from incidents.category_catalogue import CATEGORIES
    from wards.models import Agency, AgencyKind, Area, AreaLevel, AreaSuccession, RoutingRule

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE incidents_incident CASCADE")
            cursor.execute("DELETE FROM benchmark_dataset")
        committees = Agency.objects.filter(kind=AgencyKind.PEOPLES_COMMITTEE)
        if committees.count() != 3_321:
            started = time.perf_counter()
            RoutingRule.objects.all().delete()
            Agency.jurisdiction.through.objects.all().delete()
            Agency.objects.all().delete()
            AreaSuccession.objects.all().delete()
            for level in (AreaLevel.COMMUNE, AreaLevel.DISTRICT, AreaLevel.PROVINCE):
                Area.objects.filter(level=level).delete()
            _synthetic_areas_create()
            _agencies_create()
            print(f"  territory in {time.perf_counter() - started:.0f} s", flush=True)
        incident_services.categories_load_catalogue(catalogue=CATEGORIES)
        committee_of_area = dict(
            Agency.jurisdiction.through.objects.filter(
                agency__kind=AgencyKind.PEOPLES_COMMITTEE
            ).values_list("area_id", "agency_id")
        )
        started = time.perf_counter()
        places = _report_places(reports, committee_of_area)
        print(f"  {reports:,} points in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        loaded = reports_copy(
            plan=REPORT_PLAN,
            places=places,
            agency_names=dict(Agency.objects.values_list("id", "name")),
            indexes_rebuilt=True,
        )
        print(
            f"  {loaded.reports:,} reports and {loaded.events:,} events written in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO benchmark_dataset VALUES (%s, %s, now())",
                [dataset.key, DATASET_VERSION],
            )
    started = time.perf_counter()
    tables_vacuum_analyze()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  vacuumed and analysed in {time.perf_counter() - started:.0f} s", flush=True)


def _report_places(count: int, committee_of_area: dict[int, int]) -> list[Place]:
    """The same number of reports in every commune (largest remainders), each a point PostGIS
    generates inside the commune; in random order."""
    from django.db import connection

    from wards.models import Area, AreaLevel

    communes = list(
        Area.objects.filter(level=AreaLevel.COMMUNE).order_by("id").values_list("id", flat=True)
    )
    counts = _shares([1.0] * len(communes), count)
    places: list[Place] = []
    with connection.cursor() as cursor:
        for area_id, commune_count in zip(communes, counts, strict=True):
            points = points_in_area(cursor, area_id, commune_count, seed=SEED)
            agency_id = committee_of_area[area_id]
            places += [Place(area_id, agency_id, point) for point in points]
    assert len(places) == count, f"{len(places):,} points for {count:,} reports"
    random.Random(SEED).shuffle(places)
    return places


def _busiest_ward_point() -> tuple[float, float]:
    """A point inside the smallest commune (the densest: every commune holds as many reports)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(boundary) AS p FROM wards_area "
            "WHERE level = 'commune' ORDER BY area_km2, id LIMIT 1) smallest"
        )
        row = cursor.fetchone()
    assert row is not None
    return float(row[0]), float(row[1])


# The choropleth tiles' indicator: one approved value per commune for 2025, written once.
CHOROPLETH_INDICATOR = "bench-population"
CHOROPLETH_QUERY = (
    f"indicator={CHOROPLETH_INDICATOR}&period=2025&classification=quantiles&classes=5"
)


def _choropleth_values() -> None:
    from django.db import connection

    from indicators.models import Indicator

    if Indicator.objects.filter(code=CHOROPLETH_INDICATOR).exists():
        return
    indicator = Indicator.objects.create(
        code=CHOROPLETH_INDICATOR, name_vi="Dân số", name_en="Population", unit="người",
        kind="value", area_aggregation="sum", time_aggregation="last", direction="higher",
        period_type="year",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO indicators_indicatorvalue
                (indicator_id, area_id, period, period_start, period_end, value, status,
                 comment, updated_at)
            SELECT %(indicator)s, id, '2025', DATE '2025-01-01', DATE '2025-12-31',
                   1000 + (id * 37) %% 9000, 'approved', '', now()
            FROM wards_area WHERE level = 'commune'
            """,
            {"indicator": indicator.pk},
        )
        cursor.execute("ANALYZE indicators_indicatorvalue")


def choropleth_tile_figures(dataset: Dataset, centre: tuple[float, float]) -> list[Figure]:
    """The indicators' choropleth as tiles over the 3,321 communes: each zoom's tile built anew
    (its cache entry removed before each request; the communes' classes cached, as for every tile
    after the first of a revision), and the first tile after a value changed (classes computed
    again over every commune)."""
    from django.core.cache import cache
    from django.db import connection

    from benchmarks.open_data import TILE_ZOOMS, request_figure, tile_of
    from geoapp.clock import vietnam_today
    from indicators.periods import period_parse
    from indicators.selectors.catalogue import indicator_get
    from indicators.selectors.choropleth import answers_revision, choropleth_query

    _choropleth_values()
    query = choropleth_query(
        indicator=indicator_get(code=CHOROPLETH_INDICATOR), period=period_parse("2025"),
        level="commune", boundaries=vietnam_today(),
        parameters={"classification": "quantiles", "classes": "5"},
    )  # fmt: skip
    figures = []
    for z in TILE_ZOOMS:
        z, x, y = tile_of(*centre, z)

        def forget_tile(z: int = z, x: int = x, y: int = y) -> None:
            cache.delete(f"opendata:tile:chi-tieu:{query.key(answers_revision() or 0)}:{z}/{x}/{y}")

        figures.append(
            request_figure(
                dataset,
                f"choropleth tile z{z} (centre, fresh tile)",
                f"/tiles/chi-tieu/{z}/{x}/{y}.pbf?{CHOROPLETH_QUERY}",
                target=50,
                before=forget_tile,
            )  # fmt: skip
        )

    def change_a_value() -> None:
        # A write that changes nothing still renews the answers' revision (statement triggers).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE indicators_indicatorvalue SET value = value WHERE id = "
                "(SELECT min(id) FROM indicators_indicatorvalue)"
            )

    z, x, y = tile_of(*centre, 8)
    figures.append(
        request_figure(
            dataset,
            "choropleth tile z8, the first after a value changed",
            f"/tiles/chi-tieu/{z}/{x}/{y}.pbf?{CHOROPLETH_QUERY}",
            target=50,
            before=change_a_value,
        )  # fmt: skip
    )
    return figures


FIGURE_GROUPS = ("open-data", "choropleth", "spatial-reports")


def national_figures(dataset: Dataset, groups: tuple[str, ...] = FIGURE_GROUPS) -> list[Figure]:
    from benchmarks.open_data import open_data_figures
    from benchmarks.spatial_reports import spatial_report_figures

    centre = _busiest_ward_point()
    figures: list[Any] = []
    if "open-data" in groups:
        figures += open_data_figures(dataset, centre=centre)
    if "choropleth" in groups:
        figures += choropleth_tile_figures(dataset, centre)
    if "spatial-reports" in groups:
        figures += spatial_report_figures(dataset, territory_wide=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--only", nargs="+", choices=FIGURE_GROUPS, default=FIGURE_GROUPS)
    arguments = parser.parse_args()
    dataset = national_prepare(reports=arguments.reports, reload=arguments.reload)
    if arguments.load_only:
        return
    print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
    figures = national_figures(dataset, tuple(arguments.only))
    print(f"one-minute load average after measuring: {load_average():.2f}")
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"\n{figures_table(figures)}")
    print(json.dumps({"load_average": load_average()}))


if __name__ == "__main__":
    main()
