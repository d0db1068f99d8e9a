"""What keeping the summaries adds to a filing committed on its own (issue 13), and beside it
the same in one rolled-back transaction of 2,000 reports (`filing_summaries_share_figures`, run
by `benchmarks/incidents.py --only summaries`).

Why a second figure: inside one transaction every filing that adds to the same summary row
(the same unit and deadline day, say) writes a new version of it that no other transaction may
yet see, so the next upsert walks past all of them; a committed filing's old versions are
pruned. The one-transaction figure therefore charges the triggers more than the API's filings
pay. Here `incident_create` runs in autocommit, as the API calls it (its own transaction and
commit; the planning of notifications skipped, whose broker round trips are the noisiest part of
a filing and the same with or without triggers), 1,000 reports per turn, with the summaries' triggers, with those
of migration 0017 (both map grids upserted by every filing) and with none (the triggers
disabled for the turn, then enabled again), in turns, five of each, median; CPU per report of
this process and its PostgreSQL backend. Also in the same turns: the triggers of migration 0018
(before the hotspot hexagons went through the pending changes too).

    .venv/bin/python -m benchmarks.filing_summaries_committed [--with-notifications]

`--with-notifications` files as the API does (the planning of the unit's and followers' messages
included: its outbox rows in the filing's transaction), the whole of what a filing costs.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from pathlib import Path

from benchmarks.common import Figure, figures_table, load_average
from benchmarks.incidents import (
    DATASET_KEY,
    POINT_SEED,
    Filing,
    _backend_cpu_meter,
    _incident_create,
    database_prepare,
    filings,
    notification_planning_skipped,
    reports_delete,
)

REPORTS_PER_TURN = 1_000
TURNS = 5
TRIGGERS_OF_0017 = Path(__file__).resolve().parent.parent / (
    "incidents/migrations/sql/0017_summaries_triggers.sql"
)
TRIGGERS_OF_0018 = TRIGGERS_OF_0017.parent / "0018_summaries_triggers.sql"
# The triggers of migration 0018 (the hotspot hexagons upserted by every filing, with the hotspot
# tiles' version advanced by ioc 0003's statement trigger at each), for a turn: 0018's change row
# names only its own columns, so those 0019 added get defaults for the turn (its rows are
# emptied by the next turn's TRUNCATE, never folded into a summary that stays).
_INSTALL_0018 = """
ALTER TABLE incidents_incidentmapchange
    ALTER COLUMN publicly_visible SET DEFAULT true,
    ALTER COLUMN area_id SET DEFAULT 0,
    ALTER COLUMN reported_day SET DEFAULT '0001-01-01';
ALTER TABLE incidents_incidenthotspotcell DISABLE TRIGGER ioc_hotspot_tiles_version_insert;
ALTER TABLE incidents_incidenthotspotcell DISABLE TRIGGER ioc_hotspot_tiles_version_update;
ALTER TABLE incidents_incidenthotspotcell DISABLE TRIGGER ioc_hotspot_tiles_version_delete;
CREATE TRIGGER benchmark_hotspot_tiles_version_of_0003
AFTER INSERT OR UPDATE OR DELETE ON incidents_incidenthotspotcell
FOR EACH STATEMENT EXECUTE FUNCTION ioc_hotspot_tiles_version_advance();
{triggers}
"""
_REMOVE_0018 = """
DROP TRIGGER benchmark_hotspot_tiles_version_of_0003 ON incidents_incidenthotspotcell;
ALTER TABLE incidents_incidenthotspotcell ENABLE TRIGGER ioc_hotspot_tiles_version_insert;
ALTER TABLE incidents_incidenthotspotcell ENABLE TRIGGER ioc_hotspot_tiles_version_update;
ALTER TABLE incidents_incidenthotspotcell ENABLE TRIGGER ioc_hotspot_tiles_version_delete;
ALTER TABLE incidents_incidentmapchange
    ALTER COLUMN publicly_visible DROP DEFAULT,
    ALTER COLUMN area_id DROP DEFAULT,
    ALTER COLUMN reported_day DROP DEFAULT;
