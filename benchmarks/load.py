"""Load (issue 8): citizens, officers and leaders at once, through gunicorn, for minutes.

The database is a fresh copy, made at each run, of the citizens' pages benchmark database (the
96 real communes of Quảng Ngãi, a People's Committee each, 10,000 reports; see
benchmarks/citizen_pages.py), with an officer in each of the six communes of the former city
(where seven reports in ten are) and a leader of the province. The app is served as in
production (geoapp.settings.production, gunicorn with `--workers` sync workers, behind one
trusted proxy, its rate limits on), and locust (benchmarks/load_scenario.py) plays:

- citizens (12 in 15): the home page, the public map at the province's, the city's and a
  street's zoom, a report's tracking page, and now and then filing a report through the API;
- officers (3 in 15): their queue, a report's page, acknowledging a new report on its page;
- leaders (1 in 15): every report by deadline, the overdue ones, the map of open reports.

Locust runs on the same two cores as gunicorn and PostgreSQL (its share is printed), so the
figure is a floor of what the server alone would hold. Run it on an otherwise idle machine:

    .venv/bin/python -m benchmarks.load --users 150 --minutes 10 [--workers 3]

It prints, per kind of request, the count, failures, requests per second, p50 and p95, and the
total; `make benchmark` does not run it (it takes minutes, and its users are a choice).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from benchmarks.common import (
    REPOSITORY_ROOT,
    RESULTS_DIRECTORY,
    database_server,
    django_setup,
    load_average,
    postgres_server_cpu_seconds,
    processes_cpu_seconds,
)
from benchmarks.datasets import Dataset
from benchmarks.lookup_api import ServerShape, gunicorn_serving
from benchmarks.sample_reports import CATEGORY_ATTRIBUTES, DESCRIPTIONS

SOURCE = Dataset("citizen_pages", "96 real communes of Quảng Ngãi, 10,000 reports")
DATASET = Dataset("load", "a copy of the citizens' pages data set, with officers")
# Redis database 12 of the local server: the served app's cache, throttle counts and broker.
REDIS_URL = "redis://127.0.0.1:6379/12"
LEADER = "lanh-dao-tai"
P95_TARGET_MILLISECONDS = 500.0


def database_copy() -> None:
    """The citizens' pages data set, loaded once (in a process of its own), copied afresh."""
    subprocess.run(
        [sys.executable, "-c", "from benchmarks.citizen_pages import database_prepare as p; p()"],
        cwd=REPOSITORY_ROOT,
        check=True,
    )
    server = database_server()
    with psycopg.connect(server.conninfo("postgres"), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATASET.database))
        )
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(DATASET.database), sql.Identifier(SOURCE.database)
            )
        )


def plan_write(path: Path) -> None:
    """Officers and a leader in the copy, and what the simulated people will ask for."""
    from django.contrib.auth.models import Group, User
    from django.contrib.gis.db.models import Extent

    from benchmarks.citizen_pages import CITY_COMMUNES, map_views
    from benchmarks.staff_pages import session_cookie
    from incidents.models import Incident, IncidentStatus
    from wards.models import Agency, AgencyMembership, AgencyRole, Area

    officers = []
    for number, name in enumerate(CITY_COMMUNES):
        agency = Agency.objects.get(jurisdiction__name=name)
        officer = User.objects.create_user(username=f"can-bo-tai-{number}", password=None)
        AgencyMembership.objects.create(user=officer, agency=agency, role=AgencyRole.OFFICER)
        codes = list(
            Incident.objects.filter(agency=agency).values_list("tracking_code", "status")[:400]
        )
        officers.append(
            {
                "cookie": session_cookie(officer.username),
                "codes": [code for code, _status in codes],
                "to_acknowledge": [code for code, s in codes if s == IncidentStatus.NEW],
            }
        )
    leader = User.objects.create_user(username=LEADER, password=None)
    leader.groups.add(Group.objects.get(name="Lãnh đạo"))
    city = Area.objects.filter(name__in=CITY_COMMUNES).aggregate(extent=Extent("boundary"))
    public_codes = list(Incident.objects.public().values_list("tracking_code", flat=True)[:2000])
    plan = {
        "officers": officers,
        "leader_cookie": session_cookie(LEADER),
        "public_codes": public_codes,
        "map_views": [{"bbox": list(bbox), "zoom": zoom} for _, _, bbox, zoom in map_views()],
        "city_bbox": list(city["extent"]),
        "filings": _filings(city["extent"]),
    }
    path.write_text(json.dumps(plan))


