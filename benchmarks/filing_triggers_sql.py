"""What the summaries' triggers cost a filing in SQL alone (issue 13): 1,000 single-row INSERTs of
a report on random points of the territory in one DO block, the backend CPU per INSERT, with
each variant of the triggers installed inside a transaction that is rolled back (DDL is
transactional), in turns, five of each, median.

Variants: none (the triggers disabled); the triggers of migration 0018 (daily, unit and hotspot
upserts plus the map change row, with the hotspot tiles' version trigger of ioc 0003 that each
hotspot upsert fired); the current triggers (daily and unit upserts plus the change row that
carries the hotspots too, migration 0019); and two parts alone, to say where the rest goes:
the daily and unit upserts without the change row, and the hotspot upsert of 0018 with its
version trigger. Beside it, what the fold of the changes those INSERTs left pending costs per
change (the same transaction, before its rollback): 0018's into the grids, the current one
into the grids and the hexagons. On the incidents benchmark's database (`benchmarks.incidents`, demo territory):
one report is filed there first, as the template every INSERT copies with a new tracking code
and point.

    .venv/bin/python -m benchmarks.filing_triggers_sql [--turns 5]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from benchmarks.common import load_average
from benchmarks.incidents import (
    POINT_SEED,
    _backend_cpu_meter,
    _incident_create,
    database_prepare,
    filings,
    notification_planning_skipped,
    reports_delete,
)

INSERTS = 1_000
TURNS = 5
_SQL = Path(__file__).resolve().parent.parent / "incidents/migrations/sql"
# The hotspot tiles' version trigger as ioc 0003 made it (a statement trigger that fires for
# every statement naming the table, rows or not), in place of ioc 0004's.
_VERSION_TRIGGER_OF_0003 = """
DROP TRIGGER IF EXISTS ioc_hotspot_tiles_version_insert ON incidents_incidenthotspotcell;
DROP TRIGGER IF EXISTS ioc_hotspot_tiles_version_update ON incidents_incidenthotspotcell;
DROP TRIGGER IF EXISTS ioc_hotspot_tiles_version_delete ON incidents_incidenthotspotcell;
DROP TRIGGER IF EXISTS ioc_hotspot_tiles_version ON incidents_incidenthotspotcell;
CREATE TRIGGER ioc_hotspot_tiles_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents_incidenthotspotcell
FOR EACH STATEMENT EXECUTE FUNCTION ioc_hotspot_tiles_version_advance();
"""
# 0018's change row names only its own columns: the columns 0019 added get defaults for the
# turn (rolled back with it).
_COLUMNS_OF_0019_DEFAULTED = """
ALTER TABLE incidents_incidentmapchange
    ALTER COLUMN publicly_visible SET DEFAULT true,
    ALTER COLUMN area_id SET DEFAULT 0,
    ALTER COLUMN reported_day SET DEFAULT '0001-01-01';
"""

# Each INSERT copies the template with a tracking code and a point of its own (random points of
# the province's box, the same sequence in every turn); the generated columns are left out.
_INSERTS = """
DO $$
DECLARE
    template incidents_incident;
BEGIN
    PERFORM setseed(0.13);
    SELECT * INTO template FROM incidents_incident ORDER BY id LIMIT 1;
    FOR number IN 1..{inserts} LOOP
        template.id := nextval(pg_get_serial_sequence('incidents_incident', 'id'));
        template.tracking_code := 'SQL' || lpad(number::text, 9, '0');
        template.location := ST_SetSRID(
            ST_MakePoint(108.6 + random() * 0.4, 14.9 + random() * 0.4), 4326);
        INSERT INTO incidents_incident ({columns}) SELECT {values};
    END LOOP;
