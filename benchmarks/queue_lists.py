"""The staff queues' lists alone (issue 10, part B): the two statements that choose and read the
50 rows of a page (the keys along the sort's index, then the rows with their joins by id),
without the counts per status, which the summaries replace (part A). Measured on
benchmarks/staff_pages.py's database of the same size (load it first with `--load-only`), at the
first page and at a page deep in the list reached by a cursor, each beside its raw-SQL floor
(the same statements replayed by psycopg).

    .venv/bin/python -m benchmarks.queue_lists [--reports N]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from benchmarks.common import Figure, figures_table, percentile
from benchmarks.datasets import DEFAULT_REPORT_COUNT
from benchmarks.routing import floor_replay_timings, statements_capture
from benchmarks.staff_pages import LEADER, OFFICER, database_prepare

MEASURED = 40
WARM_UP = 5
TARGET_MILLISECONDS = 100.0

LISTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("officer's queue (open, most urgent first)", OFFICER, {}),
    ("leader's queue of every report", LEADER, {"status": "all"}),
    ("officer's overdue reports", OFFICER, {"sort": "overdue"}),
    ("officer's queue, newest first", OFFICER, {"sort": "newest", "status": "all"}),
)


def _list_statements(username: str, filters: Any, cursor: Any) -> list[tuple[str, Any]]:
    from django.contrib.auth.models import User

    from incidents import staff_queue_selectors

    user = User.objects.get(username=username)
    scope = staff_queue_selectors.staff_scope(user=user)
    captured = statements_capture(
        lambda: staff_queue_selectors.staff_queue(
            user=user, filters=filters, cursor=cursor, scope=scope
        )
    )
    # Everything but the counts per status (the summaries' part).
    return [statement for statement in captured if "COUNT(" not in statement[0]]


def _deep_cursor(username: str, filters: Any, pages: int) -> Any:
    """The cursor of page `pages` + 1: the next link of page `pages` (asked by number once)."""
    from django.contrib.auth.models import User

    from incidents import staff_queue_selectors
    from incidents.queue_keyset import cursor_parse, sort_normalize

    user = User.objects.get(username=username)
    page = staff_queue_selectors.staff_queue(user=user, filters=filters, page_number=pages).page
    assert page.next_cursor is not None, "the list is shorter than the deep page"
    return cursor_parse(page.next_cursor, sort=sort_normalize(filters.sort))


def lists_figures(dataset: Any, *, deep_pages: int) -> list[Figure]:
    from django.db import connection

    from incidents.staff_queue_selectors import QueueFilters

    figures = []
    for name, username, fields in LISTS:
        filters = QueueFilters(**fields)
        for where, cursor in (
            ("page 1", None),
            (f"page {deep_pages + 1}", _deep_cursor(username, filters, deep_pages)),
        ):
            statements = _list_statements(username, filters, cursor)
            timings = []
            for run in range(WARM_UP + MEASURED):
                started = time.perf_counter_ns()
                with connection.cursor() as database:
                    for sql, parameters in statements:
                        database.execute(sql, parameters)
                        database.fetchall()
                if run >= WARM_UP:
                    timings.append((time.perf_counter_ns() - started) / 1e6)
            floor = floor_replay_timings(dataset, statements, warm_up=WARM_UP, count=MEASURED)
            figures.append(
                Figure(
                    dataset=dataset.key.replace("staff_pages", "staff"),
                    name=f"{name}, list only, {where}, p50",
                    unit="ms",
                    project=percentile(timings, 50),
                    floor=percentile(floor, 50),
                    target_operator="≤",
                    target_value=TARGET_MILLISECONDS,
                    note=f"{len(statements)} statements (keys, rows), the counts left out",
                )
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=DEFAULT_REPORT_COUNT)
    parser.add_argument("--deep-pages", type=int, default=100, help="pages walked for the deep one")
    arguments = parser.parse_args()
    dataset = database_prepare(reports=arguments.reports)
    print(figures_table(lists_figures(dataset, deep_pages=arguments.deep_pages)))


if __name__ == "__main__":
    main()
