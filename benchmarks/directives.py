"""Leaders' directives (issue 15): the leader's board and the on-time rate per agency, at 10,000
and 100,000 tasks (any sizes with --tasks).

Measured on a database of its own per size, `<prefix>_directives_<tasks>`, filled once by SQL:
40 agencies, one directive per 10 tasks, deadlines spread over 2024–2026 (the same year for every
tenth of the directives), statuses and completion days in fixed proportions (about half done, a
tenth late, a twentieth cancelled, the rest open, many of them overdue), so each figure has real
work to do.

1. The leader's board, `GET /nhiem-vu/` without filters, as a leader: the view called in this
   process (the whole page: scope, filters' choices, figures per agency, calendar of the month,
   the first 100 tasks with the count, the template), p50 and p95 of 30 calls after 3 of warm-up.
   Floor: the statements the view sent, captured once and replayed by psycopg on a connection of
   its own, fetched, p50.
2. The on-time rate per agency for 2025 (`selectors.on_time_rate_per_agency`), p50 of 30 calls;
   floor: its statement replayed by psycopg, p50.
3. The operations centre's figures for 2025 (`dashboard.dashboard_figures`: totals by standing
   and per agency), and for 2025 in one commune (an area filter: a tenth of the tasks are
   located, half of those in the measured commune's box); floor: the statements replayed.
4. The task map's GeoJSON for 2025 (`dashboard.tasks_map`, a tenth of the tasks located);
   floor: its statements replayed.
5. Recurring tasks (`recurrence.directives_create_occurrences`): every hundredth task that is
   not cancelled (a cancelled first task ends its series) is made a monthly series until the end of 2026; the first run on the benchmark's "today" catches up
   with every occurrence due (timed once, the number created noted), then the hourly run that
   finds nothing to create, p50; floor: its statements replayed.

    .venv/bin/python -m benchmarks.directives directives [--tasks 10000 100000] [--json figures.json]
        [--targets-only]   # the board and the on-time rate alone

The machine is shared: record the load average beside the figures (docs/benchmarks.md); a figure
measured under load is an upper bound.
"""

from __future__ import annotations

import argparse
import datetime
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import (
    RESULTS_DIRECTORY,
    Figure,
    database_ensure,
    database_migrate,
    django_setup,
    figures_table,
    figures_write,
    load_average,
    percentile,
)
from benchmarks.datasets import Dataset
from benchmarks.routing import floor_connection, statements_capture

DATASET_KEY = "directives"
DEFAULT_SIZES = (10_000, 100_000)
AGENCY_COUNT = 40
TASKS_PER_DIRECTIVE = 10
WARM_UP_CALLS = 3
MEASURED_CALLS = 30
BOARD_TARGET_MILLISECONDS = 200.0
RATE_TARGET_MILLISECONDS = 100.0
# The board's "today", fixed so that every run classifies the same tasks the same way.
BENCHMARK_TODAY = datetime.date(2026, 6, 15)


def dataset(tasks: int) -> Dataset:
    return Dataset(f"directives_{tasks}", f"{tasks:,} tasks, {AGENCY_COUNT} agencies")


def database_prepare(tasks: int) -> Dataset:
    data = dataset(tasks)
    if database_ensure(data.database):
        print(f"created database {data.database}", flush=True)
    database_migrate(data.database)
    django_setup(data.database)
    from directives.models import Task

    # Occurrences created by the recurrence figure are not part of the data set's size; those
    # an interrupted run left go, so that the catch-up is measured whole.
    Task.objects.filter(series__isnull=False).delete()
    if Task.objects.filter(series__isnull=True).count() != tasks:
        _fill(tasks)
    _locate_and_recur()
    return data


