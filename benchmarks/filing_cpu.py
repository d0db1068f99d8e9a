"""Filing in one process, the CPU per report split (issue 10: 500 reports a second in one process).

500 reports a second in one process is 2 ms per report. On the benchmark database of
`benchmarks/incidents.py` (the demo territory, the eight categories), 1,500 anonymous reports are
filed through `incident_create` in one transaction, rolled back, after 200 of warm-up (caches,
prepared statements); three turns, the median of each figure. What the machine's load disturbs
least is the CPU, so the figures are per report:

- the CPU of this process (`time.process_time()`: Django's and the service's Python, psycopg);
- the CPU of its PostgreSQL backend (read from /proc), the statements' work and their round trips;
- the wall time, as reports a second, beside the load average (an upper bound on a shared machine);
- the floor: the routing statement per report (prepared) and one COPY of the same report and event
  rows, on a psycopg connection, rolled back too.

With `--profile FILE`, one more turn of 1,000 filings runs under cProfile and its statistics are
written to FILE (read them with `python -m pstats FILE`); its times are inflated by the profiler
and count for nothing in the table.

    .venv/bin/python -m benchmarks.filing_cpu [--turns 3] [--profile filing.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import Figure, figures_table, load_average
from benchmarks.filing_growth import _floor_turn
from benchmarks.incidents import (
    DATASET,
    DATASET_KEY,
    POINT_SEED,
    Filing,
    _backend_cpu_meter,
    _incident_create,
    _table_rows,
    _written_columns,
    database_prepare,
    filings,
    reports_delete,
)

FILINGS_PER_TURN = 1_500
WARM_UP_FILINGS = 200
PROFILED_FILINGS = 1_000
TARGET_MILLISECONDS = 2.0  # 500 reports a second


@dataclass(frozen=True)
class Turn:
    seconds: float
    python_seconds: float
    backend_seconds: float


def _filing_turn(
    reports: list[Filing], incident_columns: str, *, summaries: bool
) -> tuple[Turn, list[bytes], list[bytes]]:
    """File `reports` in one transaction, rolled back; the times and the rows written. Without
    `summaries`, the summaries' triggers are disabled inside that transaction (the rollback
    enables them again)."""
    from django.db import connection, transaction

    from incidents.summary_definitions import SUMMARIES

    # A rolled-back upsert leaves its index entries behind: without a vacuum, every turn would
    # search the summaries' indexes through the dead entries of the turns before it.
    with connection.cursor() as cursor:
        for summary in SUMMARIES:
            cursor.execute(f"VACUUM {summary.table}")  # a fixed name
    with transaction.atomic():
        if not summaries:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE incidents_incident DISABLE TRIGGER USER")
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM incidents_incident")
            (last_id,) = cursor.fetchone()
        backend_cpu = _backend_cpu_meter(connection)
        started, python_started, backend_started = (
            time.perf_counter(),
            time.process_time(),
            backend_cpu(),
        )
        for filing in reports:
            _incident_create(filing)
        turn = Turn(
            seconds=time.perf_counter() - started,
            python_seconds=time.process_time() - python_started,
            backend_seconds=backend_cpu() - backend_started,
        )
        with connection.cursor() as cursor:
            incident_rows = _table_rows(
                cursor,
                f"(SELECT {incident_columns} FROM incidents_incident WHERE id > {int(last_id)})",
            )
            event_rows = _table_rows(
                cursor,
                f"(SELECT * FROM incidents_incidentevent WHERE incident_id > {int(last_id)})",
            )
        transaction.set_rollback(True)
    return turn, incident_rows, event_rows


def _profiled_turn(reports: list[Filing], path: Path) -> None:
    from django.db import connection, transaction

    # CPU time, not the wall clock: what the process spends, not what it waits for the server.
    profiler = cProfile.Profile(time.process_time)
    with transaction.atomic():
        with connection.cursor() as cursor:  # the service's own work, not the summaries'
            cursor.execute("ALTER TABLE incidents_incident DISABLE TRIGGER USER")
        profiler.enable()
        for filing in reports:
            _incident_create(filing)
        profiler.disable()
        transaction.set_rollback(True)
    profiler.dump_stats(path)


def filing_cpu_figures(
    *, turns: int, profile: Path | None, with_summaries: bool = True
) -> list[Figure]:
    from django.db import connection

    sample = filings(WARM_UP_FILINGS + FILINGS_PER_TURN, seed=POINT_SEED)
    warm_up, measured = sample[:WARM_UP_FILINGS], sample[WARM_UP_FILINGS:]
    reports_delete()
    # Every column but the generated one (the map feature's text), which COPY cannot write.
    with connection.cursor() as cursor:
        incident_columns = ", ".join(_written_columns(cursor, "incidents_incident"))
    _filing_turn(warm_up, incident_columns, summaries=True)
    # In turns, with the summaries' triggers and without, so that the load falls on both alike.
    summaries_turns: list[Turn] = []
    without: list[Turn] = []
    floor_cpu: list[float] = []
    loads = [load_average()]
    for _turn in range(turns):
        if with_summaries:
            turn, _incidents, _events = _filing_turn(measured, incident_columns, summaries=True)
            summaries_turns.append(turn)
        turn, incident_rows, event_rows = _filing_turn(measured, incident_columns, summaries=False)
        without.append(turn)
        floor = _floor_turn(DATASET, measured, (incident_columns, incident_rows, event_rows))
        floor_cpu.append(floor.cpu_seconds)
        loads.append(load_average())
    if profile is not None:
        _profiled_turn(measured[:PROFILED_FILINGS], profile)
    count = len(measured)

    def per_report(values: list[float]) -> float:
        return 1000 * statistics.median(values) / count

    def runs(values: list[float]) -> str:
        return " / ".join(f"{1000 * value / count:.2f}" for value in values)

    python = [turn.python_seconds for turn in summaries_turns + without]
    backend_with = [turn.backend_seconds for turn in summaries_turns]
    backend_without = [turn.backend_seconds for turn in without]
    total_with = [turn.python_seconds + turn.backend_seconds for turn in summaries_turns]
    total_without = [turn.python_seconds + turn.backend_seconds for turn in without]
    label = f"incident_create, {count:,} in one transaction"
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"{label}, CPU per report: Python",
            unit="ms",
            project=per_report(python),
            note=f"this process: {runs(python)}",
        ),
        Figure(
            dataset=DATASET_KEY,
            name=f"{label}, CPU per report: PostgreSQL backend, summaries' triggers off",
            unit="ms",
            project=per_report(backend_without),
            note=f"its backend: {runs(backend_without)}",
        ),
        Figure(
            dataset=DATASET_KEY,
            name=f"{label}, CPU per report, in all, summaries' triggers off",
            unit="ms",
            project=per_report(total_without),
            floor=per_report(floor_cpu),
            target_operator="≤",
            target_value=TARGET_MILLISECONDS,
            note="floor: routing statement per report + COPY of the same rows",
        ),
        Figure(
            dataset=DATASET_KEY,
            name=f"{label}, wall, summaries' triggers off",
            unit="reports/s",
            project=count / statistics.median(turn.seconds for turn in without),
            note=f"load {min(loads):.2f}–{max(loads):.2f} on 2 shared cores",
        ),
    ] + (
        [
            Figure(
                dataset=DATASET_KEY,
                name=f"{label}, CPU per report: PostgreSQL backend, with the summaries' triggers",
                unit="ms",
                project=per_report(backend_with),
                note=f"its backend: {runs(backend_with)}",
            ),
            Figure(
                dataset=DATASET_KEY,
                name=f"{label}, CPU per report, in all, with the summaries' triggers",
                unit="ms",
                project=per_report(total_with),
                floor=per_report(floor_cpu),
                target_operator="≤",
                target_value=TARGET_MILLISECONDS,
            ),
        ]
        if summaries_turns
        else []
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write a cProfile of 1,000 filings here")
    parser.add_argument(
        "--without-summaries-only",
        action="store_true",
        help="skip the turns with the summaries' triggers (the service's own CPU only)",
    )
    arguments = parser.parse_args()
    database_prepare()
    figures = filing_cpu_figures(
        turns=arguments.turns,
        profile=arguments.profile,
        with_summaries=not arguments.without_summaries_only,
    )
    print(f"\n{figures_table(figures)}")


if __name__ == "__main__":
    main()
