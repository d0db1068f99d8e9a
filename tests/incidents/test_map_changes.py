"""The map grids kept through pending changes (issue 13, migration 0018): a filing or a step
appends a change row instead of upserting the grids; the fold moves only committed changes into
them, in one transaction; the map's answer is exactly the reports' whether or not the fold has
run; the migration goes back and forth without losing a report from the map."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents import migrations, page_selectors, services
from incidents.models import (
    Incident,
    IncidentMapCell,
    IncidentMapChange,
    IncidentMapOverviewCell,
)
from incidents.selectors import PublicIncidentFilters
from incidents.summaries import current_triggers_install_sql, summaries_fold_map_changes
from incidents.tasks import incidents_fold_map_changes
from tests.incidents.conftest import FileReport, catalogue_revision_while_migrated_back
from tests.incidents.test_summaries import assert_summaries_equal_recomputation

WHOLE_TERRITORY = (108.6, 14.9, 109.0, 15.3)
# 108.80° E, 15.05° N: the doubles, then the exact decimals.
POINT = (108.80, 15.05, Decimal("108.800000000000"), Decimal("15.050000000000"))
BEFORE = ("incidents", "0017_map_overview_cells")


def pending() -> list[tuple[Any, ...]]:
    return sorted(
        IncidentMapChange.objects.values_list(
            "sign",
            "incident_id",
            "category_id",
            "status",
            "resolve_day",
            "longitude",
            "latitude",
            "exact_longitude",
            "exact_latitude",
            "publicly_visible",
            "area_id",
            "reported_day",
        )
    )


def grid_rows() -> int:
    return IncidentMapCell.objects.count() + IncidentMapOverviewCell.objects.count()


def grid_reports_by_status() -> dict[str, int]:
    """The reports in the grids, by status (band 15: each report in exactly one row)."""
    counts: dict[str, int] = {}
    for status, reports in IncidentMapOverviewCell.objects.filter(zoom=15).values_list(
        "status", "reports"
    ):
        counts[status] = counts.get(status, 0) + reports
    return counts


def map_answer(*, now: datetime.datetime, zoom: int = 9) -> str:
    filters = PublicIncidentFilters(bbox=WHOLE_TERRITORY)
    return page_selectors.incidents_map_features(filters=filters, zoom=zoom, now=now)


def resolve_day(incident: Incident) -> datetime.date:
    return incident.resolve_by.astimezone(VIETNAM_TIME_ZONE).date()


def hotspot_keys(incident: Incident) -> tuple[bool, int, datetime.date]:
    """What a pending change carries for the hotspots besides the point: public or not, the
    area, the reported day."""
    day = incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date()
    return (incident.is_publicly_visible, incident.area_id, day)


def test_a_filing_appends_one_pending_change_and_the_fold_moves_it_into_both_grids(
    file_report: FileReport,
) -> None:
    incident = file_report(point=Point(108.80, 15.05, srid=4326)).incident
    incident.refresh_from_db()

    assert pending() == [
        (1, incident.pk, incident.category_id, "new", resolve_day(incident), *POINT,
         *hotspot_keys(incident))
    ]  # fmt: skip
    assert grid_rows() == 0

    assert summaries_fold_map_changes() == 1

    assert pending() == []
    # One row per band in each grid, each the report itself.
    assert grid_rows() == 12
    assert set(
        IncidentMapCell.objects.values_list(
            "reports", "longitude_total", "latitude_total", "incident_id_total"
        )
    ) == {(1, Decimal("108.800000000000"), Decimal("15.050000000000"), incident.pk)}
    assert_summaries_equal_recomputation()


def test_a_step_appends_the_report_as_it_was_and_as_it_is(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report(point=Point(108.80, 15.05, srid=4326)).incident
    summaries_fold_map_changes()
    grids_before = (
        sorted(IncidentMapCell.objects.values_list("zoom", "status", "reports")),
        sorted(IncidentMapOverviewCell.objects.values_list("zoom", "status", "reports")),
    )

    services.incident_acknowledge(actor=officer_a, incident=incident)
    incident.refresh_from_db()

    day = resolve_day(incident)
    assert pending() == [
        (-1, incident.pk, incident.category_id, "new", day, *POINT, *hotspot_keys(incident)),
        (1, incident.pk, incident.category_id, "acknowledged", day, *POINT,
         *hotspot_keys(incident)),
    ]  # fmt: skip
    # The grids wait for the fold.
    assert (
        sorted(IncidentMapCell.objects.values_list("zoom", "status", "reports")),
        sorted(IncidentMapOverviewCell.objects.values_list("zoom", "status", "reports")),
    ) == grids_before

    assert summaries_fold_map_changes() == 2
    # The emptied "new" rows are deleted, not left at zero.
    assert set(IncidentMapCell.objects.values_list("status", "reports")) == {("acknowledged", 1)}
    assert_summaries_equal_recomputation()


def test_the_fold_task_moves_what_is_pending_and_then_finds_nothing(
    file_report: FileReport,
) -> None:
    for number in range(3):
        file_report(point=Point(108.75 + number * 0.02, 15.06, srid=4326))
    now = timezone.now()
    before = map_answer(now=now)

    assert incidents_fold_map_changes() == 3
    assert incidents_fold_map_changes() == 0

    assert pending() == []
    assert map_answer(now=now) == before
    assert settings.CELERY_BEAT_SCHEDULE["incidents_fold_map_changes"] == {
        "task": "incidents.fold_map_changes",
        "schedule": settings.INCIDENT_MAP_CHANGES_FOLD_SECONDS,
        "options": {"expires": settings.INCIDENT_MAP_CHANGES_FOLD_SECONDS},
    }


def _second_connection() -> psycopg.Connection[Any]:
    database = connection.settings_dict
    return psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"] or 5432,
    )


@pytest.mark.django_db(transaction=True)
def test_a_fold_while_another_transaction_is_open_takes_only_what_is_committed(
    file_report: FileReport,
) -> None:
    committed = [
        file_report(point=Point(108.72 + number * 0.05, 15.08, srid=4326)).incident
        for number in range(3)
    ]
    summaries_fold_map_changes()
    # Filed and committed, not folded yet.
    file_report(point=Point(108.90, 15.19, srid=4326))
    now = timezone.now()
    with _second_connection() as other:
        # Another transaction resolves a report and has not committed yet: its trigger has
        # appended two pending changes this connection cannot see.
        other.execute(
            "UPDATE incidents_incident SET status = 'resolved', resolved_at = now() WHERE id = %s",
            [committed[0].pk],
        )
        seen_by_other = other.execute(
            "SELECT count(*) FROM incidents_incidentmapchange WHERE incident_id = %s",
            [committed[0].pk],
        ).fetchone()
        assert seen_by_other == (2,)

        # Neither waits for the other: the fold does not see the open rows at all.
        assert summaries_fold_map_changes() == 1

        # The four committed reports are in the grids, as new: not the open resolution.
        assert grid_reports_by_status() == {"new": 4}
        assert pending() == []
        assert json.loads(map_answer(now=now))["numberMatched"] == 4
        other.commit()

    # Committed: the map counts the resolution at once, from the pending rows ...
    resolved = Incident.objects.get(pk=committed[0].pk)
    assert resolved.status == "resolved"
    assert [row[:4] for row in pending()] == [
        (-1, resolved.pk, resolved.category_id, "new"),
        (1, resolved.pk, resolved.category_id, "resolved"),
    ]
    # (zoom 5: one cell holds the whole territory)
    from_grids = map_answer(now=now, zoom=5)
    assert json.loads(from_grids)["features"][0]["properties"]["statuses"] == {
        "new": 3,
        "resolved": 1,
    }
    # ... and the next fold moves them: nothing was lost.
    assert summaries_fold_map_changes() == 2
    assert grid_reports_by_status() == {"new": 3, "resolved": 1}
    assert map_answer(now=now, zoom=5) == from_grids
    assert pending() == []
    assert_summaries_equal_recomputation()


def test_the_triggers_installed_are_those_the_generator_writes() -> None:
    frozen = (Path(migrations.__file__).parent / "sql" / "0019_summaries_triggers.sql").read_text()
    assert frozen.split("\n", 1)[1] == current_triggers_install_sql().lstrip("\n")


def _migrate(target: tuple[str, str] | None = None) -> None:
    """To `target`, or with none to the latest migration of every app (where the other tests
    expect the schema to be)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def _table_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('incidents_incidentmapchange') IS NOT NULL")
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_and_forth_and_no_report_leaves_the_map(
    file_report: FileReport,
) -> None:
    file_report(point=Point(108.75, 15.06, srid=4326))
    file_report(point=Point(108.85, 15.16, srid=4326))
    assert len(pending()) == 2
    try:
        _migrate(BEFORE)
        # The pending changes were folded before the table went; the triggers of 0017 keep the
        # grids themselves again.
        assert not _table_exists()
        assert IncidentMapOverviewCell.objects.filter(zoom=15).count() == 2
        with catalogue_revision_while_migrated_back():
            file_report(point=Point(108.80, 15.10, srid=4326))
        assert IncidentMapOverviewCell.objects.filter(zoom=15).count() == 3
    finally:
        _migrate()

    assert _table_exists()
    assert pending() == []
    file_report(point=Point(108.78, 15.12, srid=4326))
    assert len(pending()) == 1
    assert IncidentMapOverviewCell.objects.filter(zoom=15).count() == 3
    assert_summaries_equal_recomputation()
