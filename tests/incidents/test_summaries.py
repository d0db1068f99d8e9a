"""The summaries (issue 10) stay equal to a full recomputation from the reports, whatever writes
the reports: the services one action at a time, bulk statements, deletes, TRUNCATE; and the
rebuild puts right what was made wrong behind the triggers' back.

The recomputation here is written independently of `incidents.summaries` (the ORM in Python),
so an expression wrong in both the triggers and the rebuild would still be caught.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE, vietnam_today
from geoapp.exceptions import DomainError
from incidents import page_selectors, services
from incidents.models import (
    OPEN_STATUSES,
    Incident,
    IncidentDailySummary,
    IncidentHotspotCell,
    IncidentMapCell,
    IncidentMapChange,
    IncidentMapOverviewCell,
    IncidentStatus,
    IncidentUnitSummary,
)
from incidents.operations_selectors import hotspot_hexagons
from incidents.summaries import (
    summaries_fold_map_changes,
    summaries_rebuild,
    summaries_reindex,
)
from incidents.summary_models import MAP_ZOOM_BANDS, PAST_DAY
from incidents.tasks import incidents_summaries_rebuild, incidents_summaries_reindex
from tests.conftest import Territory
from tests.incidents.conftest import FileReport

Rows = dict[tuple[Any, ...], tuple[Any, ...]]

TWELVE_PLACES = Decimal("0.000000000001")


def _publicly_visible(incident: Incident) -> bool:
    return incident.is_publicly_visible


def expected_daily() -> Rows:
    rows: defaultdict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * 6)
    for incident in Incident.objects.all():
        key = (
            incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date(),
            incident.area_id,
            incident.agency_id,
            incident.category_id,
            incident.status,
            _publicly_visible(incident),
            deadline_day(incident, incident.resolve_by),
        )
        resolved_at = incident.resolved_at
        counts = (
            1,
            int(resolved_at is not None),
            int(resolved_at is not None and resolved_at <= incident.resolve_by),
            int(incident.rating is not None),
            incident.rating or 0,
            int((incident.rating or 0) >= 4),
        )
        rows[key] = [total + count for total, count in zip(rows[key], counts, strict=True)]
    return folded({key: tuple(counts) for key, counts in rows.items()}, DAILY_DAYS)


def actual_daily() -> Rows:
    return folded(
        {
            (
                row.day,
                row.area_id,
                row.agency_id,
                row.category_id,
                row.status,
                row.publicly_visible,
                row.resolve_day,
            ): (
                row.reports,
                row.resolved,
                row.resolved_on_time,
                row.rated,
                row.rating_total,
                row.satisfied,
            )
            for row in IncidentDailySummary.objects.all()
        },
        DAILY_DAYS,
    )


def hexagon_of(longitude: float, latitude: float) -> tuple[int, int]:
    """The hotspot hexagon (axial column, row) whose centre is nearest the point: written here
    from the definition (flat-topped hexagons of 1 km on the plane tangent at 15.5° N), not
    from `incidents.summaries`."""
    east = 111_320.0 * math.cos(math.radians(15.5))
    x = longitude * east / 1000.0
    y = latitude * 110_574.0 / 1000.0
    q = 2.0 / 3.0 * x
    r = -1.0 / 3.0 * x + math.sqrt(3.0) / 3.0 * y
    s = -q - r
    rounded_q, rounded_r, rounded_s = round(q), round(r), round(s)
    off_q, off_r, off_s = abs(rounded_q - q), abs(rounded_r - r), abs(rounded_s - s)
    if off_q > off_r and off_q > off_s:
        rounded_q = -rounded_r - rounded_s
    elif off_r > off_s:
        rounded_r = -rounded_q - rounded_s
    return int(rounded_q), int(rounded_r)


def expected_hotspots() -> Rows:
    counts = Counter(
        (
            incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date(),
            *hexagon_of(incident.location.x, incident.location.y),
            incident.category_id,
            incident.area_id,
        )
        for incident in Incident.objects.all()
    )
    return {key: (count,) for key, count in counts.items()}


def actual_hotspots() -> Rows:
    """The hotspot summary once its pending changes are folded in (its readers add them at
    read time: `assert_hotspot_readers_equal_recomputation`)."""
    summaries_fold_map_changes()
    return {
        (row.day, row.hexagon_column, row.hexagon_row, row.category_id, row.area_id): (row.reports,)
        for row in IncidentHotspotCell.objects.all()
    }


def deadline_day(incident: Incident, deadline: datetime.datetime | None) -> datetime.date:
    if incident.status not in OPEN_STATUSES or deadline is None:
        return PAST_DAY
    return deadline.astimezone(VIETNAM_TIME_ZONE).date()


def folded(rows: Rows, day_positions: tuple[int, ...]) -> Rows:
    """`rows` with the deadline days before today as PAST_DAY, their counts summed and the
    rows that sum to nothing left out: the summaries' rows as the nightly rebuild folds them,
    whether or not it has run (the figures read from them are the same either way)."""
    today = vietnam_today()
    sums: dict[tuple[Any, ...], list[Any]] = {}
    for key, values in rows.items():
        folded_key = tuple(
            PAST_DAY if position in day_positions and value < today else value
            for position, value in enumerate(key)
        )
        if folded_key in sums:
            sums[folded_key] = [a + b for a, b in zip(sums[folded_key], values, strict=True)]
        else:
            sums[folded_key] = list(values)
    return {key: tuple(values) for key, values in sums.items() if values[0] != 0}


def units_by_status() -> dict[tuple[Any, ...], int]:
    """The unit summary's reports per unit, status and visibility, whatever their days."""
    counts: Counter[tuple[Any, ...]] = Counter()
    for key, (reports,) in actual_units().items():
        counts[key[:3]] += reports
    return dict(counts)