"""


def _turn(reports: list, *, triggers: str, notifications: bool = False) -> float:
    """CPU milliseconds per report filing `reports` one committed transaction each."""
    from django.db import connection

    from incidents.summaries import (
        current_triggers_install_sql,
        summaries_fold_map_changes,
        triggers_remove_sql,
    )
    from incidents.summary_definitions import MAP_CHANGES_TABLE, SUMMARIES

    reports_delete()
    summaries_fold_map_changes()
    with connection.cursor() as cursor:
        for table in (*(summary.table for summary in SUMMARIES), MAP_CHANGES_TABLE):
            cursor.execute(f"VACUUM {table}")  # a fixed name
        if triggers == "none":
            cursor.execute("ALTER TABLE incidents_incident DISABLE TRIGGER USER")
        elif triggers == "0017":
            cursor.execute(triggers_remove_sql() + TRIGGERS_OF_0017.read_text())
        elif triggers == "0018":
            cursor.execute(
                triggers_remove_sql()
                + _INSTALL_0018.replace("{triggers}", TRIGGERS_OF_0018.read_text())
            )
    try:
        backend_cpu = _backend_cpu_meter(connection)
        cpu_started, backend_started = time.process_time(), backend_cpu()
        planning = contextlib.nullcontext() if notifications else notification_planning_skipped()
        with planning:
            for filing in reports:
                _incident_create(filing)
        cpu = time.process_time() - cpu_started + backend_cpu() - backend_started
    finally:
        with connection.cursor() as cursor:
            if triggers == "none":
                cursor.execute("ALTER TABLE incidents_incident ENABLE TRIGGER USER")
            elif triggers == "0017":
                cursor.execute(triggers_remove_sql() + current_triggers_install_sql())
            elif triggers == "0018":
                cursor.execute(
                    _REMOVE_0018 + triggers_remove_sql() + current_triggers_install_sql()
                )
    return 1000 * cpu / len(reports)


# The triggers before issue 13's pending map changes (migration 0017: both map grids upserted by
# every filing), installed inside a measured transaction (DDL is transactional: its rollback
# puts the current triggers back), so that both are measured in the same turns.


def _filing_cpu_per_report(reports: list[Filing], *, triggers: str) -> tuple[float, float]:
    """CPU milliseconds per report (this process + its backend) filing `reports` in one
    transaction, rolled back; `triggers`: "current", "0017" (the triggers of migration 0017 in
    their place inside that transaction) or "none" (disabled inside it). With "current", also
    the backend CPU per report of folding the map changes the filings left pending (the same
    transaction, before its rollback)."""
    from django.db import connection, transaction

    from incidents.summaries import summaries_fold_map_changes, triggers_remove_sql
    from incidents.summary_definitions import MAP_CHANGES_TABLE, SUMMARIES

    # Each turn is rolled back, and a rolled-back upsert leaves its index entries behind: without
    # a vacuum, every turn with the triggers would search the summaries' indexes through the
    # dead entries of the turns before it (in production, filings commit and autovacuum passes).
    with connection.cursor() as cursor:
        for table in (*(summary.table for summary in SUMMARIES), MAP_CHANGES_TABLE):
            cursor.execute(f"VACUUM {table}")  # a fixed name
    fold = 0.0
    with transaction.atomic():
        with connection.cursor() as cursor:
            if triggers == "none":
                cursor.execute("ALTER TABLE incidents_incident DISABLE TRIGGER USER")
            elif triggers == "0017":
                cursor.execute(triggers_remove_sql() + TRIGGERS_OF_0017.read_text())
        backend_cpu = _backend_cpu_meter(connection)
        cpu_started, backend_started = time.process_time(), backend_cpu()
        for filing in reports:
            _incident_create(filing)
        cpu = time.process_time() - cpu_started + backend_cpu() - backend_started
        if triggers == "current":
            fold_started = backend_cpu()
            summaries_fold_map_changes()
            fold = backend_cpu() - fold_started
        transaction.set_rollback(True)
    return 1000 * cpu / len(reports), 1000 * fold / len(reports)


def filing_summaries_share_figures(reports: list[Filing]) -> list[Figure]:
    """What keeping the summaries (issue 10) adds to a filing: the CPU per report with their
    triggers, with those of migration 0017 (before the map changes were left pending, issue 13)
    and without any, in turns (three of each, median), so that the machine's load falls on all
    alike; and what the fold of the pending map changes costs per report it moves."""
    reports_delete()
    _filing_cpu_per_report(reports[:200], triggers="current")  # warm-up
    measured: dict[str, list[float]] = {"current": [], "0017": [], "none": []}
    folds = []
    for _turn in range(3):
        for triggers, figures in measured.items():
            cpu, fold = _filing_cpu_per_report(reports, triggers=triggers)
            figures.append(cpu)
            if triggers == "current":
                folds.append(fold)
    current, before, floor = (statistics.median(measured[name]) for name in measured)
    count = f"{len(reports):,}"
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {count} in one transaction, CPU per report, summaries kept",
            unit="ms",
            project=current,
            floor=floor,
            note=f"floor: the summaries' triggers disabled; +{100 * (current / floor - 1):.1f} %",
        ),
        Figure(
            dataset=DATASET_KEY,
            name="the same, with the triggers of migration 0017 (grids upserted per filing)",
            unit="ms",
            project=before,
            floor=floor,
            note=f"diagnostic, the same turns: +{100 * (before / floor - 1):.1f} %",
        ),
        Figure(
            dataset=DATASET_KEY,
            name=f"fold of the map changes, {count} at once, backend CPU per report",
            unit="ms",
            project=statistics.median(folds),
            note="paid by the beat's fold, not by the filing",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--with-notifications",
        action="store_true",
        help="file as the API does, the unit's and followers' messages planned (outbox rows)",
    )
    parser.add_argument("--turns", type=int, default=TURNS, help=f"turns of each (default {TURNS})")
    arguments = parser.parse_args()
    notifications = arguments.with_notifications
    database_prepare()
    reports = filings(REPORTS_PER_TURN, seed=POINT_SEED)
    # Warm-up, and the broker connection.
    _turn(reports[:200], triggers="current", notifications=notifications)
    print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
    measured: dict[str, list[float]] = {"current": [], "0018": [], "0017": [], "none": []}
    for _turn_number in range(arguments.turns):
        for triggers, figures in measured.items():
            figures.append(_turn(reports, triggers=triggers, notifications=notifications))
    print(f"one-minute load average after measuring: {load_average():.2f}")
    reports_delete()
    current, of_0018, before, floor = (statistics.median(measured[name]) for name in measured)
    count = f"{REPORTS_PER_TURN:,}"
    planned = ", notifications planned" if notifications else ""
    figures = [
        Figure(
            dataset=DATASET_KEY,
            name=f"incident_create, {count} committed one by one{planned}, CPU per report, summaries kept",
            unit="ms",
            project=current,
            floor=floor,
            note=f"floor: the summaries' triggers disabled; +{100 * (current / floor - 1):.1f} %",
        ),
        Figure(
            dataset=DATASET_KEY,
            name="the same, with the triggers of migration 0018 (hotspots upserted per filing)",
            unit="ms",
            project=of_0018,
            floor=floor,
            note=f"before issue 13's hotspot changes, the same turns: +{100 * (of_0018 / floor - 1):.1f} %",
        ),
        Figure(
            dataset=DATASET_KEY,
            name="the same, with the triggers of migration 0017 (grids upserted per filing)",
            unit="ms",
            project=before,
            floor=floor,
            note=f"diagnostic, the same turns: +{100 * (before / floor - 1):.1f} %",
        ),
    ]
    print(f"\n{figures_table(figures)}")
    for name, values in measured.items():
        print(f"{name}: {', '.join(f'{value:.2f}' for value in values)} ms")


if __name__ == "__main__":
    main()
