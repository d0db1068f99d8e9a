"""The plans of the grouped public map's statements (issue 10): the province at zoom 9 and the
former city at zoom 12 of `benchmarks/citizen_pages.py`, as `incidents_map_features` sends them,
under EXPLAIN (ANALYZE, BUFFERS, COSTS OFF), on the citizen pages' database of N reports.

    .venv/bin/python -m benchmarks.explain_map --reports 1000000
"""

from __future__ import annotations

import argparse

from benchmarks.citizen_pages import REPORT_COUNT, database_prepare, map_views

GROUPED_VIEWS = ("map_province", "map_city")


def grouped_map_plans() -> dict[str, str]:
    """Each grouped view's plan, by the view's key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.page_selectors import incidents_map_features
    from incidents.selectors import PublicIncidentFilters

    plans = {}
    for key, _name, box, zoom in map_views():
        if key not in GROUPED_VIEWS:
            continue
        with CaptureQueriesContext(connection) as captured:
            incidents_map_features(filters=PublicIncidentFilters(bbox=box), zoom=zoom)
        statement = captured.captured_queries[-1]["sql"]
        with connection.cursor() as cursor:
            # The captured text has its values inlined by psycopg: the plan Django's gets.
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement)
            plans[key] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=REPORT_COUNT)
    arguments = parser.parse_args()
    database_prepare(reports=arguments.reports)
    for key, plan in grouped_map_plans().items():
        print(f"### {key}\n{plan}\n")


if __name__ == "__main__":
    main()
