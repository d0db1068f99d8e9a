"""The two data sets every figure is measured on, each in its own benchmark database.

- `real`: the 96 commune-level units of Quảng Ngãi from 1 July 2025 and province 51, imported
  from ../shared/geo by the project's own importer (`wards.boundary_import.areas_import`), read
  by path from settings.SHARED_GEO_DIR and never copied into the repository;
- `synthetic`: 3,321 communes in 34 provinces (see benchmarks/synthetic_territory.py).

Both get what routing needs to do its full work: a People's Committee per commune (the default
responsible unit), and per province a utility company with a routing rule for one category, so
the rules table is not empty. Both get a table `benchmark_point` of 1,000,000 random points inside
the communes (uniform over the territory, in random order, GiST-indexed); its first 10,000 rows
are the sample the single-point figures draw from.

Loading is skipped when the database already holds the current version of the data set.

    .venv/bin/python -m benchmarks.datasets real      # or synthetic
"""

from __future__ import annotations

import argparse
import datetime
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import database_ensure, database_migrate, database_name, django_setup

VALID_FROM = datetime.date(2025, 7, 1)
# Every figure looks points up on this day: after the reform, so the current areas answer.
LOOKUP_DAY = datetime.date(2026, 1, 15)
BULK_POINT_COUNT = 1_000_000
SAMPLE_POINT_COUNT = 10_000
# A category with no routing rule anywhere: routing falls through every rule to the commune's
# People's Committee, the longest path.
UNROUTED_CATEGORY = "xay-dung"
RULED_CATEGORY = "ve-sinh-moi-truong"
# Bump when the data a set holds changes, so existing benchmark databases are reloaded.
DATASET_VERSION = 1
POINT_SEED = 20250701


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str

    @property
    def database(self) -> str:
        return database_name(self.key)


# The page benchmarks' default number of reports; its databases keep the names they had before the
# size became a parameter (geoapp_benchmark_citizen_pages), the other sizes' names end with it.
DEFAULT_REPORT_COUNT = 10_000


def dataset_of_size(key: str, title: str, reports: int) -> Dataset:
    """The data set `key` holding `reports` reports, in a database of its own per size."""
    if reports < 1:
        raise SystemExit(f"the number of reports must be positive, not {reports}")
    if reports == DEFAULT_REPORT_COUNT:
        return Dataset(key, f"{title}, {reports:,} reports")
    return Dataset(f"{key}_{reports}", f"{title}, {reports:,} reports")


DATASETS = {
    "real": Dataset("real", "96 real units of Quảng Ngãi + province 51"),
    "synthetic": Dataset("synthetic", "3,321 synthetic communes in 34 provinces"),
}


def dataset_prepare(dataset: Dataset) -> None:
    """Create, migrate and fill the data set's database (in this process, which it sets up)."""
    if database_ensure(dataset.database):
        print(f"created database {dataset.database}", flush=True)
    database_migrate(dataset.database)
    django_setup(dataset.database)
    if _loaded_version(dataset) == DATASET_VERSION:
        return
    started = time.perf_counter()
    print(f"loading data set {dataset.key} into {dataset.database} …", flush=True)
    _areas_and_agencies_load(dataset)
    _points_create()
    _loaded_version_set(dataset)
    print(f"loaded data set {dataset.key} in {time.perf_counter() - started:.0f} s", flush=True)


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


def _loaded_version_set(dataset: Dataset) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM benchmark_dataset")
        cursor.execute(
            "INSERT INTO benchmark_dataset VALUES (%s, %s, now())", [dataset.key, DATASET_VERSION]
        )


def _areas_and_agencies_load(dataset: Dataset) -> None:
    from django.db import transaction

    from wards.models import Agency, Area, AreaLevel, AreaSuccession, RoutingRule

    with transaction.atomic():
        RoutingRule.objects.all().delete()
        Agency.jurisdiction.through.objects.all().delete()
        Agency.objects.all().delete()
        AreaSuccession.objects.all().delete()
        # Children first: an area's parent is protected.
        for level in (AreaLevel.COMMUNE, AreaLevel.DISTRICT, AreaLevel.PROVINCE):
            Area.objects.filter(level=level).delete()
        if dataset.key == "real":
            _real_areas_import()
        else:
            _synthetic_areas_create()
        _agencies_create()


def _real_areas_import() -> None:
    from django.conf import settings

    from wards.boundary_import import areas_import
    from wards.models import AreaLevel

    directory = Path(str(settings.SHARED_GEO_DIR))
    areas_import(
        path=directory / "qn2025_province_boundary.geojson",
        level=AreaLevel.PROVINCE,
        valid_from=VALID_FROM,
        name_field="fullName",
        commit=True,
    )
    areas_import(
        path=directory / "qn2025_wards_province_96.geojson",
        level=AreaLevel.COMMUNE,
        valid_from=VALID_FROM,
        name_field="fullName",
        parent_code="51",
        commit=True,
    )