END $$;
"""


def _variants() -> dict[str, str]:
    from incidents.summaries import current_triggers_install_sql, triggers_install_sql
    from incidents.summary_definitions import DAILY, HOTSPOTS, UNIT

    return {
        "none": "ALTER TABLE incidents_incident DISABLE TRIGGER USER",
        "0018": _COLUMNS_OF_0019_DEFAULTED
        + (_SQL / "0018_summaries_triggers.sql").read_text()
        + _VERSION_TRIGGER_OF_0003,
        "current (0019)": current_triggers_install_sql(),
        "daily and unit alone": triggers_install_sql((DAILY, UNIT)),
        "hotspots alone, as 0018 (with ioc 0003's trigger)": triggers_install_sql((HOTSPOTS,))
        + _VERSION_TRIGGER_OF_0003,
    }


def _inserts_sql() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'incidents_incident'::regclass "
            "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum"
        )
        names = [name for (name,) in cursor.fetchall()]
    return (
        _INSERTS.replace("{inserts}", str(INSERTS))
        .replace("{columns}", ", ".join(names))
        .replace("{values}", ", ".join(f"template.{name}" for name in names))
    )


def _folds() -> dict[str, str]:
    from incidents.summaries import map_changes_fold_sql

    return {
        "0018": (_SQL / "0018_map_changes_fold.sql").read_text(),
        "current (0019)": map_changes_fold_sql(),
    }


def _turn(install: str, fold: str | None) -> tuple[float, float | None]:
    """Backend CPU milliseconds per INSERT with `install` run first, and per change folded with
    `fold` after them; all rolled back."""
    from django.db import connection, transaction

    from incidents.summaries import triggers_remove_sql
    from incidents.summary_definitions import MAP_CHANGES_TABLE, SUMMARIES

    # Rolled-back upserts leave index entries behind: vacuumed, every turn starts alike.
    with connection.cursor() as cursor:
        for table in (*(summary.table for summary in SUMMARIES), MAP_CHANGES_TABLE):
            cursor.execute(f"VACUUM {table}")  # a fixed name
    with transaction.atomic(), connection.cursor() as cursor:
        if not install.startswith("ALTER TABLE incidents_incident "):
            cursor.execute(triggers_remove_sql())
        cursor.execute(install)
        backend_cpu = _backend_cpu_meter(connection)
        started = backend_cpu()
        cursor.execute(_inserts_sql())
        spent = backend_cpu() - started
        folded = None
        if fold is not None:
            cursor.execute(f"SELECT count(*) FROM {MAP_CHANGES_TABLE}")  # a fixed name
            (changes,) = cursor.fetchone()
            started = backend_cpu()
            cursor.execute(fold)
            folded = 1000 * (backend_cpu() - started) / changes
        transaction.set_rollback(True)
    return 1000 * spent / INSERTS, folded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=TURNS, help=f"turns of each (default {TURNS})")
    arguments = parser.parse_args()
    database_prepare()
    reports_delete()
    with notification_planning_skipped():
        _incident_create(filings(1, seed=POINT_SEED)[0])
    variants = _variants()
    folds = _folds()
    for name, install in variants.items():  # warm-up: plans and caches
        _turn(install, folds.get(name))
    print(f"one-minute load average before measuring: {load_average():.2f}", flush=True)
    measured: dict[str, list[float]] = {name: [] for name in variants}
    folded: dict[str, list[float]] = {name: [] for name in folds}
    for _number in range(arguments.turns):
        for name, install in variants.items():
            per_insert, per_change = _turn(install, folds.get(name))
            measured[name].append(per_insert)
            if per_change is not None:
                folded[name].append(per_change)
    print(f"one-minute load average after measuring: {load_average():.2f}")
    reports_delete()
    floor = statistics.median(measured["none"])
    print(f"\n{'triggers':<52} {'backend CPU per INSERT':>24} {'added':>9}")
    for name, values in measured.items():
        median = statistics.median(values)
        print(f"{name:<52} {median:>21.3f} ms {median - floor:>+7.3f} ms")
    for name, values in folded.items():
        median = statistics.median(values)
        print(f"{'the fold of ' + name + ', per change':<52} {median:>21.3f} ms")
    for name, values in measured.items():
        print(f"{name}: {', '.join(f'{value:.3f}' for value in values)} ms")
    for name, values in folded.items():
        print(f"fold, {name}: {', '.join(f'{value:.3f}' for value in values)} ms")


if __name__ == "__main__":
    main()
