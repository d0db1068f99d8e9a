"""The hotspot hexagons kept through the pending changes (issue 13, migration 0019): a filing
appends one change row for every report, public or not, and writes no hotspot row; the fold
moves the changes into the hexagons (every report) and the map grids (public ones only); the
hotspot layer and the public map answer exactly whether or not the fold has run; the migration
goes back and forth without losing a report from either."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from geoapp.clock import vietnam_today
from incidents import page_selectors, services
from incidents.models import (
    IncidentHotspotCell,
    IncidentMapChange,
    IncidentMapOverviewCell,
)
from incidents.operations_selectors import hotspot_hexagons
from incidents.selectors import PublicIncidentFilters
from incidents.summaries import summaries_fold_map_changes
from tests.incidents.conftest import (
    AN_PHU_POINT,
    CAM_THANH_POINT,
    FileReport,
    catalogue_revision_while_migrated_back,
)
from tests.incidents.test_summaries import assert_summaries_equal_recomputation

WHOLE_TERRITORY = (108.6, 14.9, 109.0, 15.3)
# The hexagons of CAM_THANH_POINT and AN_PHU_POINT (tests/incidents/test_summaries.py).
CAM_THANH_HEXAGON = (7781, -2930)
AN_PHU_HEXAGON = (7781, -2923)
BEFORE = ("incidents", "0018_map_grids_from_pending_changes")


def hexagons_today() -> dict[tuple[int, int], int]:
    today = vietnam_today()
    return {(h.column, h.row): h.reports for h in hotspot_hexagons(date_from=today, date_to=today)}


def hotspot_rows() -> list[tuple[Any, ...]]:
    return sorted(
        IncidentHotspotCell.objects.values_list(
            "id", "day", "hexagon_column", "hexagon_row", "category_id", "area_id", "reports"
        )
    )


def grid_reports() -> int:
    """The public reports in the grids (band 15: each report counted once)."""
    return sum(IncidentMapOverviewCell.objects.filter(zoom=15).values_list("reports", flat=True))


def public_map_count() -> int:
    answer = page_selectors.incidents_map_features(
        filters=PublicIncidentFilters(bbox=WHOLE_TERRITORY), zoom=9, now=timezone.now()
    )
    return int(json.loads(answer)["numberMatched"])


def test_a_filing_writes_no_hotspot_row_and_the_layer_counts_it_at_once(
    file_report: FileReport,
) -> None:
    public = file_report(point=CAM_THANH_POINT).incident
    hidden = file_report(point=AN_PHU_POINT, is_public=False).incident

    assert IncidentHotspotCell.objects.count() == 0
    # One change per report, the one the public does not see included (for the hotspots).
    assert sorted(IncidentMapChange.objects.values_list("incident_id", "publicly_visible")) == [
        (public.pk, True),
        (hidden.pk, False),
    ]
    # Exact before the fold: the layer counts both, the public map only the public one.
    assert hexagons_today() == {CAM_THANH_HEXAGON: 1, AN_PHU_HEXAGON: 1}
    assert public_map_count() == 1

    assert summaries_fold_map_changes() == 2

    assert not IncidentMapChange.objects.exists()
    assert IncidentHotspotCell.objects.count() == 2
    # The grids hold the public report alone.
    assert grid_reports() == 1
    assert hexagons_today() == {CAM_THANH_HEXAGON: 1, AN_PHU_HEXAGON: 1}
    assert public_map_count() == 1
    assert_summaries_equal_recomputation()


def test_hiding_a_report_changes_the_map_and_leaves_the_hotspot_rows_as_they_were(
    file_report: FileReport, administrator: User
) -> None:
    incident = file_report(point=CAM_THANH_POINT).incident
    summaries_fold_map_changes()
    rows = hotspot_rows()

    services.incident_hide(actor=administrator, incident=incident, reason="Nội dung nhạy cảm")

    # The report as it was (public) and as it is (not): the map loses it at once ...
    assert sorted(IncidentMapChange.objects.values_list("sign", "publicly_visible")) == [
        (-1, True),
        (1, False),
    ]
    assert public_map_count() == 0
    assert hexagons_today() == {CAM_THANH_HEXAGON: 1}
    # ... and the fold leaves the hexagon's row untouched: its two changes cancel out.
    assert summaries_fold_map_changes() == 2
    assert hotspot_rows() == rows
    assert not IncidentMapOverviewCell.objects.exists()
    assert_summaries_equal_recomputation()


def test_a_report_moved_leaves_its_hexagon_for_the_new_one_before_and_after_the_fold(
    file_report: FileReport, administrator: User
) -> None:
    incident = file_report(point=CAM_THANH_POINT).incident
    file_report(point=CAM_THANH_POINT)
    summaries_fold_map_changes()

    services.incident_transfer(
        actor=administrator, incident=incident, reason="Sai vị trí", point=AN_PHU_POINT
    )

    assert hexagons_today() == {CAM_THANH_HEXAGON: 1, AN_PHU_HEXAGON: 1}
    summaries_fold_map_changes()
    assert hexagons_today() == {CAM_THANH_HEXAGON: 1, AN_PHU_HEXAGON: 1}
    assert sorted(IncidentHotspotCell.objects.values_list("hexagon_row", "reports")) == [
        (CAM_THANH_HEXAGON[1], 1),
        (AN_PHU_HEXAGON[1], 1),
    ]
    assert_summaries_equal_recomputation()


def _migrate(target: tuple[str, str] | None = None) -> None:
    """To `target`, or with none to the latest migration of every app."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def _change_columns() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'incidents_incidentmapchange'"
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_and_forth_and_no_report_leaves_the_hotspots_or_the_map(
    file_report: FileReport,
) -> None:
    file_report(point=CAM_THANH_POINT)
    file_report(point=AN_PHU_POINT, is_public=False)
    assert IncidentMapChange.objects.count() == 2
    assert IncidentHotspotCell.objects.count() == 0
    try:
        _migrate(BEFORE)
        # Every pending change was folded before the columns went: both reports are in the
        # hexagons, the public one in the grids; the triggers of 0018 upsert the hexagons
        # themselves again and append changes of public reports only.
        assert "publicly_visible" not in _change_columns()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM incidents_incidentmapchange")
            assert cursor.fetchone() == (0,)
        assert sorted(IncidentHotspotCell.objects.values_list("hexagon_row", "reports")) == [
            (CAM_THANH_HEXAGON[1], 1),
            (AN_PHU_HEXAGON[1], 1),
        ]
        assert grid_reports() == 1
        with catalogue_revision_while_migrated_back():
            file_report(point=CAM_THANH_POINT)
        assert sorted(IncidentHotspotCell.objects.values_list("hexagon_row", "reports")) == [
            (CAM_THANH_HEXAGON[1], 2),
            (AN_PHU_HEXAGON[1], 1),
        ]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM incidents_incidentmapchange")
            assert cursor.fetchone() == (1,)
    finally:
        _migrate()

    # Forward, the pending change of 0018's shape was folded into the grids first.
    assert "publicly_visible" in _change_columns()
    assert not IncidentMapChange.objects.exists()
    assert grid_reports() == 2
    rows = sorted(IncidentHotspotCell.objects.values_list("hexagon_row", "reports"))
    file_report(point=AN_PHU_POINT)
    # The hexagons wait for the fold again; the layer does not.
    assert sorted(IncidentHotspotCell.objects.values_list("hexagon_row", "reports")) == rows
    assert hexagons_today() == {CAM_THANH_HEXAGON: 2, AN_PHU_HEXAGON: 2}
    assert_summaries_equal_recomputation()