UNIT_DAYS = (3, 4)
CELL_DAYS = (5,)
DAILY_DAYS = (6,)


def expected_units() -> Rows:
    counts = Counter(
        (
            incident.agency_id,
            incident.status,
            _publicly_visible(incident),
            deadline_day(incident, incident.resolve_by),
            deadline_day(incident, incident.current_deadline),
        )
        for incident in Incident.objects.all()
    )
    return folded({key: (count,) for key, count in counts.items()}, UNIT_DAYS)


def actual_units() -> Rows:
    return folded(
        {
            (row.agency_id, row.status, row.publicly_visible, row.resolve_day, row.deadline_day): (
                row.reports,
            )
            for row in IncidentUnitSummary.objects.all()
        },
        UNIT_DAYS,
    )


def expected_cells() -> Rows:
    rows: defaultdict[tuple[Any, ...], list[Any]] = defaultdict(
        lambda: [0, Decimal(0), Decimal(0), 0]
    )
    for incident in Incident.objects.all():
        if not _publicly_visible(incident):
            continue
        x, y = incident.location.x, incident.location.y
        for zoom in MAP_ZOOM_BANDS:
            size = 360.0 / (256 * 2**zoom) * 64  # the map's cell_size_degrees
            key = (
                zoom,
                int(x // size),
                int(y // size),
                incident.category_id,
                incident.status,
                deadline_day(incident, incident.resolve_by),
            )
            row = rows[key]
            row[0] += 1
            row[1] += Decimal(repr(x)).quantize(TWELVE_PLACES)
            row[2] += Decimal(repr(y)).quantize(TWELVE_PLACES)
            row[3] += incident.pk
    return folded({key: tuple(row) for key, row in rows.items()}, CELL_DAYS)


def actual_cells() -> Rows:
    """The category grid once its pending changes are folded in (as the map reads it: the
    grid plus those changes; tests/incidents/test_map_changes.py holds the two equal)."""
    summaries_fold_map_changes()
    return folded(
        {
            (
                row.zoom,
                row.cell_column,
                row.cell_row,
                row.category_id,
                row.status,
                row.resolve_day,
            ): (row.reports, row.longitude_total, row.latitude_total, row.incident_id_total)
            for row in IncidentMapCell.objects.all()
        },
        CELL_DAYS,
    )


def expected_overview_cells() -> Rows:
    """The grid without a category: the category grid's rows summed over their categories."""
    rows: defaultdict[tuple[Any, ...], list[Any]] = defaultdict(
        lambda: [0, Decimal(0), Decimal(0), 0]
    )
    for (zoom, column, row, _category, status, day), counts in expected_cells().items():
        summed = rows[(zoom, column, row, status, day)]
        for position, count in enumerate(counts):
            summed[position] += count
    return {key: tuple(row) for key, row in rows.items()}


def actual_overview_cells() -> Rows:
    summaries_fold_map_changes()
    return folded(
        {
            (row.zoom, row.cell_column, row.cell_row, row.status, row.resolve_day): (
                row.reports,
                row.longitude_total,
                row.latitude_total,
                row.incident_id_total,
            )
            for row in IncidentMapOverviewCell.objects.all()
        },
        (4,),
    )


def assert_hotspot_readers_equal_recomputation() -> None:
    """The hotspot layer's answer (the summary plus the changes not yet folded into it), for
    the whole period and for each day, category and area alone, equals the reports'
    hexagons, whether or not the fold has run."""
    expected = expected_hotspots()
    if not expected:
        assert hotspot_hexagons(date_from=PAST_DAY, date_to=datetime.date(9999, 12, 31)) == []
        return
    days = sorted({key[0] for key in expected})

    def hexagons(selected: Rows) -> dict[tuple[int, int], int]:
        counts: Counter[tuple[int, int]] = Counter()
        for (_day, column, row, _category, _area), (reports,) in selected.items():
            counts[(column, row)] += reports
        return dict(counts)

    def answered(**filters: Any) -> dict[tuple[int, int], int]:
        return {(h.column, h.row): h.reports for h in hotspot_hexagons(**filters)}

    assert answered(date_from=days[0], date_to=days[-1]) == hexagons(expected)
    for day in days[:: max(1, len(days) // 4)]:
        assert answered(date_from=day, date_to=day) == hexagons(
            {key: value for key, value in expected.items() if key[0] == day}
        )
    for category in {key[3] for key in expected}:
        assert answered(date_from=days[0], date_to=days[-1], category_id=category) == hexagons(
            {key: value for key, value in expected.items() if key[3] == category}
        )
    for area in {key[4] for key in expected}:
        assert answered(date_from=days[0], date_to=days[-1], area_ids=(area,)) == hexagons(
            {key: value for key, value in expected.items() if key[4] == area}
        )


def assert_summaries_equal_recomputation() -> None:
    # The readers first: the comparisons below fold the pending changes.
    assert_hotspot_readers_equal_recomputation()
    assert actual_daily() == expected_daily()
    assert actual_units() == expected_units()
    assert actual_cells() == expected_cells()
    assert actual_overview_cells() == expected_overview_cells()
    assert actual_hotspots() == expected_hotspots()


def random_point(rng: random.Random) -> Point:
    # Both communes of the test territory after the reform (Cẩm Thành, An Phú), away from the
    # edges so that routing always finds one.
    return Point(
        round(rng.uniform(108.705, 108.895), rng.choice((3, 5, 7))),
        round(rng.uniform(15.005, 15.195), rng.choice((3, 5, 7))),
        srid=4326,
    )


OPEN_TO_WORK = ("new", "acknowledged", "in_progress", "information_requested")
# The states each action is tried from (the workflow of incidents/models.py); the sequence picks
# a report in one of them, so most actions do something. Some are still refused (a report rated
# twice, a duplicate of itself's original): a refusal must change nothing either.
TRIED_FROM = {
    "acknowledge": ("new",),
    "start": ("acknowledged",),
    "assign": OPEN_TO_WORK,
    "request_information": ("acknowledged", "in_progress"),
    "provide_information": ("information_requested",),
    "transfer": OPEN_TO_WORK,
    "re-route": OPEN_TO_WORK,
    "answer": ("acknowledged", "in_progress", "information_requested"),
    "resolve": ("acknowledged", "in_progress", "answered"),
    "close": ("resolved",),
    "reject": OPEN_TO_WORK,
    "duplicate": OPEN_TO_WORK,
    "reopen": ("resolved", "closed"),
    "rate": ("resolved", "closed"),
    "hide": tuple(IncidentStatus.values),
    "unhide": tuple(IncidentStatus.values),
    "support": tuple(IncidentStatus.values),
    "priority": OPEN_TO_WORK,
}


def test_a_random_sequence_of_workflow_actions_keeps_every_summary_equal_to_a_recomputation(
    file_report: FileReport,
    administrator: User,
    officer_a: User,
    officer_b: User,
    territory: Territory,
) -> None:
    rng = random.Random(20261205)
    tokens: dict[int, str] = {}
    done: Counter[str] = Counter()
    now = timezone.now()

    def file() -> None:
        category = rng.choice(("giao-thong", "chieu-sang"))
        filed = file_report(
            point=random_point(rng),
            category_code=category,
            attributes={"loai-hu-hong": "o-ga"} if category == "giao-thong" else {},
            is_public=rng.random() < 0.85,
            # Reports of the last three weeks, so that the daily summary has several days.
            reported_at=now - timedelta(hours=rng.randrange(0, 21 * 24)),
        )
        tokens[filed.incident.pk] = filed.token

    def other_agency(incident: Incident) -> Any:
        return (
            territory.committee_an_phu
            if incident.agency_id == territory.committee_cam_thanh.pk
            else territory.committee_cam_thanh
        )

    staff_actions: dict[str, Any] = {
        "acknowledge": lambda i: services.incident_acknowledge(actor=administrator, incident=i),
        "start": lambda i: services.incident_start(actor=administrator, incident=i),
        "assign": lambda i: services.incident_assign(
            actor=administrator,
            incident=i,
            assignee=officer_a if i.agency_id == territory.committee_cam_thanh.pk else officer_b,
        ),
        "request_information": lambda i: services.incident_request_information(
            actor=administrator, incident=i, question="Xin ảnh chụp rõ hơn"
        ),
        "provide_information": lambda i: services.incident_provide_information(
            incident=i, reporter_token=tokens[i.pk], information="Ảnh đã gửi lại"
        ),
        "transfer": lambda i: services.incident_transfer(
            actor=administrator, incident=i, reason="Không thuộc địa bàn", to_agency=other_agency(i)
        ),
        "re-route": lambda i: services.incident_transfer(
            actor=administrator,
            incident=i,
            reason="Sai vị trí",
            point=random_point(rng),
            category_code=rng.choice(("giao-thong", "chieu-sang")),
        ),
        "answer": lambda i: services.incident_answer(
            actor=administrator, incident=i, answer="Đã cử đội sửa chữa"
        ),
        "resolve": lambda i: services.incident_resolve(
            actor=administrator, incident=i, answer="Đã sửa xong"
        ),
        "close": lambda i: services.incident_close(actor=administrator, incident=i),
        "reject": lambda i: services.incident_reject(
            actor=administrator, incident=i, reason=rng.choice(("spam", "outside_scope"))
        ),
        "reopen": lambda i: services.incident_reopen(
            incident=i, reporter_token=tokens[i.pk], reason="Vẫn còn hư hỏng"
        ),
        "rate": lambda i: services.incident_rate(
            incident=i, reporter_token=tokens[i.pk], rating=rng.randint(1, 5)
        ),
        "hide": lambda i: services.incident_hide(
            actor=administrator, incident=i, reason="Nội dung nhạy cảm"
        ),
        "unhide": lambda i: services.incident_unhide(
            actor=administrator, incident=i, reason="Đã kiểm tra lại"
        ),
        "support": lambda i: services.incident_support(
            incident=i, supporter_identity=f"nguoi-ung-ho-{rng.randrange(1000)}"
        ),
        "priority": lambda i: services.incident_set_priority(
            actor=administrator, incident=i, priority=rng.choice(("urgent", "normal", "complex"))
        ),
        "duplicate": lambda i: services.incident_mark_duplicate(
            actor=administrator,
            incident=i,
            original=Incident.objects.get(pk=rng.choice(sorted(set(tokens) - {i.pk}))),
        ),
    }
    for _ in range(5):
        file()
    for step in range(300):
        name = "file" if rng.random() < 0.2 else rng.choice(sorted(staff_actions))
        if name == "file":
            file()
            done[name] += 1
        else:
            candidates = sorted(
                Incident.objects.filter(status__in=TRIED_FROM[name]).values_list("pk", flat=True)
            )
            if not candidates:
                continue
            incident = Incident.objects.get(pk=rng.choice(candidates))
            try:
                staff_actions[name](incident)
            except DomainError:
                # Not allowed from the report's state: nothing changed, which the comparison
                # below also proves.
                done[f"{name} refused"] += 1
            else:
                done[name] += 1
        if step % 50 == 49:
            assert_summaries_equal_recomputation()

    assert_summaries_equal_recomputation()
    # The sequence did exercise the workflow: every kind of change that moves a summary
    # happened at least once.
    for name in ("file", "acknowledge", "transfer", "re-route", "answer", "resolve", "close"):
        assert done[name] > 0, done
    for name in ("reject", "reopen", "rate", "hide", "unhide", "duplicate", "assign"):
        assert done[name] > 0, done
    assert sum(count for name, count in done.items() if "refused" not in name) > 200, done
    assert IncidentUnitSummary.objects.exists()
    # And nothing was left for the rebuild to correct.
    assert [correction.corrected for correction in summaries_rebuild()] == [False] * 5


def test_a_report_filed_appears_in_every_summary_at_once(
    file_report: FileReport, territory: Territory
) -> None:
    filed = file_report(point=Point(108.80, 15.05, srid=4326))
    incident = filed.incident

    incident.refresh_from_db()
    assert actual_units() == {
        (
            territory.committee_cam_thanh.pk,
            "new",
            True,
            incident.resolve_by.astimezone(VIETNAM_TIME_ZONE).date(),
            incident.acknowledge_by.astimezone(VIETNAM_TIME_ZONE).date(),
        ): (1,)
    }
    assert actual_daily() == {
        (
            incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date(),
            territory.cam_thanh.pk,
            territory.committee_cam_thanh.pk,
            incident.category_id,
            "new",
            True,
            incident.resolve_by.astimezone(VIETNAM_TIME_ZONE).date(),
        ): (1, 0, 0, 0, 0, 0)
    }
    # 108.80° E, 15.05° N is 11,671.1 km east and 1,664.1 km north on the hotspot plane: in
    # the hexagon of axial column 7781, row -2930 (centre 11,671.5 km, 1,663.6 km).
    assert actual_hotspots() == {
        (
            incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date(),
            7781,
            -2930,
            incident.category_id,
            territory.cam_thanh.pk,
        ): (1,)
    }
    cells = actual_cells()
    assert sorted(key[0] for key in cells) == list(MAP_ZOOM_BANDS)
    assert set(cells.values()) == {
        (1, Decimal("108.800000000000"), Decimal("15.050000000000"), incident.pk)
    }
    assert {key[5] for key in cells} == {incident.resolve_by.astimezone(VIETNAM_TIME_ZONE).date()}


def test_a_report_not_public_is_counted_for_staff_and_never_on_the_public_map(
    file_report: FileReport, territory: Territory
) -> None:
    file_report(is_public=False)

    assert units_by_status() == {(territory.committee_cam_thanh.pk, "new", False): 1}
    assert actual_cells() == {}


def test_bulk_statements_and_deletes_keep_the_summaries_right(
    file_report: FileReport, territory: Territory
) -> None:
    for number in range(6):
        file_report(point=Point(108.71 + number * 0.03, 15.05, srid=4326))

    # One UPDATE of many rows, as an administrator's SQL or a data migration would.
    Incident.objects.filter(pk__in=Incident.objects.order_by("pk").values("pk")[:4]).update(
        status=IncidentStatus.RESOLVED, resolved_at=timezone.now(), rating=5
    )
    assert_summaries_equal_recomputation()
    assert units_by_status() == {
        (territory.committee_cam_thanh.pk, "resolved", True): 4,
        (territory.committee_cam_thanh.pk, "new", True): 2,
    }

    # Rows whose counts fall to zero are deleted, not left at zero.
    Incident.objects.filter(status=IncidentStatus.NEW).delete()
    assert_summaries_equal_recomputation()
    # Finished reports have no deadline day.
    assert actual_units() == {
        (territory.committee_cam_thanh.pk, "resolved", True, PAST_DAY, PAST_DAY): (4,)
    }
    assert not IncidentMapCell.objects.filter(status="new").exists()

    # An update that changes nothing a summary counts leaves the summaries as they were.
    before = (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    )
    Incident.objects.update(supporters_count=3, updated_at=timezone.now())
    # Not even a pending map change: the old and new rows of each report cancel out.
    assert not IncidentMapChange.objects.exists()
    assert (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    ) == before

    with connection.cursor() as cursor:
        # The test's transaction still holds deferred foreign-key checks, which TRUNCATE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE incidents_incident CASCADE")
    assert (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    ) == ({}, {}, {}, {}, {})


def test_a_statement_that_fails_leaves_the_summaries_as_they_were(
    file_report: FileReport,
) -> None:
    file_report()
    before = (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    )

    with (
        pytest.raises(IntegrityError, match="incident_rating_between_1_and_5"),
        transaction.atomic(),
    ):
        Incident.objects.update(status=IncidentStatus.CLOSED, rating=9)

    assert (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    ) == before
    assert_summaries_equal_recomputation()


def test_the_rebuild_corrects_rows_changed_behind_the_triggers_and_says_how_many(
    file_report: FileReport, territory: Territory
) -> None:
    file_report(point=Point(108.80, 15.05, srid=4326))
    file_report(point=Point(108.80, 15.15, srid=4326))
    expected = (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    )
    assert expected == (
        expected_daily(),
        expected_units(),
        expected_cells(),
        expected_overview_cells(),
        expected_hotspots(),
    )
    # Wrong behind the triggers' back: a count changed, a row lost, a row invented.
    IncidentUnitSummary.objects.filter(agency=territory.committee_cam_thanh).update(reports=7)
    IncidentMapCell.objects.filter(zoom=5).delete()
    IncidentMapOverviewCell.objects.filter(zoom=5).delete()
    IncidentHotspotCell.objects.update(reports=9)
    IncidentDailySummary.objects.create(
        day=timezone.localdate(),
        area=territory.cam_thanh,
        agency=territory.committee_cam_thanh,
        category_id=Incident.objects.first().category_id,  # type: ignore[union-attr]
        status="closed",
        publicly_visible=True,
        resolve_day=PAST_DAY,
        reports=1,
        resolved=0,
        resolved_on_time=0,
        rated=0,
        rating_total=0,
        satisfied=0,
    )

    corrections = {
        correction.table: (correction.rows_removed, correction.rows_written)
        for correction in summaries_rebuild()
    }

    assert corrections == {
        "incidents_incidentdailysummary": (1, 0),
        "incidents_incidentunitsummary": (1, 1),
        # Zoom 5 holds both reports in one cell.
        "incidents_incidentmapcell": (0, 1),
        "incidents_incidentmapoverviewcell": (0, 1),
        # The two reports are 11 km apart: two hexagons.
        "incidents_incidenthotspotcell": (2, 2),
    }
    assert (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    ) == expected
    # Run again, it finds nothing to correct, through the command and the nightly task alike.
    assert incidents_summaries_rebuild() == 0
    call_command("incidents_summaries_rebuild")
    assert (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    ) == expected


def test_the_rebuild_folds_past_deadline_days_and_every_figure_stays(
    file_report: FileReport, territory: Territory
) -> None:
    now = timezone.now()
    for weeks in (1, 2, 3, 4):
        file_report(
            point=Point(108.80, 15.05 + weeks / 100, srid=4326),
            reported_at=now - timedelta(weeks=weeks),
        )
    today = vietnam_today()
    days_before = {
        row.resolve_day for row in IncidentUnitSummary.objects.all() if row.resolve_day < today
    }
    assert len(days_before) >= 3
    figures = page_selectors.public_figures(now=now)
    before = (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    )

    assert [correction.corrected for correction in summaries_rebuild()] == [False] * 5

    # One row per unit and status for the past, whatever the number of past days.
    assert {
        (row.status, row.resolve_day, row.deadline_day, row.reports)
        for row in IncidentUnitSummary.objects.all()
    } == {("new", PAST_DAY, PAST_DAY, 4)}
    assert set(IncidentMapCell.objects.values_list("resolve_day", flat=True)) == {PAST_DAY}
    assert set(IncidentDailySummary.objects.values_list("resolve_day", flat=True)) == {PAST_DAY}
    assert page_selectors.public_figures(now=now) == figures
    assert figures.overdue == 4
    assert (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    ) == before


SUMMARY_TABLES = [
    "incidents_incidentdailysummary",
    "incidents_incidentunitsummary",
    "incidents_incidentmapcell",
    "incidents_incidentmapoverviewcell",
    "incidents_incidenthotspotcell",
]


def _summary_indexes() -> list[tuple[str, str, bool]]:
    """The summaries' indexes: table, name, valid (a failed concurrent rebuild leaves an invalid
    `_ccnew` index behind)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, x.indisvalid
            FROM pg_index x
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE t.relname = ANY(%s)
            ORDER BY 1, 2
            """,
            [SUMMARY_TABLES],
        )
        return list(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_the_nightly_reindex_rebuilds_every_summary_index_and_keeps_every_row(
    file_report: FileReport,
) -> None:
    for number in range(3):
        file_report(point=Point(108.75 + number * 0.02, 15.06, srid=4326))
    before = (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    )
    indexes_before = _summary_indexes()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relfilenode FROM pg_class WHERE relname = ANY(%s)",
            [[name for _, name, _ in indexes_before]],
        )
        files_before = dict(cursor.fetchall())

    assert incidents_summaries_reindex() == 5

    assert (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
    ) == before
    # The same indexes, all valid, each written anew (a new file).
    assert _summary_indexes() == indexes_before
    assert all(valid for _, _, valid in indexes_before)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relfilenode FROM pg_class WHERE relname = ANY(%s)",
            [list(files_before)],
        )
        files_after = dict(cursor.fetchall())
    assert files_after.keys() == files_before.keys()
    assert all(files_after[name] != files_before[name] for name in files_before)
    # The map reads the rebuilt index as before.
    assert [correction.corrected for correction in summaries_rebuild()] == [False] * 5


def test_the_reindex_refuses_to_run_inside_a_transaction_and_changes_nothing(
    file_report: FileReport,
) -> None:
    file_report(point=Point(108.75, 15.06, srid=4326))
    before = (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
        _summary_indexes(),
    )

    with pytest.raises(RuntimeError, match="outside a transaction"):
        summaries_reindex()

    assert (
        actual_daily(),
        actual_units(),
        actual_cells(),
        actual_overview_cells(),
        actual_hotspots(),
        _summary_indexes(),
    ) == before
