"""The leaders' operations centre (issue 13): the dashboard, an area page and the hotspot layer
for a year, with 10,000 reports or any number (`--reports`).

On the staff pages' data set (benchmarks/staff_pages.py: a made-up province of six communes, the
reports of the last 90 days in every state, loaded by COPY, the summaries kept by the triggers),
each through gunicorn (one sync worker, one request at a time on a kept-alive connection, signed
in as the leader), p50 and p95 over repeated requests, with the raw-SQL floor beside it: every
statement the request sends, captured in-process and replayed by psycopg as prepared statements.

1. The dashboard `GET /dieu-hanh/?from=<30 days ago>`: the figures and the previous period's,
   dossiers and tasks, the rankings, the overdue list, the trends and the hotspot map.
2. The area page `GET /dieu-hanh/khu-vuc/21025/?from=<30 days ago>`.
3. The hotspot layer for a year `GET /dieu-hanh/diem-nong.geojson?from=<364 days ago>`.

    .venv/bin/python -m benchmarks.ioc [--reports N] [--json figures.json]
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from benchmarks.common import Figure, figures_table, figures_write, percentile
from benchmarks.datasets import Dataset
from benchmarks.staff_pages import (
    LEADER,
    MEASURED_REQUESTS,
    REPORT_COUNT,
    WARM_UP_REQUESTS,
    database_prepare,
    http_milliseconds,
    serving,
    session_cookie,
    statements_of_request,
    statements_replay_timings,
)

DATASET_KEY = "ioc"
TARGETS_MILLISECONDS = {"dashboard": 300.0, "area": 200.0, "hotspots": 150.0}


def pages(today: datetime.date) -> list[tuple[str, str, str]]:
    month = (today - datetime.timedelta(days=29)).isoformat()
    year = (today - datetime.timedelta(days=364)).isoformat()
    return [
        ("dashboard", "dashboard, last 30 days", f"/dieu-hanh/?from={month}"),
        ("area", "area page 21025, last 30 days", f"/dieu-hanh/khu-vuc/21025/?from={month}"),
        ("hotspots", "hotspot layer, a year", f"/dieu-hanh/diem-nong.geojson?from={year}"),
    ]


def ioc_figures(dataset: Dataset, *, reports: int, requests: int) -> list[Figure]:
    from geoapp.clock import vietnam_today
    from incidents.models import Incident
    from procedures.models import Dossier

    total = Incident.objects.count()
    dossiers = Dossier.objects.count()
    figures: list[Figure] = []
    key = DATASET_KEY if reports == REPORT_COUNT else f"{DATASET_KEY}_{reports}"
    with serving(dataset) as base_url:
        cookie = session_cookie(LEADER)
        for page, name, path in pages(vietnam_today()):
            http_milliseconds(
                base_url, path, cookie=cookie, rows=0, count=min(WARM_UP_REQUESTS, requests)
            )
            project = http_milliseconds(base_url, path, cookie=cookie, rows=0, count=requests)
            statements = statements_of_request(path, LEADER)
            floor = statements_replay_timings(dataset, statements, count=requests)
            measured = [
                Figure(
                    dataset=key, name=f"{name}, p50", unit="ms",
                    project=percentile(project, 50), floor=percentile(floor, 50),
                    target_operator="≤", target_value=TARGETS_MILLISECONDS[page],
                    note=f"{total:,} reports, {dossiers:,} dossiers; {requests} requests; floor: the request's {len(statements)} SQL "
                    "statements replayed",
                ),
                Figure(
                    dataset=key, name=f"{name}, p95", unit="ms",
                    project=percentile(project, 95), floor=percentile(floor, 95),
                ),
            ]  # fmt: skip
            print(figures_table(measured), flush=True)
            figures += measured
    return figures


def dossiers_ensure(count: int) -> None:
    """`count` dossiers beside the reports (issue 13 asks for a million of each): the procedure
    catalogue, then the dossiers and their daily tally written by COPY by the procedures
    benchmark's loader, over the data set's units; once per count."""
    import time

    from django.db import connection, transaction

    from benchmarks.procedures import _dossiers_load
    from procedures import services
    from procedures.catalogue import catalogue_rows
    from procedures.models import Dossier, DossierDailyTally, Procedure

    if Dossier.objects.count() == count:
        return
    started = time.perf_counter()
    print(f"loading {count:,} dossiers …", flush=True)
    with transaction.atomic():
        DossierDailyTally.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE procedures_dossier CASCADE")
        if not Procedure.objects.exists():
            for row in catalogue_rows():
                services.procedure_create(**row)
        if count:
            _dossiers_load(count)
    with connection.cursor() as cursor:
        # Visibility maps for the index-only count of the dossiers in progress.
        cursor.execute("VACUUM ANALYZE procedures_dossier")
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", choices=[DATASET_KEY], default=DATASET_KEY)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--reload", action="store_true", help="load the reports again")
    parser.add_argument(
        "--reports",
        type=int,
        default=REPORT_COUNT,
        help=f"how many reports (default {REPORT_COUNT:,}); each number has its own database",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=MEASURED_REQUESTS,
        help=f"measured requests per page (default {MEASURED_REQUESTS}; fewer at a million)",
    )
    parser.add_argument(
        "--dossiers",
        type=int,
        default=0,
        help="how many dossiers beside the reports (default none; issue 13 asks for 1,000,000)",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="prepare the database, measure nothing"
    )
    arguments = parser.parse_args()
    dataset = database_prepare(reload=arguments.reload, reports=arguments.reports)
    dossiers_ensure(arguments.dossiers)
    if arguments.load_only:
        return
    figures = ioc_figures(dataset, reports=arguments.reports, requests=arguments.requests)
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"\n{figures_table(figures)}")


if __name__ == "__main__":
    main()
