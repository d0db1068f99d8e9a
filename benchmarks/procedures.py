"""Administrative procedures (issue 11): statistics, appointment dates, receipts and the officer
queue over N dossiers in 3,321 communes, each beside its raw-SQL floor.

Its own database per size (`<prefix>_procedures_<N>`), loaded once: 3,321 communes (squares: no
figure here reads a boundary, a receipt is routed by its unit) with a People's Committee each, the
catalogue of 20 procedures, and N dossiers received over 2025–2026 written by COPY, their
appointments computed by the project's own rule, most finished (early, on time or late), the
recent ones open; the daily tally is then built from them by one INSERT … SELECT.

    .venv/bin/python -m benchmarks.procedures --dossiers 10000     # and 1000000

Figures:
- statistics for a year grouped by unit and by month (`selectors.dossier_statistics`), p50 of
  the call; floor: its statements replayed by psycopg;
- appointment dates per second (`services.appointment_for`); no statement: the floor is the
  calendar alone (`add_working_hours` from a known working moment);
- appointment dates per CPU-second of the process, the same with `time.process_time()` (on a
  loaded machine the wall clock measures the queue for a core, this the work);
- receipts per second (`services.dossier_receive`: code, routing, appointment, dossier, event,
  tally, in two statements); floor: those statements of each receipt replayed by psycopg;
- the officer's queue page `/can-bo/ho-so/` in-process (Django's test client) for the unit with
  the most dossiers in progress, p50; floor: the page's statements replayed.
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import time
from decimal import Decimal

from benchmarks.common import (
    Figure,
    database_copy_of_another_size,
    database_ensure,
    database_migrate,
    database_name,
    django_setup,
    figures_table,
    load_average,
    percentile,
)
from benchmarks.datasets import Dataset
from benchmarks.routing import floor_connection, floor_replay_timings, statements_capture

COMMUNES = 3_321
SEED = 20260101
YEAR = 2026
# The moment the data set is "now": dossiers received in the last 30 days before it are open.
NOW = datetime.datetime(2026, 12, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
FIRST_DAY = datetime.date(2025, 1, 1)
DAYS = (NOW.date() - FIRST_DAY).days
OFFICER = "can-bo-benchmark"
DATASET_VERSION = 2  # 2: each finished dossier's working days (the median)


def dataset_for(dossiers: int) -> Dataset:
    return Dataset(f"procedures_{dossiers}", f"procedures, {dossiers:,} dossiers")


def database_prepare(dossiers: int) -> Dataset:
    dataset = dataset_for(dossiers)
    if database_copy_of_another_size(dataset.database, key_prefix="procedures_"):
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
    if row and row[0] == DATASET_VERSION:
        return dataset
    started = time.perf_counter()
    print(f"loading {dataset.title} into {dataset.database} …", flush=True)
    _territory_load()
    _dossiers_load(dossiers)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM benchmark_dataset")
        cursor.execute(
            "INSERT INTO benchmark_dataset VALUES (%s, %s, now())", [dataset.key, DATASET_VERSION]
        )
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    return dataset


def _territory_load() -> None:
    from django.contrib.auth.models import User
    from django.db import transaction
    from shapely.geometry import box

    from procedures import services
    from procedures.catalogue import catalogue_rows
    from procedures.models import Dossier, DossierDailyTally, Procedure
    from wards import services as ward_services
    from wards.models import (
        Agency,
        AgencyKind,
        AgencyMembership,
        AgencyRole,
        Area,
        AreaLevel,
        AreaType,
    )

    with transaction.atomic():
        DossierDailyTally.objects.all().delete()
        Dossier.objects.all().delete()
        if Agency.objects.filter(code__startswith="ubnd-").count() == COMMUNES:
            return  # a copy of another size: the communes, units and officer stay
        Procedure.objects.all().delete()
        Agency.jurisdiction.through.objects.all().delete()
        Agency.objects.all().delete()
        Area.objects.filter(level=AreaLevel.COMMUNE).delete()
        Area.objects.all().delete()
        User.objects.filter(username=OFFICER).delete()
        for row in catalogue_rows():
            services.procedure_create(**row)
        side = 0.05
        for number in range(COMMUNES):
            x, y = 103.0 + (number % 60) * side, 11.0 + (number // 60) * side
            area = ward_services.area_create(
                code=f"{number + 1:05d}", name=f"Xã Mẫu {number + 1:04d}",
                area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
                boundary=box(x, y, x + side, y + side), valid_from=FIRST_DAY,
                is_approximate=True, source="benchmark: procedures",
            )  # fmt: skip
            ward_services.agency_create(
                code=f"ubnd-{area.code}", name=f"Ủy ban nhân dân {area.name}",
                kind=AgencyKind.PEOPLES_COMMITTEE, jurisdiction=[area],
            )  # fmt: skip
        officer = User.objects.create_user(username=OFFICER, password=None)
        AgencyMembership.objects.create(
            user=officer, agency=Agency.objects.get(code="ubnd-00001"), role=AgencyRole.OFFICER
        )


def _dossiers_load(count: int) -> None:
    """N dossiers by COPY, then the tally from them (what the services would have kept); over
    every unit with a jurisdiction (the operations centre's benchmark loads them beside its
    reports, in its own territory)."""
    from django.db import connection

    from geoapp.selectors import working_calendar
    from procedures import services
    from procedures.models import Procedure
    from wards.models import Agency

    calendar = working_calendar()
    generator = random.Random(SEED)
    procedures = list(Procedure.objects.order_by("code"))
    units = list(
        Agency.objects.filter(jurisdiction__isnull=False)
        .order_by("code")
        .values_list("id", "code", "jurisdiction__id")
    )
    numbers: dict[tuple[int, datetime.date], int] = {}
    buffer = io.StringIO()
    for index in range(count):
        unit_id, unit_code, area_id = units[index % len(units)]
        procedure = procedures[generator.randrange(len(procedures))]
        day = FIRST_DAY + datetime.timedelta(days=generator.randrange(DAYS))
        received = datetime.datetime.combine(
            day, datetime.time(7), NOW.tzinfo
        ) + datetime.timedelta(minutes=generator.randrange(600))
        channel = "online" if generator.random() < 0.3 else "counter"
        appointment = services.appointment_for(
            procedure=procedure, received_at=received, channel=channel, calendar=calendar
        )
        number = numbers[(unit_id, day)] = numbers.get((unit_id, day), 0) + 1
        code = f"{unit_code}-{day:%y%m%d}-{number:04d}"
        due = appointment.appointment_at
        status, finished, outcome = _history(generator, received, due)
        days = (
            calendar.working_days_between(
                appointment.counted_from.astimezone(NOW.tzinfo).date(),
                finished.astimezone(NOW.tzinfo).date(),
            )
            if finished
            else None
        )
        buffer.write(
            "\t".join(
                [
                    code,
                    str(procedure.pk),
                    str(area_id),
                    str(unit_id),
                    str(unit_id),
                    channel,
                    status,
                    received.isoformat(),
                    appointment.counted_from.isoformat(),
                    due.isoformat(),
                    due.isoformat(),
                    finished.isoformat() if finished else r"\N",
                    outcome,
                    r"\N" if days is None else str(days),
                ]
            )  # fmt: skip
            + "\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY procedures_dossier (code, procedure_id, area_id, receiving_unit_id, "
            "current_unit_id, channel, status, received_at, counted_from, "
            "original_appointment_at, appointment_at, finished_at, outcome, working_days, "
            "applicant_name, "
            "applicant_id_number, applicant_phone, applicant_email, applicant_address, "
            "current_step, apology_letter) FROM STDIN"
        ) as copy:
            for line in buffer:
                copy.write(line.rstrip("\n") + "\t\t\t\t\t\treceive\t\n")
        cursor.execute(_TALLY_FROM_DOSSIERS)
        # VACUUM sets the visibility map, so the statistics can read the finished dossiers from
        # their index alone (autovacuum would, later). It cannot run in a transaction: a caller
        # loading inside one (benchmarks.ioc) vacuums after its commit.
        if connection.in_atomic_block:
            cursor.execute("ANALYZE procedures_dossier")
        else:
            cursor.execute("VACUUM ANALYZE procedures_dossier")
        cursor.execute("ANALYZE procedures_dossierdailytally")


def _history(
    generator: random.Random, received: datetime.datetime, due: datetime.datetime
) -> tuple[str, datetime.datetime | None, str]:
    if received > NOW - datetime.timedelta(days=30) or generator.random() < 0.03:
        return generator.choice(["received", "processing", "supplement_requested"]), None, ""
    finished = due + datetime.timedelta(hours=generator.randrange(-72, 40))
    finished = max(finished, received + datetime.timedelta(hours=1))
    local_finish, local_due = (moment.astimezone(NOW.tzinfo).date() for moment in (finished, due))
    outcome = (
        "early" if local_finish < local_due else "on_time" if local_finish == local_due else "late"
    )
    return "result_returned", finished, outcome


# Receipts on their Vietnam day, finishes on theirs with their working days (as the services do).
_TALLY_FROM_DOSSIERS = """
INSERT INTO procedures_dossierdailytally
    (unit_id, area_id, procedure_id, day, received, received_online, finished, early, on_time,
     late, working_days_sum)
