"""Summaries of citizen feedback kept with the data (issue 10): the counts the pages show, so that a
page costs what it shows rather than the size of `incidents_incident`.

Nothing in Python writes these rows. Statement-level triggers on `incidents_incident` (migration
0011) add each statement's changes to them in the same transaction, whatever wrote the rows (the
services, `bulk_create`, a COPY load, an administrator's SQL); `incidents.summaries` recomputes
them from the reports (the nightly rebuild, and the proof that the triggers are right).

A row whose counts fall to zero is deleted, so a summary holds the same rows as its
recomputation. Every key column is NOT NULL, so the unique constraints decide every conflict.
The foreign keys have no database constraint: a summary row exists only while reports holding
those keys do (and they protect their area, unit and category), and a constraint would add a
lookup per summary row to every filing.
"""

from __future__ import annotations

import datetime
import math

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

# The grids the public map is grouped from: a cell of band b is 90/2^b degrees wide (the map's
# CLUSTER_CELL_PIXELS at zoom b). The sizes halve from one zoom to the next, so a cell of zoom
# z <= b is exactly the union of the band-b cells whose column and row, shifted right by b - z
# bits, are its own: every zoom up to 15 is answered exactly from the nearest band at or above
# it, reading at most 4 cells of the band per cell on screen.
MAP_ZOOM_BANDS = (5, 7, 9, 11, 13, 15)

# "Overdue" moves with the clock, so the summaries that the pages read it from keep the open
# reports by the day (Vietnam's calendar) their deadline falls on: a report whose deadline day
# is past is overdue, one whose day is ahead is not, and only the reports due today are read
# from the reports (through an index: a day's deadlines, whatever the size of the table). Days
# before today are all alike, so the nightly rebuild folds them into this one day, which also
# marks the reports that have no deadline (finished ones); the summaries then hold a row per
# key for the past plus one per deadline day still ahead.
PAST_DAY = datetime.date(1, 1, 1)

# The operations centre's hotspot hexagons (issue 13): flat-topped hexagons of this side, in
# axial coordinates (column q, row r) on a plane of metres east and north of (0, 0) tangent at
# the province's mean latitude (15.5° N; over Quảng Ngãi, 14.5°–16° N, its scale errs by less
# than 1 %). A hexagon's outline is computed from its key alone
# (`incidents.operations_selectors.hexagon_corners`).
HOTSPOT_HEXAGON_SIDE_METRES = 1000.0
METRES_PER_DEGREE_NORTH = 110_574.0
METRES_PER_DEGREE_EAST = 111_320.0 * math.cos(math.radians(15.5))