def _locate_and_recur() -> None:
    """A tenth of the tasks located (half inside MEASURED_COMMUNE_BOX), every hundredth a monthly
    series; idempotent, so the data set is prepared once."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE directives_task
            SET place = ST_SetSRID(ST_MakePoint(
                    CASE WHEN id %% 20 = 0 THEN 108.79 ELSE 108.60 END + (id %% 97) * 0.0001,
                    15.11 + (id %% 89) * 0.0001), 4326)
            WHERE id %% 10 = 0 AND place IS NULL AND series_id IS NULL
            """,
            [],
        )
        # Every hundredth task *that is not cancelled*: a cancelled first task ends its series
        # (directives/recurrence.py), so picking by `id % 100` alone (ids follow the tasks'
        # positions, and every twentieth position is cancelled) gave series with nothing to
        # create. Series left on cancelled tasks by that older loader are cleared first.
        cursor.execute(
            """
            UPDATE directives_task SET recurrence = '', recurs_until = NULL
            WHERE status = 'cancelled' AND series_id IS NULL AND recurrence <> ''
            """,
            [],
        )
        cursor.execute(
            """
            UPDATE directives_task SET recurrence = 'monthly', recurs_until = DATE '2026-12-31'
            WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (ORDER BY id) AS position
                    FROM directives_task
                    WHERE series_id IS NULL AND status <> 'cancelled'
                ) AS live
                WHERE position %% 100 = 0
            ) AND recurrence = ''
            AND NOT EXISTS (
                SELECT 1 FROM directives_task recurring
                WHERE recurring.recurrence <> '' AND recurring.series_id IS NULL
                  AND recurring.status <> 'cancelled'
            )
            """,
            [],
        )
        cursor.execute(
            """
            INSERT INTO wards_area (code, name, area_type, level, valid_from, boundary, area_km2,
                                    label_point, is_approximate, source)
            SELECT 'bench1', 'Phường đo thử', 'Phường', 'commune', DATE '2025-07-01',
                   ST_Multi(ST_MakeEnvelope(108.78, 15.10, 108.81, 15.13, 4326)), 10,
                   ST_SetSRID(ST_MakePoint(108.795, 15.115), 4326), true, 'benchmark'
            WHERE NOT EXISTS (SELECT 1 FROM wards_area WHERE code = 'bench1')
            """
        )
        cursor.execute("ANALYZE directives_task")


