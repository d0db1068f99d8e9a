"""The operations centre's weekly report (issue 13, part 4): ≤ 60 s with 1,000,000 reports and
1,000,000 dossiers over 3,321 communes.

Its own database per size (`<prefix>_weekly_report_<N>`), loaded once: the procedures benchmark's
territory (3,321 square communes, a People's Committee each, the catalogue of procedures;
`benchmarks/procedures.py`) and its N dossiers received over 2025–2026 with their daily tally,
then N reports written by COPY (`benchmarks/report_loader.py`: the last 90 days, every state,
the summaries kept by the triggers), one commune after another, each routed to the commune's
committee, at a random point of the commune.

The figure is one call of `ioc.services.weekly_report_produce` for last week, in process, as the
Monday task makes it: the figures, both maps drawn, the workbook, the printable page, the PDF
(WeasyPrint) and the links planned for the leaders (the benchmark's leader has no address, so no
message is written). Its floor is the report's SQL alone: the statements the call reads with,
captured in process and replayed by psycopg as prepared statements.

    .venv/bin/python -m benchmarks.weekly_report --size 10000        # and 1000000
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from pathlib import Path

from benchmarks.common import (
    Figure,
    database_copy_of_another_size,
    database_ensure,
    database_migrate,
    django_setup,
    figures_table,
    figures_write,
    load_average,
    percentile,
)
from benchmarks.datasets import Dataset
from benchmarks.procedures import _dossiers_load, _territory_load
from benchmarks.report_loader import (
    Place,
    ReportPlan,
    point_ewkb,
    reports_copy,
    tables_vacuum_analyze,
)
from benchmarks.routing import floor_replay_timings, statements_capture
from benchmarks.staff_pages import PRIORITY_SHARES, STATUS_SHARES

DATASET_VERSION = 1
# The name benchmarks/run_all.py passes (the database is named by its size, see database_prepare).
DATASET_KEY = "weekly_report"
SEED = 20261207
LEADER = "benchmark-lanh-dao"
TARGET_SECONDS = 60.0
# The Redis database of this benchmark's cache (the working-day calendar), apart from the app's.
CACHE_REDIS_URL = "redis://127.0.0.1:6379/13"


def dataset_for(size: int) -> Dataset:
    return Dataset(
        f"weekly_report_{size}", f"{size:,} reports and {size:,} dossiers, 3,321 communes"
    )


def database_prepare(size: int) -> Dataset:
    import os

    dataset = dataset_for(size)
    if database_copy_of_another_size(dataset.database, key_prefix="weekly_report_"):
        print(f"created database {dataset.database} from another size's territory", flush=True)
    elif database_ensure(dataset.database):
        print(f"created database {dataset.database}", flush=True)
    database_migrate(dataset.database)
    os.environ["REDIS_URL"] = CACHE_REDIS_URL
    django_setup(dataset.database)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS benchmark_dataset "
            "(key text PRIMARY KEY, version integer NOT NULL, loaded_at timestamptz NOT NULL)"
        )
        cursor.execute("SELECT version FROM benchmark_dataset WHERE key = %s", [dataset.key])
        row = cursor.fetchone()
    if row and row[0] == DATASET_VERSION:
        return dataset
    started = time.perf_counter()
    print(f"loading {dataset.title} into {dataset.database} …", flush=True)
    _territory_load()
    print(f"  territory in {time.perf_counter() - started:.0f} s", flush=True)
    _dossiers_load(size)
    print(f"  dossiers by {time.perf_counter() - started:.0f} s", flush=True)
    _reports_load(size)
    print(f"  reports by {time.perf_counter() - started:.0f} s", flush=True)
    tables_vacuum_analyze()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM benchmark_dataset")
        cursor.execute(
            "INSERT INTO benchmark_dataset VALUES (%s, %s, now())", [dataset.key, DATASET_VERSION]
        )
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    return dataset


def _reports_load(size: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from incidents import services as incident_services
    from incidents.category_catalogue import CATEGORIES
    from wards.models import Agency

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE incidents_incident CASCADE")
        incident_services.categories_load_catalogue(catalogue=CATEGORIES)
        User.objects.filter(username=LEADER).delete()
        leader = User.objects.create_user(username=LEADER, password=None)
        leader.groups.add(Group.objects.get(name="Lãnh đạo"))
        committees = list(
            Agency.objects.filter(code__startswith="ubnd-")
            .order_by("code")
            .values_list("id", "name", "jurisdiction__id", "jurisdiction__boundary")
        )
        generator = random.Random(SEED)
        places = []
        for index in range(size):
            agency_id, _name, area_id, boundary = committees[index % len(committees)]
            west, south, east, north = boundary.extent
            places.append(
                Place(
                    area_id,
                    agency_id,
                    point_ewkb(generator.uniform(west, east), generator.uniform(south, north)),
                )
            )
        reports_copy(
            plan=ReportPlan(
                seed=SEED, status_shares=STATUS_SHARES, priority_shares=PRIORITY_SHARES
            ),
            places=places,
            agency_names={agency_id: name for agency_id, name, _area, _box in committees},
            indexes_rebuilt=True,
        )


def report_figures(dataset: Dataset, *, size: int, runs: int) -> list[Figure]:
    from django.utils import timezone

    from geoapp.clock import vietnam_today
    from ioc.services import week_before, weekly_report_produce

    week = week_before(vietnam_today())

    def produce() -> None:
        weekly_report_produce(week_start=week, now=timezone.now())

    loads = [load_average()]
    produce()  # warm: the calendar, the outlines' first read
    project = []
    for _ in range(runs):
        started = time.perf_counter()
        produce()
        project.append(time.perf_counter() - started)
        loads.append(load_average())
    statements = [
        (sql, params)
        for sql, params in statements_capture(produce)
        if sql.lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    floor = [
        milliseconds / 1000
        for milliseconds in floor_replay_timings(dataset, statements, warm_up=1, count=runs)
    ]
    return [
        Figure(
            dataset=dataset.key, name=f"weekly report of {week:%d/%m/%Y}, p50", unit="s",
            project=percentile(project, 50), floor=percentile(floor, 50),
            target_operator="≤", target_value=TARGET_SECONDS,
            note=f"{size:,} reports, {size:,} dossiers; {runs} runs; floor: its "
            f"{len(statements)} read statements replayed; load {min(loads):.1f}–{max(loads):.1f}",
            runs=project, floor_runs=floor,
        )
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # The data set's name and `--reports` let benchmarks/run_all.py call it as it calls the
    # other benchmarks at a number of reports.
    parser.add_argument("dataset", nargs="?", choices=[DATASET_KEY], default=DATASET_KEY)
    parser.add_argument(
        "--size", "--reports", type=int, default=10_000, help="reports and dossiers each"
    )
    parser.add_argument("--runs", type=int, default=3, help="measured reports (default 3)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--load-only", action="store_true", help="prepare the database, measure nothing"
    )
    arguments = parser.parse_args()
    dataset = database_prepare(arguments.size)
    if arguments.load_only:
        return
    figures = report_figures(dataset, size=arguments.size, runs=arguments.runs)
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"\n{figures_table(figures)}")
    print(datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))


if __name__ == "__main__":
    main()
