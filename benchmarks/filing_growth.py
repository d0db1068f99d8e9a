"""Filing at any number of reports (issue 10: "filing unchanged" as the table grows).

The citizen pages' database of `--reports N` reports (benchmarks/citizen_pages.py loads it once;
each size has its own database) receives 1,000 more reports through the real service,
`incident_create`, in one transaction that is rolled back, so the database stays as loaded and
every size is measured on the same rows. Three turns, the median; before them, 200 filings of
warm-up (caches, prepared statements). Figures per report:

- the wall time as reports a second (a shared machine stretches it);
- the CPU of this process plus its PostgreSQL backend (what load disturbs least: the figure to
  compare between sizes);
- the floor: the routing statement per report, prepared, and one COPY of the same report and
  event rows, on a psycopg connection, rolled back too.

    .venv/bin/python -m benchmarks.filing_growth [--reports N] [--json figures.json] [--load-only]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.citizen_pages import DATASET_KEY, REPORT_COUNT, database_prepare
from benchmarks.common import Figure, figures_table, figures_write, load_average
from benchmarks.datasets import Dataset
from benchmarks.incidents import (
    Filing,
    _backend_cpu_meter,
    _incident_create,
    _routing_parameters,
    _routing_statement,
    _table_rows,
    _written_columns,
    filings,
)
from benchmarks.routing import floor_connection

FILINGS_PER_TURN = 1_000
WARM_UP_FILINGS = 200
TURNS = 3
# Not the seed of the loaded reports' points (benchmarks/citizen_pages.py): new places.
FILING_SEED = 11


@dataclass(frozen=True)
class Turn:
    seconds: float
    cpu_seconds: float


def _filing_turn(
    reports: list[Filing], incident_columns: str
) -> tuple[Turn, list[bytes], list[bytes]]:
    """File `reports` in one transaction, rolled back; the time, the CPU and the rows written."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM incidents_incident")
            (last_id,) = cursor.fetchone()
        backend_cpu = _backend_cpu_meter(connection)
        started, cpu_started, backend_started = (
            time.perf_counter(),
            time.process_time(),
            backend_cpu(),
        )
        for filing in reports:
            _incident_create(filing)
        turn = Turn(
            seconds=time.perf_counter() - started,
            cpu_seconds=time.process_time() - cpu_started + backend_cpu() - backend_started,
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


def _floor_turn(
    dataset: Dataset,
    reports: list[Filing],
    written: tuple[str, list[bytes], list[bytes]],
) -> Turn:
    """Routing by the prepared statement and one COPY of the same rows, rolled back."""
    incident_columns, incident_rows, event_rows = written
    statement, template = _routing_statement(reports[0])
    with floor_connection(dataset) as floor:
        floor.autocommit = False
        backend_cpu = _backend_cpu_meter(floor)
        started, cpu_started, backend_started = (
            time.perf_counter(),
            time.process_time(),
            backend_cpu(),
        )
        for filing in reports:
            floor.execute(statement, _routing_parameters(template, filing), prepare=True).fetchall()
        with floor.cursor() as cursor:
            with cursor.copy(f"COPY incidents_incident ({incident_columns}) FROM STDIN") as copy:
                for row in incident_rows:
                    copy.write(row)
            with cursor.copy("COPY incidents_incidentevent FROM STDIN") as copy:
                for row in event_rows:
                    copy.write(row)
        turn = Turn(
            seconds=time.perf_counter() - started,
            cpu_seconds=time.process_time() - cpu_started + backend_cpu() - backend_started,
        )
        floor.rollback()
    return turn


def filing_growth_figures(dataset: Dataset, reports: int) -> list[Figure]:
    sample = filings(WARM_UP_FILINGS + FILINGS_PER_TURN, seed=FILING_SEED)
    warm_up, measured = sample[:WARM_UP_FILINGS], sample[WARM_UP_FILINGS:]
    from django.db import connection

    # Every column but the generated one (the map feature's text), which COPY cannot write.
    with connection.cursor() as cursor:
        incident_columns = ", ".join(_written_columns(cursor, "incidents_incident"))
    _filing_turn(warm_up, incident_columns)
    project_turns, floor_turns = [], []
    for _turn in range(TURNS):
        turn, incident_rows, event_rows = _filing_turn(measured, incident_columns)
        project_turns.append(turn)
        written = (incident_columns, incident_rows, event_rows)
        floor_turns.append(_floor_turn(dataset, measured, written))
    count = len(measured)

    def rate(turns: list[Turn]) -> float:
        return count / statistics.median(turn.seconds for turn in turns)

    def cpu(turns: list[Turn]) -> float:
        return 1000 * statistics.median(turn.cpu_seconds for turn in turns) / count

    label = f"incident_create at {reports:,} reports, {count:,} in one transaction"
    return [
        Figure(
            dataset=DATASET_KEY,
            name=label,
            unit="reports/s",
            project=rate(project_turns),
            floor=rate(floor_turns),
            note="floor: routing statement per report + COPY of the same rows",
        ),
        Figure(
            dataset=DATASET_KEY,
            name=f"{label}, CPU per report",
            unit="ms",
            project=cpu(project_turns),
            floor=cpu(floor_turns),
            note="this process + its PostgreSQL backend",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", choices=[DATASET_KEY], default=DATASET_KEY)
    parser.add_argument(
        "--reports",
        type=int,
        default=REPORT_COUNT,
        help=f"reports already filed (default {REPORT_COUNT:,}); each number has its own database",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--load-only", action="store_true", help="prepare the database, measure nothing"
    )
    arguments = parser.parse_args()
    dataset = database_prepare(reports=arguments.reports)
    if arguments.load_only:
        return
    print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
    figures = filing_growth_figures(dataset, arguments.reports)
    if arguments.json:
        figures_write(figures, arguments.json)
    print(f"one-minute load average after measuring: {load_average():.2f}")
    print(f"\n{figures_table(figures)}")


if __name__ == "__main__":
    main()
