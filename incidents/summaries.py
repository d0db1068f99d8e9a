"""The summaries of citizen feedback (`incidents/summary_models.py`): how they are computed from
the reports, kept up to date by PostgreSQL triggers, and rebuilt.

One grouped SELECT per summary, over a relation of signed report rows (`sign`, then the columns
of `incidents_incident`), says what a summary holds. The same SELECT serves twice:

- the triggers of migration 0011 run it over each statement's transition tables (+1 for every
  row as it is after the statement, -1 for every row as it was before) and add the result to the
  summary, so a statement costs what it changed: one grouped pass over its own rows, not one per
  row, which keeps a COPY of a million reports and a single filing both cheap;
- the rebuild runs it over the whole table (+1 for every row) and corrects whatever differs.

What each summary holds is said in `incidents.summary_definitions`; this module turns it into
the statements. Every statement here is fixed text built from those constants; nothing comes
from input.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents.summary_definitions import (
    MAP_CHANGE_COLUMNS,
    MAP_CHANGE_VALUES,
    MAP_CHANGES_TABLE,
    PAST_DAY_SQL,
    SUMMARIES,
    SUMMARIES_FOLDED,
    SUMMARIES_FOLDED_FROM_CHANGES,
    SUMMARIES_KEPT_BY_TRIGGERS,
    Summary,
)

# The triggers (installed by migration 0011)


def _added_on_conflict(summary: Summary) -> str:
    """The upsert's clause: rows of a key already there are added to it."""
    additions = ", ".join(
        f"{name} = summary.{name} + EXCLUDED.{name}" for name, _ in summary.values
    )
    return f"ON CONFLICT ({', '.join(summary.key_columns)}) DO UPDATE SET {additions}"


def _map_changes_sql(event: str) -> str:
    """The CTE that appends the statement's pending changes (IncidentMapChange) of the map
    grids and the hotspot hexagons: one row per report inserted or deleted, public or not (the
    hotspots count every report; the fold and the map skip those the public does not see); for
    an update, the old and new rows of a report cancel out unless something the grids or the
    hotspots count changed (a status, a deadline day, a point, the visibility, the category,
    the area), so a step that changes none of it writes nothing."""
    if event == "update":
        columns = MAP_CHANGE_COLUMNS.count(",") + 1
        grouped = ", ".join(str(position) for position in range(2, columns + 1))
        selected = (
            f"SELECT sum(c.sign), {MAP_CHANGE_VALUES} FROM signed AS c "
            f"GROUP BY {grouped} HAVING sum(c.sign) <> 0"
        )
    else:
        selected = f"SELECT c.sign, {MAP_CHANGE_VALUES} FROM signed AS c"
    return f"""    map_changed AS (
        INSERT INTO {MAP_CHANGES_TABLE} ({MAP_CHANGE_COLUMNS})
        {selected}
    )"""


def _apply_sql(
    summaries: tuple[Summary, ...],
    signed_rows: str,
    *,
    may_empty: bool,
    map_changes_of: str | None = None,
) -> str:
    """PL/pgSQL that adds the delta of `signed_rows` to every summary in one statement (one
    executor start per filing rather than one per summary: issue 13's filing overhead), then,
    when `may_empty`, deletes the rows it brought to zero (a row counts reports and subsets of
    them, so zero reports is zero in all). Each summary is a table of its own, so the
    statement's parts touch different rows and see the same snapshot.

    An INSERT only adds reports, so it brings no row to zero: its trigger returns nothing and
    deletes nothing. Measured per single-row INSERT (issue 13), the RETURNING, the arrays of
    emptied ids and the tests on them were 0.3 of the trigger's 0.85 ms; the plans themselves
    are cached by PL/pgSQL (the same statement run by EXECUTE, replanned each time, costs 2.3 ms).
    """
    returning = "\n        RETURNING summary.id, summary.reports" if may_empty else ""
    parts = [
        f"""    upserted_{number} AS (
        INSERT INTO {summary.table} AS summary ({", ".join(summary.columns)})
        {summary.delta_sql("signed")}
        {_added_on_conflict(summary)}{returning}
    )"""
        for number, summary in enumerate(summaries)
    ]
    if map_changes_of is not None:
        parts.append(_map_changes_sql(map_changes_of))
    upserts = ",\n".join(parts)
    if not may_empty:
        return f"""
    WITH signed AS ({signed_rows}),
{upserts}
    SELECT 1 INTO statement_done;
"""
    emptied = ", ".join(
        f"(SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{{}}') FROM upserted_{number})"
        for number in range(len(summaries))
    )
    deletes = "".join(
        f"""
    IF cardinality(emptied_{number}) > 0 THEN
        DELETE FROM {summary.table} WHERE id = ANY(emptied_{number});
    END IF;"""
        for number, summary in enumerate(summaries)
    )
    return f"""
    WITH signed AS ({signed_rows}),
{upserts}
    SELECT {emptied}
    INTO {", ".join(f"emptied_{number}" for number in range(len(summaries)))};
{deletes}
"""