def _filings(bbox: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    """Reports to file, at points inside the city (the app routes each to its commune)."""
    from django.contrib.gis.geos import Point

    from wards.models import Area, AreaLevel

    generator = random.Random(8)
    west, south, east, north = bbox
    filings: list[dict[str, Any]] = []
    categories = list(CATEGORY_ATTRIBUTES.items())
    while len(filings) < 200:
        lon, lat = generator.uniform(west, east), generator.uniform(south, north)
        if not Area.objects.filter(level=AreaLevel.COMMUNE, boundary__covers=Point(lon, lat)):
            continue
        category, answers = generator.choice(categories)
        filings.append(
            {
                "category": category,
                "attributes": answers,
                "description": generator.choice(DESCRIPTIONS),
                "lat": f"{lat:.6f}",
                "lon": f"{lon:.6f}",
            }
        )
    return filings


def locust_run(base_url: str, *, users: int, minutes: float, prefix: Path) -> None:
    command = [
        str(REPOSITORY_ROOT / ".venv" / "bin" / "locust"),
        "--locustfile", str(REPOSITORY_ROOT / "benchmarks" / "load_scenario.py"),
        "--headless", "--only-summary", "--loglevel", "WARNING",
        "--host", base_url,
        "--users", str(users),
        "--spawn-rate", str(max(1, users // 30)),
        "--run-time", f"{int(minutes * 60)}s",
        "--csv", str(prefix),
    ]  # fmt: skip
    environment = {**os.environ, "GEOAPP_LOAD_PLAN": str(prefix.with_suffix(".plan.json"))}
    # Locust's exit status is 1 when any request failed: the table says which.
    subprocess.run(command, env=environment, check=False)


def table(prefix: Path, *, users: int, seconds: float, cpu: dict[str, float]) -> str:
    with Path(f"{prefix}_stats.csv").open() as stats:
        rows = list(csv.DictReader(stats))
    lines = [
        f"{users} users for {seconds / 60:.1f} min; CPU seconds per second: "
        + ", ".join(f"{name} {value / seconds:.2f}" for name, value in cpu.items()),
        "",
        "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {row['Failure Count']} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    total = rows[-1]
    verdict = (
        "meets"
        if int(total["Failure Count"]) == 0 and float(total["95%"]) <= P95_TARGET_MILLISECONDS
        else "misses"
    )
    lines.append(f"\n{verdict} the target: 0 errors and p95 ≤ {P95_TARGET_MILLISECONDS:.0f} ms")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=ServerShape().workers)
    arguments = parser.parse_args()

    database_copy()
    os.environ.update(REDIS_URL=REDIS_URL, NUM_PROXIES="1", DJANGO_SECURE_COOKIES="false")
    subprocess.run(["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "FLUSHDB"], check=True)
    django_setup(DATASET.database)
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)
    prefix = RESULTS_DIRECTORY / f"load-{arguments.users}-users"
    plan_write(prefix.with_suffix(".plan.json"))

    from wards.models import Area

    centre = Area.objects.get(name="Phường Cẩm Thành").label_point
    probe = f"lat={centre.y:.6f}&lon={centre.x:.6f}"
    print(f"one-minute load average before: {load_average():.2f}", flush=True)
    shape = ServerShape(workers=arguments.workers, connections=arguments.users)
    with gunicorn_serving(DATASET, shape, probe) as base_url:

        def cpu_now() -> dict[str, float]:
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            return {
                "gunicorn": processes_cpu_seconds(lambda line: "gunicorn" in line),
                "postgres": postgres_server_cpu_seconds(),
                # Locust has ended when this is read again: counted as a finished child.
                "locust": children.ru_utime + children.ru_stime,
            }

        before, started = cpu_now(), time.monotonic()
        locust_run(base_url, users=arguments.users, minutes=arguments.minutes, prefix=prefix)
        seconds = time.monotonic() - started
        after = cpu_now()
    cpu = {name: after[name] - before[name] for name in before}
    print(f"\n{shape.description}\n")
    print(table(prefix, users=arguments.users, seconds=seconds, cpu=cpu))


if __name__ == "__main__":
    main()