class IncidentDailySummary(models.Model):
    """Reports per day filed (Vietnam's calendar), area, unit, category, status, whether the
    public sees them and resolve deadline day (PAST_DAY when past, or finished); with the operations centre's numerators and denominators: resolved on time
    (resolved before the resolve deadline) out of resolved, and ratings (satisfied: 4 or 5)."""

    day = models.DateField(_("ngày phản ánh"))
    area = models.ForeignKey(
        "wards.Area",
        verbose_name=_("địa bàn"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    agency = models.ForeignKey(
        "wards.Agency",
        verbose_name=_("đơn vị xử lý"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    category = models.ForeignKey(
        "incidents.Category",
        verbose_name=_("lĩnh vực"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    status = models.CharField(_("trạng thái"), max_length=24)
    publicly_visible = models.BooleanField(_("công khai"))
    # The day of an open report's resolve deadline (PAST_DAY when past, or finished): the
    # operations centre's open reports not yet due, per area and unit (issue 13).
    resolve_day = models.DateField(_("ngày hạn giải quyết"))
    reports = models.IntegerField(_("số phản ánh"))
    resolved = models.IntegerField(_("số đã giải quyết"))
    resolved_on_time = models.IntegerField(_("số giải quyết đúng hạn"))
    rated = models.IntegerField(_("số được đánh giá"))
    rating_total = models.IntegerField(_("tổng điểm đánh giá"))
    satisfied = models.IntegerField(_("số hài lòng"))

    class Meta:
        verbose_name = _("tổng hợp phản ánh theo ngày")
        verbose_name_plural = _("tổng hợp phản ánh theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "area",
                    "agency",
                    "category",
                    "status",
                    "publicly_visible",
                    "resolve_day",
                ],
                name="incident_daily_summary_deadline_key",
            )
        ]
        indexes = [
            # The staff counts of one unit filtered by category, area or period.
            models.Index(fields=["agency", "day"], name="incident_daily_summary_agency"),
        ]


class IncidentUnitSummary(models.Model):
    """Reports per unit, status, whether the public sees them and deadline days: the staff
    counts per status, overdue and the home page's figures, a few rows per unit and day ahead."""

    agency = models.ForeignKey(
        "wards.Agency",
        verbose_name=_("đơn vị xử lý"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    status = models.CharField(_("trạng thái"), max_length=24)
    publicly_visible = models.BooleanField(_("công khai"))
    # The days of the open reports' deadlines (PAST_DAY when past, or finished): the resolve
    # deadline, the citizens' measure of overdue, and the current deadline, the staff's.
    resolve_day = models.DateField(_("ngày hạn giải quyết"))
    deadline_day = models.DateField(_("ngày hạn hiện tại"))
    reports = models.IntegerField(_("số phản ánh"))

    class Meta:
        verbose_name = _("tổng hợp phản ánh theo đơn vị")
        verbose_name_plural = _("tổng hợp phản ánh theo đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "status", "publicly_visible", "resolve_day", "deadline_day"],
                name="incident_unit_deadline_summary_key",
            )
        ]


class IncidentMapCell(models.Model):
    """Public reports per map band, grid cell, category, status and resolve deadline day: their count and the sums of
    their coordinates (the marker sits at the mean) and of their ids (a cell of one report
    names it, so the map can draw that report's pin)."""

    zoom = models.PositiveSmallIntegerField(_("mức thu phóng"))
    cell_column = models.BigIntegerField(_("cột ô lưới"))
    cell_row = models.BigIntegerField(_("hàng ô lưới"))
    category = models.ForeignKey(
        "incidents.Category",
        verbose_name=_("lĩnh vực"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    status = models.CharField(_("trạng thái"), max_length=24)
    # The day of an open report's resolve deadline (PAST_DAY when past, or finished).
    resolve_day = models.DateField(_("ngày hạn giải quyết"))
    reports = models.IntegerField(_("số phản ánh"))
    # Exact decimals of coordinates rounded to 12 places (0.1 µm): sums of floats depend on the
    # order of the additions, and these are added and taken away one statement at a time.
    longitude_total = models.DecimalField(_("tổng kinh độ"), max_digits=24, decimal_places=12)
    latitude_total = models.DecimalField(_("tổng vĩ độ"), max_digits=24, decimal_places=12)
    incident_id_total = models.BigIntegerField(_("tổng mã phản ánh"))

    class Meta:
        verbose_name = _("ô lưới bản đồ phản ánh")
        verbose_name_plural = _("ô lưới bản đồ phản ánh")
        constraints = [
            # Also the index of the map without a category filter: the band, then a range of
            # columns, then of rows.
            # The counted columns are included so that the map reads the cells by an index-only
            # scan (a million reports keep tens of thousands of cells under a city at zoom 12).
            models.UniqueConstraint(
                fields=["zoom", "cell_column", "cell_row", "category", "status", "resolve_day"],
                include=["reports", "longitude_total", "latitude_total", "incident_id_total"],
                name="incident_map_cell_deadline_key",
            )
        ]
        indexes = [
            # The map filtered by category: without it zooms 12 to 14 read every cell of the band.
            models.Index(
                fields=["zoom", "category", "cell_column", "cell_row"],
                name="incident_map_cell_category",
            )
        ]


class IncidentMapOverviewCell(models.Model):
    """The grid of the grouped map without a category filter (issue 10): public reports per map
    band, grid cell, status and resolve deadline day, as `IncidentMapCell` without the
    category. A cell then holds a row per status and open deadline day, whatever the number of
    reports and categories in it, so the unfiltered map's work is bounded by the cells on screen
    (at 1,000,000 reports the category grid held about 425 rows per zoom-12 feature)."""

    zoom = models.PositiveSmallIntegerField(_("mức thu phóng"))
    cell_column = models.BigIntegerField(_("cột ô lưới"))
    cell_row = models.BigIntegerField(_("hàng ô lưới"))
    status = models.CharField(_("trạng thái"), max_length=24)
    # The day of an open report's resolve deadline (PAST_DAY when past, or finished).
    resolve_day = models.DateField(_("ngày hạn giải quyết"))
    reports = models.IntegerField(_("số phản ánh"))
    longitude_total = models.DecimalField(_("tổng kinh độ"), max_digits=24, decimal_places=12)
    latitude_total = models.DecimalField(_("tổng vĩ độ"), max_digits=24, decimal_places=12)
    incident_id_total = models.BigIntegerField(_("tổng mã phản ánh"))

    class Meta:
        verbose_name = _("ô lưới tổng quan bản đồ phản ánh")
        verbose_name_plural = _("ô lưới tổng quan bản đồ phản ánh")
        constraints = [
            # Also the map's index, covering (index-only scans), as IncidentMapCell's.
            models.UniqueConstraint(
                fields=["zoom", "cell_column", "cell_row", "status", "resolve_day"],
                include=["reports", "longitude_total", "latitude_total", "incident_id_total"],
                name="incident_map_overview_cell_key",
            )
        ]


class IncidentMapChange(models.Model):
    """A change to the two map grids and the hotspot hexagons not yet folded into them (issue
    13): one row per report a statement changed, +1 as it is after it, -1 as it was before (an
    update writes both; one that changes nothing the grids or the hotspots count writes
    neither). The hotspots count every report, the grids only those the public sees
    (`publicly_visible`); since migration 0019 (the grids alone before it).

    Why: upserting 12 grid rows (6 bands, 2 grids) was over half of what keeping the summaries
    added to each filing, and the hotspot row (with the tiles' version it advanced) half of
    the rest. The triggers now append this one narrow row instead, and
    `incidents.summaries.summaries_fold_map_changes` moves the committed rows into the grids and
    the hexagons in one grouped statement every few seconds (INCIDENT_MAP_CHANGES_FOLD_SECONDS),
    in the nightly rebuild, and after a bulk load. The map and the operations centre's hotspot
    layer read their summary plus these rows, computed to their cells or hexagons at read
    time, so their answers stay exact between folds. The table stays small
    (a few seconds of filings); if the beat stops it grows, the map reads it whole on every
    grouped answer, and the nightly rebuild folds it.

    No index but the primary key's, and no foreign keys: each one would be another write per
    filing, and the table is only ever read whole. The coordinates are the point's own doubles
    (ST_X, ST_Y), from which the cell and the hexagon are computed as the summaries compute
    them."""

    sign = models.SmallIntegerField(_("dấu"))
    incident_id = models.BigIntegerField(_("mã phản ánh"))
    category_id = models.BigIntegerField(_("mã lĩnh vực"))
    status = models.CharField(_("trạng thái"), max_length=24)
    # The day of an open report's resolve deadline (PAST_DAY when finished).
    resolve_day = models.DateField(_("ngày hạn giải quyết"))
    longitude = models.FloatField(_("kinh độ"))
    latitude = models.FloatField(_("vĩ độ"))
    # The grids' exact decimals of the same coordinates, computed once by the trigger: the map
    # reads every pending row, and converting each double there cost it three times as much.
    exact_longitude = models.DecimalField(_("kinh độ thập phân"), max_digits=24, decimal_places=12)
    exact_latitude = models.DecimalField(_("vĩ độ thập phân"), max_digits=24, decimal_places=12)
    # What the hotspot hexagons need besides (migration 0019): the hexagon itself is computed
    # from the doubles above at fold and read time, as the grid cells are.
    publicly_visible = models.BooleanField(_("công khai"))
    area_id = models.BigIntegerField(_("mã địa bàn"))
    reported_day = models.DateField(_("ngày phản ánh"))

    class Meta:
        verbose_name = _("thay đổi chờ gộp vào lưới bản đồ")
        verbose_name_plural = _("thay đổi chờ gộp vào lưới bản đồ")


class IncidentHotspotCell(models.Model):
    """Reports per day filed (Vietnam's calendar), hotspot hexagon, category and area: the
    operations centre's hotspot layer sums at most days × occupied hexagons, whatever the number
    of reports (issue 13). Every report counts, whatever its status or visibility (the layer is
    for leaders only, and shows counts only)."""

    day = models.DateField(_("ngày phản ánh"))
    # Axial coordinates of the hexagon of HOTSPOT_HEXAGON_SIDE_METRES (see there).
    hexagon_column = models.IntegerField(_("cột lục giác"))
    hexagon_row = models.IntegerField(_("hàng lục giác"))
    category = models.ForeignKey(
        "incidents.Category",
        verbose_name=_("lĩnh vực"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    area = models.ForeignKey(
        "wards.Area",
        verbose_name=_("địa bàn"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    reports = models.IntegerField(_("số phản ánh"))

    class Meta:
        verbose_name = _("ô lục giác điểm nóng")
        verbose_name_plural = _("ô lục giác điểm nóng")
        constraints = [
            # Also the layer's index: a range of days, every column it reads included, so that
            # a year's layer is an index-only scan.
            models.UniqueConstraint(
                fields=["day", "hexagon_column", "hexagon_row", "category", "area"],
                include=["reports"],
                name="incident_hotspot_cell_key",
            )
        ]