def _declarations(summaries: tuple[Summary, ...], *, may_empty: bool) -> str:
    if not may_empty:
        return "    statement_done integer;\n"
    return "".join(f"    emptied_{number} bigint[];\n" for number in range(len(summaries)))


# PostgreSQL allows transition tables on a trigger of one event only: one function per event.
_SIGNED_ROWS = {
    "insert": "(SELECT 1 AS sign, * FROM new_rows)",
    "delete": "(SELECT -1 AS sign, * FROM old_rows)",
    "update": "(SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows)",
}
_REFERENCING = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
}


def triggers_install_sql(summaries: tuple[Summary, ...], *, map_changes: bool = False) -> str:
    """The trigger functions and triggers that keep `summaries` up to date; with `map_changes`,
    they also append the pending changes of the summaries kept through them (migration 0019 on:
    `summaries` is then SUMMARIES_KEPT_BY_TRIGGERS, see `current_triggers_install_sql`)."""
    statements = []
    for event, signed_rows in _SIGNED_ROWS.items():
        may_empty = event != "insert"
        body = _apply_sql(
            summaries,
            signed_rows,
            may_empty=may_empty,
            map_changes_of=event if map_changes else None,
        )
        statements.append(
            f"""
CREATE FUNCTION incidents_summaries_after_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
{_declarations(summaries, may_empty=may_empty)}BEGIN
{body}
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_summaries_after_{event}
    AFTER {event.upper()} ON incidents_incident
    REFERENCING {_REFERENCING[event]}
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_summaries_after_{event}();
"""
        )
    # DELETE, not TRUNCATE: a TRUNCATE of the reports that names the summaries too (Django's flush
    # does) would otherwise truncate a table its own statement is still using, which PostgreSQL refuses.
    emptied = [summary.table for summary in summaries]
    if map_changes:
        emptied += [summary.table for summary in SUMMARIES_FOLDED] + [MAP_CHANGES_TABLE]
    deletes = "".join(f"    DELETE FROM {table};\n" for table in emptied)
    statements.append(
        f"""
CREATE FUNCTION incidents_summaries_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{deletes}
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_summaries_after_truncate
    AFTER TRUNCATE ON incidents_incident
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_summaries_after_truncate();
"""
    )
    return "".join(statements)


def current_triggers_install_sql() -> str:
    """The triggers as the latest migration installs them (frozen in
    migrations/sql/0019_summaries_triggers.sql; a test holds the two equal)."""
    return triggers_install_sql(SUMMARIES_KEPT_BY_TRIGGERS, map_changes=True)


def triggers_remove_sql() -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS incidents_summaries_after_{event} ON incidents_incident;"
        f"DROP FUNCTION IF EXISTS incidents_summaries_after_{event}();"
        for event in (*_SIGNED_ROWS, "truncate")
    )


# The fold of the pending changes into the map grids (migration 0018) and the hotspot
# hexagons (migration 0019)

# Folds wait for each other (a transaction-level advisory lock, this key): two at once would
# otherwise lock pending rows and grid rows in orders of their own, and could deadlock.
_MAP_CHANGES_FOLD_LOCK = 2026_0013


