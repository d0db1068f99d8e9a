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
- receipts per second (`services.dossier_receive`, one transaction each: code, routing,
  appointment, dossier, event, tally); floor: the same writes as hand-written statements in one
  transaction per receipt on a psycopg connection;
- the officer's queue page `/can-bo/ho-so/` in-process (Django's test client), p50; floor: the
  page's statements replayed.
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import time
from decimal import Decimal
from typing import Any

from benchmarks.common import (
    Figure,
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
    if _copy_of_another_size(dataset):
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


def _copy_of_another_size(dataset: Dataset) -> bool:
    """A new size starts as a copy of a loaded one (its 3,321 communes took minutes to create);
    `_territory_load` then keeps the communes and replaces the dossiers."""
    import psycopg
    from psycopg import sql

    from benchmarks.common import database_server

    server = database_server()
    with psycopg.connect(server.conninfo("postgres"), autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY datname",
                [database_name("procedures_") + "%"],
            )
        ]
        if dataset.database in names or not names:
            return False
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(dataset.database), sql.Identifier(names[0])
            )
        )
    return True


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
    """N dossiers by COPY, then the tally from them (what the services would have kept)."""
    from django.db import connection

    from geoapp.selectors import working_calendar
    from procedures import services
    from procedures.models import Procedure
    from wards.models import Agency

    calendar = working_calendar()
    generator = random.Random(SEED)
    procedures = list(Procedure.objects.order_by("code"))
    units = list(Agency.objects.order_by("code").values_list("id", "code", "jurisdiction__id"))
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
        cursor.execute("ANALYZE procedures_dossier")
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
    started = time.perf_counter()
    for procedure, received, channel in cases:
        services.appointment_for(
            procedure=procedure, received_at=received, channel=channel, calendar=calendar
        )
    project = count / (time.perf_counter() - started)
    # The floor: the calendar's own arithmetic, one addition per case from a working moment.
    starts = [calendar.next_working_moment(received) for _p, received, _c in cases]
    hours = Decimal(8)
    started = time.perf_counter()
    for start in starts:
        calendar.add_working_hours(start, hours)
    floor = count / (time.perf_counter() - started)
    return [
        Figure(
            dataset=dataset.key, name="appointment dates computed", unit="/s", project=project,
            floor=floor, target_operator="≥", target_value=50_000.0,
            note=f"{count:,} receipts; floor: one add_working_hours alone (no SQL in either)",
        )
    ]  # fmt: skip


def receipt_figures(dataset: Dataset, count: int = 1_000) -> list[Figure]:
    from procedures import services
    from wards.models import Agency

    generator = random.Random(SEED + 2)
    units = list(Agency.objects.values_list("code", flat=True))
    moment = datetime.datetime(2027, 1, 4, 9, tzinfo=NOW.tzinfo)
    cases = [(units[generator.randrange(len(units))], "1.001612") for _ in range(count)]
    for unit, procedure in cases[:50]:
        services.dossier_receive(
            procedure_code=procedure, unit_code=unit, received_at=moment, channel="counter"
        )
    started = time.perf_counter()
    for unit, procedure in cases:
        services.dossier_receive(
            procedure_code=procedure, unit_code=unit, received_at=moment, channel="counter",
            applicant={"name": "Nguyễn Văn Mẫu"},
        )  # fmt: skip
    project = count / (time.perf_counter() - started)
    floor = _receipt_floor(dataset, cases, datetime.datetime(2027, 1, 5, 9, tzinfo=NOW.tzinfo))
    return [
        Figure(
            dataset=dataset.key, name="receipts (code, routing, appointment, event)",
            unit="/s", project=project, floor=floor, target_operator="≥", target_value=300.0,
            note=f"{count:,} receipts, one transaction each, at random units",
        )
    ]  # fmt: skip


def _receipt_floor(dataset: Dataset, cases: list[tuple[str, str]], moment: Any) -> float:
    """The same writes as hand-written statements, one transaction per receipt."""
    from geoapp.selectors import working_calendar
    from procedures import services
    from procedures.models import Procedure

    calendar = working_calendar()
    procedure = Procedure.objects.get(code="1.001612")
    day = moment.date()
    with floor_connection(dataset) as connection:
        connection.autocommit = False
        started = time.perf_counter()
        for unit_code, procedure_code in cases:
            (procedure_id,) = connection.execute(
                "SELECT id FROM procedures_procedure WHERE code = %s", [procedure_code]
            ).fetchone()  # type: ignore[misc]
            unit_id, area_id = connection.execute(
                "SELECT g.id, j.area_id FROM wards_agency g JOIN wards_agency_jurisdiction j "
                "ON j.agency_id = g.id WHERE g.code = %s AND g.is_active",
                [unit_code],
            ).fetchone()  # type: ignore[misc]
            appointment = services.appointment_for(
                procedure=procedure, received_at=moment, channel="counter", calendar=calendar
            )
            (number,) = connection.execute(
                services._NEXT_NUMBER_SQL, [unit_id, day], prepare=True
            ).fetchone()  # type: ignore[misc]
            (dossier_id,) = connection.execute(
                "INSERT INTO procedures_dossier (code, procedure_id, area_id, receiving_unit_id, "
                "current_unit_id, channel, status, received_at, counted_from, "
                "original_appointment_at, appointment_at, outcome, applicant_name, "
                "applicant_id_number, applicant_phone, applicant_email, applicant_address, "
                "current_step, apology_letter) VALUES (%s, %s, %s, %s, %s, 'counter', "
                "'received', %s, %s, %s, %s, '', %s, '', '', '', '', 'receive', '') RETURNING id",
                [f"{unit_code}-{day:%y%m%d}-{number:04d}", procedure_id, area_id, unit_id,
                 unit_id, moment, appointment.counted_from, appointment.appointment_at,
                 appointment.appointment_at, "Nguyễn Văn Mẫu"],
                prepare=True,
            ).fetchone()  # type: ignore[misc]  # fmt: skip
            connection.execute(
                "INSERT INTO procedures_dossierevent (dossier_id, at, action, from_status, "
                "to_status, unit_id, note) VALUES (%s, %s, 'receive', '', 'received', %s, '')",
                [dossier_id, moment, unit_id], prepare=True,
            )  # fmt: skip
            connection.execute(
                services._TALLY_SQL,
                [unit_id, area_id, procedure_id, day, 1, 0, 0, 0, 0, 0, 0], prepare=True,
            )  # fmt: skip
            connection.commit()
        return len(cases) / (time.perf_counter() - started)


def queue_figures(dataset: Dataset) -> list[Figure]:
    from django.test import Client

    from benchmarks.staff_pages import session_cookie

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
    statements = statements_capture(lambda: client.get(path))
    floor = floor_replay_timings(dataset, statements, warm_up=3, count=30)
    return [
        Figure(
            dataset=dataset.key, name="officer's queue page, in-process, p50", unit="ms",
            project=percentile(timings, 50), floor=percentile(floor, 50),
            target_operator="≤", target_value=200.0,
            note=f"{rows} rows; {len(statements)} statements",
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