SELECT unit_id, area_id, procedure_id, day, sum(received), sum(online), sum(finished),
       sum(early), sum(on_time), sum(late), sum(days)
FROM (
    SELECT receiving_unit_id AS unit_id, area_id, procedure_id,
           (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, 1 AS received,
           (channel = 'online')::int AS online, 0 AS finished, 0 AS early, 0 AS on_time,
           0 AS late, 0 AS days
    FROM procedures_dossier
    UNION ALL
    SELECT receiving_unit_id, area_id, procedure_id,
           (finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 1,
           (outcome = 'early')::int, (outcome = 'on_time')::int, (outcome = 'late')::int,
           working_days
    FROM procedures_dossier WHERE finished_at IS NOT NULL
) changes
GROUP BY unit_id, area_id, procedure_id, day
"""


def statistics_figures(dataset: Dataset) -> list[Figure]:
    from procedures import selectors

    figures = []
    for group_by in ("unit", "month"):

        def call(group_by: str = group_by) -> object:
            return selectors.dossier_statistics(
                date_from=datetime.date(YEAR, 1, 1), date_to=datetime.date(YEAR, 12, 31),
                group_by=group_by,
            )  # fmt: skip

        call()
        timings = []
        for _ in range(7):
            started = time.perf_counter_ns()
            rows = call()
            timings.append((time.perf_counter_ns() - started) / 1e6)
        statements = statements_capture(call)
        floor = floor_replay_timings(dataset, statements, warm_up=1, count=7)
        figures.append(
            Figure(
                dataset=dataset.key, name=f"statistics of {YEAR} by {group_by}, p50", unit="ms",
                project=percentile(timings, 50), floor=percentile(floor, 50),
                target_operator="≤", target_value=1000.0,
                note=f"{len(rows)} groups; {len(statements)} statements",  # type: ignore[arg-type]
            )
        )  # fmt: skip
    return figures


def appointment_figures(dataset: Dataset, count: int = 50_000) -> list[Figure]:
    from geoapp.selectors import working_calendar
    from procedures import services
    from procedures.models import Procedure

    calendar = working_calendar()
    generator = random.Random(SEED + 1)
    procedures = list(Procedure.objects.all())
    cases = [
        (
            procedures[generator.randrange(len(procedures))],
            datetime.datetime.combine(
                FIRST_DAY + datetime.timedelta(days=generator.randrange(DAYS)),
                datetime.time(6), NOW.tzinfo,
            ) + datetime.timedelta(minutes=generator.randrange(720)),
            "online" if generator.random() < 0.3 else "counter",
        )
        for _ in range(count)
    ]  # fmt: skip
    for procedure, received, channel in cases[:1000]:
        services.appointment_for(procedure=procedure, received_at=received, channel=channel)
    started, cpu = time.perf_counter(), time.process_time()
    for procedure, received, channel in cases:
        services.appointment_for(
            procedure=procedure, received_at=received, channel=channel, calendar=calendar
        )
    project = count / (time.perf_counter() - started)
    project_cpu = count / (time.process_time() - cpu)
    # The floor: the calendar's own arithmetic, one addition per case from a working moment.
    starts = [calendar.next_working_moment(received) for _p, received, _c in cases]
    hours = Decimal(8)
    started, cpu = time.perf_counter(), time.process_time()
    for start in starts:
        calendar.add_working_hours(start, hours)
    floor = count / (time.perf_counter() - started)
    floor_cpu = count / (time.process_time() - cpu)
    note = f"{count:,} receipts; floor: one add_working_hours alone (no SQL in either)"
    return [
        Figure(
            dataset=dataset.key, name="appointment dates computed", unit="/s", project=project,
            floor=floor, target_operator="≥", target_value=50_000.0, note=note,
        ),
        # Per second of the process's own CPU time: what a core gives, whatever the load.
        Figure(
            dataset=dataset.key, name="appointment dates per CPU-second", unit="/s",
            project=project_cpu, floor=floor_cpu, target_operator="≥", target_value=50_000.0,
            note=note,
        ),
    ]  # fmt: skip


def receipt_figures(dataset: Dataset, count: int = 1_000) -> list[Figure]:
    from benchmarks.routing import statements_capture
    from procedures import services
    from wards.models import Agency

    generator = random.Random(SEED + 2)
    units = list(Agency.objects.values_list("code", flat=True))
    moment = datetime.datetime(2027, 1, 4, 9, tzinfo=NOW.tzinfo)
    cases = [(units[generator.randrange(len(units))], "1.001612") for _ in range(count)]

    def receive(at: datetime.datetime, unit: str, procedure: str) -> None:
        services.dossier_receive(
            procedure_code=procedure, unit_code=unit, received_at=at, channel="counter",
            applicant={"name": "Nguyễn Văn Mẫu"},
        )  # fmt: skip

    for unit, procedure in cases[:50]:
        receive(moment, unit, procedure)
    started, cpu = time.perf_counter(), time.process_time()
    for unit, procedure in cases:
        receive(moment, unit, procedure)
    project = count / (time.perf_counter() - started)
    project_cpu = count / (time.process_time() - cpu)
    # The floor: the very statements of each receipt (captured on another day, so the replay
    # issues numbers of that day's counters), replayed prepared by psycopg, one autocommit
    # statement each as the service sends them, with nothing above them.
    later = datetime.datetime(2027, 1, 5, 9, tzinfo=NOW.tzinfo)

    def receive_all_later() -> None:
        for unit, procedure in cases:
            receive(later, unit, procedure)

    statements = statements_capture(receive_all_later)
    with floor_connection(dataset) as connection:
        started = time.perf_counter()
        for sql, params in statements:
            connection.execute(sql, params, prepare=True).fetchall()
        floor = count / (time.perf_counter() - started)
    return [
        Figure(
            dataset=dataset.key, name="receipts (code, routing, appointment, event)",
            unit="/s", project=project, floor=floor, target_operator="≥", target_value=300.0,
            note=f"{count:,} receipts at random units, {len(statements) // count} statements "
            f"each; the service's Python: {project_cpu:,.0f} receipts per CPU-second",
        )
    ]  # fmt: skip


def queue_figures(dataset: Dataset) -> list[Figure]:
    from django.contrib.auth.models import User
    from django.db.models import Count
    from django.test import Client

    from benchmarks.staff_pages import session_cookie
    from procedures import workflow
    from procedures.models import Dossier
    from wards.models import AgencyMembership

    # The officer works at the unit with the most dossiers in progress (a unit with none would
    # time an empty page).
    busiest = (
        Dossier.objects.filter(status__in=workflow.IN_PROGRESS)
        .values("current_unit_id")
        .annotate(open=Count("id"))
        .order_by("-open", "current_unit_id")
        .first()
    )
    assert busiest is not None, "no dossier in progress"
    AgencyMembership.objects.filter(user__username=OFFICER).update(
        agency_id=busiest["current_unit_id"]
    )
    assert AgencyMembership.objects.filter(user=User.objects.get(username=OFFICER)).count() == 1
    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    name, key = session_cookie(OFFICER).split("=", 1)
    client.cookies[name] = key
    path = "/can-bo/ho-so/"
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(30):
        started = time.perf_counter_ns()
        response = client.get(path)
        timings.append((time.perf_counter_ns() - started) / 1e6)
    rows = response.content.count(b'class="dossier-row')
    assert rows == min(busiest["open"], 200), (rows, busiest)
    statements = statements_capture(lambda: client.get(path))
    floor = floor_replay_timings(dataset, statements, warm_up=3, count=30)
    return [
        Figure(
            dataset=dataset.key, name="officer's queue page, in-process, p50", unit="ms",
            project=percentile(timings, 50), floor=percentile(floor, 50),
            target_operator="≤", target_value=200.0,
            note=f"{rows} rows of the busiest unit ({busiest['open']} in progress); "
            f"{len(statements)} statements",
        )
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=10_000)
    arguments = parser.parse_args()
    dataset = database_prepare(arguments.dossiers)
    print(f"load average before: {load_average():.2f}", flush=True)
    figures = [
        *statistics_figures(dataset),
        *appointment_figures(dataset),
        *receipt_figures(dataset),
        *queue_figures(dataset),
    ]
    print(figures_table(figures))
    print(f"load average after: {load_average():.2f}; database {database_name(dataset.key)}")


if __name__ == "__main__":
    main()