def map_changes_fold_sql() -> str:
    """One statement that moves every pending change its snapshot sees into both map grids
    and the hotspot hexagons: the DELETE takes only committed rows (rows of transactions still
    open are invisible to it, stay, and are folded next time), grouped per summary key, added to
    the summary rows; it returns the number of changes moved and the ids of the summary rows it
    brought to zero. A summary none of whose keys changed gets no row written (its upsert's
    SELECT is empty), so the hotspot tiles' version moves only when a hexagon's count does."""
    upserts = ",\n".join(
        f"""    upserted_{number} AS (
        INSERT INTO {summary.table} AS summary ({", ".join(summary.columns)})
        {summary.delta_sql("moved")}
        {_added_on_conflict(summary)}
        RETURNING summary.id, summary.reports
    )"""
        for number, summary in enumerate(SUMMARIES_FOLDED_FROM_CHANGES)
    )
    emptied = ", ".join(
        f"(SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{{}}') FROM upserted_{number})"
        for number in range(len(SUMMARIES_FOLDED_FROM_CHANGES))
    )
    return f"""
    WITH moved AS (DELETE FROM {MAP_CHANGES_TABLE} RETURNING {MAP_CHANGE_COLUMNS}),
{upserts}
    SELECT (SELECT count(*) FROM moved), {emptied}
"""


def _fold_map_changes(cursor: CursorWrapper) -> int:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_MAP_CHANGES_FOLD_LOCK])
    cursor.execute(map_changes_fold_sql())
    moved, *emptied = cursor.fetchone()
    # A second statement: a statement cannot delete the rows its own upsert wrote.
    for summary, ids in zip(SUMMARIES_FOLDED, emptied, strict=True):
        if ids:
            cursor.execute(f"DELETE FROM {summary.table} WHERE id = ANY(%s)", [ids])  # a fixed name
    return int(moved)


def summaries_fold_map_changes() -> int:
    """Move the committed pending changes (IncidentMapChange) into the two map grids and the
    hotspot hexagons, in one transaction: a reader sees them either pending or folded, never
    both or neither. The number of changes moved. Every few seconds from Celery beat; the
    rebuild does it first."""
    with transaction.atomic(), connection.cursor() as cursor:
        return _fold_map_changes(cursor)


# The rebuild


@dataclass(frozen=True)
class Correction:
    """What the rebuild found wrong in one summary and put right."""

    table: str
    rows_removed: int
    rows_written: int

    @property
    def corrected(self) -> bool:
        return bool(self.rows_removed or self.rows_written)


def _fold_sql(summary: Summary, before: datetime.date) -> str:
    """Merge the rows of deadline days before `before` into PAST_DAY's (see PAST_DAY): the same
    sums under fewer keys, so every figure read from them is unchanged."""
    day = f"DATE '{before.isoformat()}'"
    past = " OR ".join(
        f"({name} < {day} AND {name} <> {PAST_DAY_SQL})" for name in summary.day_keys
    )
    folded = ", ".join(
        f"CASE WHEN {name} < {day} THEN {PAST_DAY_SQL} ELSE {name} END"
        if name in summary.day_keys
        else name
        for name in summary.key_columns
    )
    sums = ", ".join(f"sum({name})" for name, _ in summary.values)
    keys = ", ".join(str(position) for position in range(1, len(summary.keys) + 1))
    return f"""
    WITH moved AS (DELETE FROM {summary.table} WHERE {past} RETURNING *)
    INSERT INTO {summary.table} AS summary ({", ".join(summary.columns)})
    SELECT {folded}, {sums} FROM moved GROUP BY {keys} ORDER BY {keys}
    {_added_on_conflict(summary)}
"""


def _fold(cursor: CursorWrapper, summary: Summary, before: datetime.date) -> None:
    if summary.day_keys:
        cursor.execute(_fold_sql(summary, before))
        # Rows a resolution took to zero, under a day the fold merged them into.
        cursor.execute(f"DELETE FROM {summary.table} WHERE reports = 0")