def _synthetic_areas_create() -> None:
    from benchmarks.synthetic_territory import territory_generate
    from wards import services
    from wards.models import AreaLevel, AreaType

    territory = territory_generate()
    source = "benchmark: synthetic territory"
    provinces = [
        services.area_create(
            code=f"{number + 1:02d}",
            name=f"Tỉnh Mẫu {number + 1:02d}",
            area_type=AreaType.PROVINCE,
            level=AreaLevel.PROVINCE,
            boundary=boundary,
            valid_from=VALID_FROM,
            is_approximate=True,
            source=source,
        )
        for number, boundary in enumerate(territory.provinces)
    ]
    for number, (boundary, province) in enumerate(
        zip(territory.communes, territory.province_of_commune, strict=True)
    ):
        # About one unit in ten is a ward, as in the real list (9 of 96 in Quảng Ngãi).
        is_ward = number % 10 == 0
        services.area_create(
            code=f"{number + 1:05d}",
            name=f"{'Phường' if is_ward else 'Xã'} Mẫu {number + 1:04d}",
            area_type=AreaType.WARD if is_ward else AreaType.COMMUNE,
            level=AreaLevel.COMMUNE,
            boundary=boundary,
            valid_from=VALID_FROM,
            parent=provinces[province],
            is_approximate=True,
            source=source,
        )


def _agencies_create() -> None:
    from wards import services
    from wards.models import AgencyKind, Area, AreaLevel

    areas = Area.objects.defer("boundary").order_by("code")
    for commune in areas.filter(level=AreaLevel.COMMUNE):
        services.agency_create(
            code=f"ubnd-{commune.code}",
            name=f"Ủy ban nhân dân {commune.name}",
            kind=AgencyKind.PEOPLES_COMMITTEE,
            jurisdiction=[commune],
        )
    for province in areas.filter(level=AreaLevel.PROVINCE):
        utility = services.agency_create(
            code=f"moi-truong-{province.code}",
            name=f"Công ty Môi trường đô thị {province.name}",
            kind=AgencyKind.UTILITY,
            jurisdiction=[province],
        )
        services.routing_rule_create(area=province, agency=utility, category_code=RULED_CATEGORY)


def _points_create() -> None:
    """`benchmark_point(id, location)`: points spread uniformly over the communes, in random order.

    Each commune gets a share of the points proportional to its area (largest remainders, so
    they add up exactly), generated by PostGIS inside its boundary; the rows are then shuffled,
    because points arrive in no spatial order, and numbered from 1.
    """
    from django.db import connection, transaction

    from wards.models import Area, AreaLevel

    communes = list(
        Area.objects.filter(level=AreaLevel.COMMUNE).order_by("id").values_list("id", "area_km2")
    )
    total_area = sum(area for _id, area in communes)
    exact = [BULK_POINT_COUNT * area / total_area for _id, area in communes]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda index: exact[index] - counts[index])
    for index in by_remainder[len(by_remainder) - (BULK_POINT_COUNT - sum(counts)) :]:
        counts[index] += 1

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS benchmark_point, benchmark_point_unordered")
        cursor.execute(
            "CREATE UNLOGGED TABLE benchmark_point_unordered (location geometry(Point, 4326))"
        )
        for (area_id, _area), count in zip(communes, counts, strict=True):
            if count:
                cursor.execute(
                    "INSERT INTO benchmark_point_unordered "
                    "SELECT (ST_Dump(ST_GeneratePoints(boundary, %s, %s))).geom "
                    "FROM wards_area WHERE id = %s",
                    [count, POINT_SEED + area_id, area_id],
                )
        cursor.execute("SELECT setseed(0.25)")
        cursor.execute(
            "CREATE TABLE benchmark_point AS "
            "SELECT (row_number() OVER (ORDER BY random()))::integer AS id, location "
            "FROM benchmark_point_unordered"
        )
        cursor.execute("DROP TABLE benchmark_point_unordered")
        cursor.execute("ALTER TABLE benchmark_point ADD PRIMARY KEY (id)")
        cursor.execute("ALTER TABLE benchmark_point ALTER COLUMN location SET NOT NULL")
        cursor.execute(
            "CREATE INDEX benchmark_point_location ON benchmark_point USING gist (location)"
        )
    with connection.cursor() as cursor:
        # Fresh planner statistics for every table a figure reads: right after a bulk load,
        # autovacuum has not run yet, and a planner that believes the agency table holds one
        # row picks a sequential scan of all 3,321 committees.
        for table in (
            "benchmark_point",
            "wards_area",
            "wards_agency",
            "wards_agency_jurisdiction",
            "wards_routingrule",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=sorted(DATASETS))
    arguments = parser.parse_args()
    dataset_prepare(DATASETS[arguments.dataset])


if __name__ == "__main__":
    main()
