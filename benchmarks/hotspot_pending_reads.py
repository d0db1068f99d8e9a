"""What adding the pending changes costs the hotspot layer's statement (issue 13): a year's layer
(`operations_selectors.hotspot_counts_sql`, no filter) against the summary alone (the statement
before migration 0019), with no change pending and with PENDING changes (5 s of filing at 500 a
second), over SUMMARY_ROWS synthetic hotspot rows spread over the year (about what a year of a
million reports holds), vacuumed so that the summary is read index-only as in production.

Runs on the database of DATABASE_URL (the developer's, not the tests'): the synthetic rows are
written, measured and deleted again, so it must hold no hotspot row of its own. Backend CPU and
wall time per statement (the CPU's mean, as /proc counts it in ticks of 10 ms; the wall time's
median) over TURNS turns, the variants in turns; serial (no parallel
workers, whose CPU the backend's figure would miss; the tiles always run so) and with the
server's parallel settings (wall time only).

    DATABASE_URL=… .venv/bin/python -m benchmarks.hotspot_pending_reads
"""

from __future__ import annotations

import datetime
import os
import statistics
import time

SUMMARY_ROWS = 200_000
PENDING = 2_500
TURNS = 30
YEAR_END = datetime.date(2026, 12, 6)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.base")
    import django

    django.setup()
    from django.db import connection

    from benchmarks.common import load_average
    from benchmarks.incidents import _backend_cpu_meter
    from geoapp.sql import SqlParameters
    from incidents.operations_selectors import hotspot_cells_conditions, hotspot_counts_sql

    parameters: SqlParameters = {}
    where = hotspot_cells_conditions(
        parameters,
        date_from=YEAR_END - datetime.timedelta(days=364),
        date_to=YEAR_END,
        category_id=None,
        area_ids=None,
    )
    statements = {
        "summary alone (before 0019)": (
            "SELECT hexagon_column, hexagon_row, sum(reports)::integer "
            f"FROM incidents_incidenthotspotcell WHERE {where} "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        "summary + pending changes (0019)": f"{hotspot_counts_sql(where)} ORDER BY 1, 2",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incidenthotspotcell")
        if cursor.fetchone()[0]:
            raise SystemExit("the database holds hotspot rows of its own: use an empty one")
        cursor.execute(
            "INSERT INTO incidents_incidenthotspotcell "
            "(day, hexagon_column, hexagon_row, category_id, area_id, reports) "
            "SELECT %s - (g %% 365), 7700 + (g %% 97), -2950 + (g %% 61), 1 + g %% 8, 1 + g %% 96, 1 "
            "FROM generate_series(1, %s) AS g ON CONFLICT DO NOTHING",
            [YEAR_END, SUMMARY_ROWS],
        )
        cursor.execute("VACUUM ANALYZE incidents_incidenthotspotcell")
        backend_cpu = _backend_cpu_meter(connection)
        try:
            print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
            for pending, parallel in ((0, False), (PENDING, False), (0, True), (PENDING, True)):
                cursor.execute(
                    "RESET max_parallel_workers_per_gather"
                    if parallel
                    else "SET max_parallel_workers_per_gather = 0"
                )
                cursor.execute("DELETE FROM incidents_incidentmapchange")
                cursor.execute(
                    "INSERT INTO incidents_incidentmapchange (sign, incident_id, category_id, "
                    "status, resolve_day, longitude, latitude, exact_longitude, exact_latitude, "
                    "publicly_visible, area_id, reported_day) "
                    "SELECT 1, g, 1, 'new', %s, 108.6 + random() * 0.4, 14.9 + random() * 0.4, "
                    "0, 0, true, 1, %s FROM generate_series(1, %s) AS g",
                    [YEAR_END, YEAR_END, pending],
                )
                cursor.execute("VACUUM ANALYZE incidents_incidentmapchange")
                answers = set()
                cpu: dict[str, list[float]] = {name: [] for name in statements}
                wall: dict[str, list[float]] = {name: [] for name in statements}
                for _turn in range(TURNS):
                    for name, sql in statements.items():
                        started, cpu_started = time.perf_counter(), backend_cpu()
                        cursor.execute(sql, parameters)
                        rows = cursor.fetchall()
                        wall[name].append(1000 * (time.perf_counter() - started))
                        cpu[name].append(1000 * (backend_cpu() - cpu_started))
                        answers.add(len(rows))
                for name in statements:
                    print(
                        f"{'parallel' if parallel else 'serial':<8} {pending:>5} pending, "
                        f"{name:<34} backend CPU "
                        f"{statistics.mean(cpu[name]):6.1f} ms, wall "
                        f"{statistics.median(wall[name]):6.1f} ms (hexagons: {sorted(answers)})"
                    )
            print(f"one-minute load average after measuring: {load_average():.2f}")
        finally:
            cursor.execute("DELETE FROM incidents_incidentmapchange")
            cursor.execute("DELETE FROM incidents_incidenthotspotcell")


if __name__ == "__main__":
    main()