def summaries_fold_past_days(*, today: datetime.date | None = None) -> None:
    """Only the folds of the nightly rebuild (the pending changes of the map grids and the
    hotspots, then PAST_DAY): for a bulk load that has just written years of reports, whose
    changes are all pending and whose summaries then hold a row per past deadline day."""
    before = today or timezone.localdate(timezone.now(), VIETNAM_TIME_ZONE)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE incidents_incident IN SHARE MODE")
        _fold_map_changes(cursor)
        for summary in SUMMARIES:
            _fold(cursor, summary, before)


def summaries_rebuild(
    summaries: tuple[Summary, ...] = SUMMARIES, *, today: datetime.date | None = None
) -> list[Correction]:
    """Fold the pending changes (map grids, hotspots), and the deadline days before `today`
    (Vietnam's, by default) into PAST_DAY; then recompute every summary from the reports and correct the rows
    that differ: remove the rows the reports do not justify, write the ones missing or wrong.
    Returns what was corrected (all zeros when the triggers kept the summaries right, which is
    what the nightly run expects; the folds are not corrections).

    The reports are locked in SHARE mode for the duration: writers wait (a few seconds at a
    million reports) so that the recomputation and the summaries see the same reports.
    """
    fold_before = today or timezone.localdate(timezone.now(), VIETNAM_TIME_ZONE)
    corrections = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE incidents_incident IN SHARE MODE")
        # The pending changes first (today's schema only: the migrations before 0018 rebuild
        # sets of their own, and have no such table). Once the lock is held no writer
        # is left open, so every pending change is committed and the fold leaves none.
        if summaries == SUMMARIES:
            _fold_map_changes(cursor)
        for summary in summaries:
            _fold(cursor, summary, fold_before)
            expected = summary.delta_sql(
                "(SELECT 1 AS sign, * FROM incidents_incident)",
                fold_before=fold_before if summary.day_keys else None,
            )
            columns = ", ".join(summary.columns)
            cursor.execute("DROP TABLE IF EXISTS incidents_summary_expected")
            cursor.execute(
                f"CREATE TEMPORARY TABLE incidents_summary_expected ON COMMIT DROP AS {expected}"
            )
            cursor.execute(
                f"DELETE FROM {summary.table} WHERE ({columns}) IN ("
                f"SELECT {columns} FROM {summary.table} "
                f"EXCEPT SELECT {columns} FROM incidents_summary_expected)"
            )
            removed = cursor.rowcount
            cursor.execute(
                f"INSERT INTO {summary.table} ({columns}) "
                f"SELECT {columns} FROM incidents_summary_expected "
                f"EXCEPT SELECT {columns} FROM {summary.table}"
            )
            corrections.append(
                Correction(table=summary.table, rows_removed=removed, rows_written=cursor.rowcount)
            )
            cursor.execute("DROP TABLE incidents_summary_expected")
    return corrections


def summaries_reindex() -> list[str]:
    """Rebuild the summaries' indexes without blocking the writers (REINDEX CONCURRENTLY); the
    tables reindexed, in order.

    Why: every filing and every step of a report updates its summary rows, and the map's unique
    index includes the counted columns (for index-only scans), so none of those updates is HOT
    and each leaves an index entry behind. The space vacuum frees inside a page is reused, but
    the pages split on the way stay: at 1,000,000 reports loaded in a few minutes the map's key
    index held 382 MB for 93 MB of entries, and the zoom-12 map read 2.5 to 3 times as many
    pages as the rebuilt index needs (docs/benchmarks.md, issue 10). Run nightly after the
    rebuild (CELERY_BEAT_SCHEDULE), and by the benchmark loader after a bulk load.

    REINDEX CONCURRENTLY cannot run inside a transaction block: the caller must not be in one.
    """
    if connection.in_atomic_block:
        raise RuntimeError(
            "summaries_reindex must run outside a transaction (REINDEX CONCURRENTLY)"
        )
    with connection.cursor() as cursor:
        for summary in SUMMARIES:
            cursor.execute(f"REINDEX TABLE CONCURRENTLY {summary.table}")  # a fixed name
    return [summary.table for summary in SUMMARIES]