def _fill(tasks: int) -> None:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE directives_directive, wards_agency CASCADE")
        # Synthetic agencies and directives; the tasks reference them by position.
        cursor.execute(
            """
            INSERT INTO wards_agency (code, name, name_en, kind, email, phone, address, is_active)
            SELECT 'agency-' || n, 'Đơn vị ' || n, '', 'department', '', '', '', true
            FROM generate_series(1, %s) n
            """,
            [AGENCY_COUNT],
        )
        cursor.execute(
            """
            INSERT INTO directives_directive
                (external_id, number, issued_on, kind, signer_name, subject, text, attachment,
                 created_at)
            SELECT 'bench-' || n, n || '/TB-UBND', DATE '2024-01-01' + (n * 7 %% 900),
                   'conclusion_notice', 'Chủ tịch', 'Văn bản ' || n, '', '', now()
            FROM generate_series(1, %s) n
            """,
            [tasks // TASKS_PER_DIRECTIVE],
        )
        # Deadlines 5–120 days after the directive; status by position: 50% done (a fifth of
        # them late), 5% cancelled, the rest open in three statuses.
        cursor.execute(
            """
            WITH numbered AS (
                SELECT n, d.id AS directive_id, d.issued_on,
                       (SELECT min(id) FROM wards_agency) + (n * 7919 %% %(agencies)s) AS agency_id,
                       d.issued_on + 5 + (n * 31 %% 116) AS deadline
                FROM generate_series(1, %(tasks)s) n
                JOIN directives_directive d
                  ON d.external_id = 'bench-' || ((n - 1) / %(per)s + 1)
            )
            INSERT INTO directives_task
                (directive_id, external_id, lead_agency_id, content, field, deadline,
                 original_deadline, recurrence, priority, status, progress_percent, completed_on,
                 extension_count, created_at, updated_at)
            SELECT directive_id, 'bench-task-' || n, agency_id,
                   'Nhiệm vụ ' || n, 'Lĩnh vực ' || (n %% 12), deadline, deadline, '',
                   'normal',
                   CASE WHEN n %% 20 = 0 THEN 'cancelled'
                        WHEN n %% 2 = 0 THEN 'done'
                        WHEN n %% 3 = 0 THEN 'assigned'
                        WHEN n %% 3 = 1 THEN 'accepted'
                        ELSE 'in_progress' END,
                   CASE WHEN n %% 20 <> 0 AND n %% 2 = 0 THEN 100 ELSE n %% 90 END,
                   CASE WHEN n %% 20 <> 0 AND n %% 2 = 0 THEN
                        CASE WHEN n %% 10 = 2 THEN deadline + 6 ELSE deadline - 2 END END,
                   0, now(), now()
            FROM numbered
            """,
            {"agencies": AGENCY_COUNT, "tasks": tasks, "per": TASKS_PER_DIRECTIVE},
        )
        cursor.execute("ANALYZE directives_task")
        cursor.execute("ANALYZE directives_directive")
        cursor.execute("ANALYZE wards_agency")
    print(f"filled {tasks:,} tasks in {time.perf_counter() - started:.1f} s", flush=True)


def _timed(call: Callable[[], object], calls: int = MEASURED_CALLS) -> list[float]:
    for _ in range(WARM_UP_CALLS):
        call()
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _replay(data: Dataset, statements: list[tuple[str, Any]]) -> list[float]:
    connection = floor_connection(data)

    def replay() -> None:
        for sql, parameters in statements:
            cursor = connection.execute(sql, parameters)
            if cursor.description is not None:
                cursor.fetchall()

    try:
        return _timed(replay)
    finally:
        connection.close()


def measure(tasks: int, *, targets_only: bool = False) -> list[Figure]:
    data = database_prepare(tasks)
    from django.contrib.auth.models import Group, User
    from django.test import RequestFactory

    from directives import selectors, views
    from directives.selectors import Today

    leader, _created = User.objects.get_or_create(username="benchmark-leader")
    leader.groups.add(Group.objects.get(name="Lãnh đạo"))
    leader = User.objects.get(pk=leader.pk)  # a fresh copy: no permission cache yet
    factory = RequestFactory()
    fixed_today = Today(
        day=BENCHMARK_TODAY, due_soon_until=selectors.today_of(BENCHMARK_TODAY).due_soon_until
    )
    original_today_of = selectors.today_of
    selectors.today_of = lambda day=None: fixed_today

    def board() -> None:
        request = factory.get("/nhiem-vu/")
        # A new account object per request, as the authentication middleware gives each request.
        request.user = User.objects.get(pk=leader.pk)
        response = views.board(request)
        assert response.status_code == 200, response.status_code

    def rate() -> None:
        selectors.on_time_rate_per_agency(year=2025, today=fixed_today)

    from directives import dashboard, recurrence
    from directives.models import Task
    from directives.selectors import TaskScope
    from wards.models import Area

    everyone = TaskScope(sees_all=True, agency_ids=frozenset())
    year = dashboard.filter_for_year(2025)
    commune = dashboard.filter_for_year(2025, area_id=Area.objects.get(code="bench1").pk)

    def figures() -> None:
        dashboard.dashboard_figures(scope=everyone, dashboard_filter=year, today=fixed_today)

    def commune_figures() -> None:
        dashboard.dashboard_figures(scope=everyone, dashboard_filter=commune, today=fixed_today)

    def task_map() -> None:
        dashboard.tasks_map(scope=everyone, dashboard_filter=year, today=fixed_today)

    moment = datetime.datetime(2026, 6, 15, 9, tzinfo=datetime.UTC)

    def occurrences() -> int:
        return recurrence.directives_create_occurrences(now=moment).count

    try:
        board_runs = _timed(board)
        board_statements = statements_capture(board)
        rate_runs = _timed(rate)
        rate_statements = statements_capture(rate)
        started = time.perf_counter()
        # --targets-only: the board and the rate alone (a minute, not the catch-up's minutes),
        # to measure the two targets again when the machine is quieter.
        caught_up = 0 if targets_only else occurrences()
        catch_up_milliseconds = (time.perf_counter() - started) * 1000
        extra: dict[str, tuple[list[float], list[tuple[str, Any]]]] = {
            name: (_timed(call), statements_capture(call))
            for name, call in (
                ("figures", figures),
                ("commune_figures", commune_figures),
                ("map", task_map),
                ("idle_occurrences", occurrences),
            )
            if not targets_only
        }
    finally:
        selectors.today_of = original_today_of
    board_floor = _replay(data, board_statements)
    rate_floor = _replay(data, rate_statements)
    floors = {name: _replay(data, statements) for name, (_runs, statements) in extra.items()}
    label = f"{tasks:,} tasks"
    series = Task.objects.filter(series__isnull=True, recurrence="monthly").count()
    located = Task.objects.filter(place__isnull=False).count()

    def figure(name: str, title: str, note: str) -> Figure:
        runs, statements = extra[name]
        return Figure(
            dataset=label, name=title, unit="ms",
            project=percentile(runs, 50), floor=percentile(floors[name], 50),
            note=f"{len(statements)} statement(s); {note}",
            runs=runs, floor_runs=floors[name],
        )  # fmt: skip

    # The occurrences go, so the next run measures the same data set and catches up again.
    Task.objects.filter(series__isnull=False).delete()
    return ([] if targets_only else [
        figure("figures", "operations centre figures, one year, p50", "totals and per agency"),
        figure("commune_figures", "operations centre figures, one year, one commune, p50",
               "area filter"),
        figure("map", "task map GeoJSON, one year, p50", f"{located:,} located tasks in all"),
        figure("idle_occurrences", "recurring tasks, hourly run with nothing due, p50",
               f"{series:,} series; the first run created {caught_up:,} occurrences in "
               f"{catch_up_milliseconds:,.0f} ms" if caught_up else f"{series:,} series"),
    ]) + [
        Figure(
            dataset=label, name="leader's board /nhiem-vu/, p50", unit="ms",
            project=percentile(board_runs, 50), floor=percentile(board_floor, 50),
            target_operator="≤", target_value=BOARD_TARGET_MILLISECONDS,
            note=f"{len(board_statements)} statements; p95 {percentile(board_runs, 95):.0f} ms",
            runs=board_runs, floor_runs=board_floor,
        ),
        Figure(
            dataset=label, name="on-time rate per agency, one year, p50", unit="ms",
            project=percentile(rate_runs, 50), floor=percentile(rate_floor, 50),
            target_operator="≤", target_value=RATE_TARGET_MILLISECONDS,
            note=f"{len(rate_statements)} statement(s)",
            runs=rate_runs, floor_runs=rate_floor,
        ),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset_key", nargs="?", default=DATASET_KEY)
    parser.add_argument("--tasks", nargs="+", type=int, default=list(DEFAULT_SIZES))
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--targets-only", action="store_true", help="the board and the on-time rate alone"
    )
    arguments = parser.parse_args()
    if len(arguments.tasks) != 1:
        # Django is set up once per process, for one database: one process per size.
        import subprocess
        import sys
        import tempfile

        from benchmarks.common import figures_read

        figures: list[Figure] = []
        for size in arguments.tasks:
            with tempfile.TemporaryDirectory() as directory:
                output = Path(directory) / "figures.json"
                subprocess.run(
                    [sys.executable, "-m", "benchmarks.directives", DATASET_KEY,
                     "--tasks", str(size), "--json", str(output),
                     *(["--targets-only"] if arguments.targets_only else [])],
                    check=True,
                )  # fmt: skip
                figures.extend(figures_read(output))
    else:
        load_before = load_average()
        figures = measure(arguments.tasks[0], targets_only=arguments.targets_only)
        for figure in figures:
            figure.note += f"; load {load_before:.2f} before, {load_average():.2f} after"
    print(figures_table(figures), flush=True)
    figures_write(figures, arguments.json or RESULTS_DIRECTORY / "directives.json")


if __name__ == "__main__":
    main()
