"""The two figures of the operations centre that used to read every report (issue 13's
benchmark at a million): the open reports not yet due per area and unit, and the hotspot
hexagons. Both now come from the summaries the triggers keep; these tests pin their exact
figures, and that they equal a count of the reports."""

from __future__ import annotations

import datetime

from django.contrib.gis.geos import Point
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import Polygon

from geoapp.clock import start_of_vietnam_day, vietnam_today
from incidents.models import OPEN_STATUSES, Incident, IncidentStatus
from incidents.operations_selectors import (
    Scope,
    feedback_figures,
    hexagon_corners,
    hotspot_hexagons,
    not_yet_due,
)
from tests.conftest import Territory
from tests.incidents.conftest import AN_PHU_POINT, CAM_THANH_POINT, FileReport

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def test_the_open_reports_not_yet_due_are_counted_per_area_and_unit_around_the_clock(
    file_report: FileReport, territory: Territory
) -> None:
    today = vietnam_today()
    # The moment asked about: noon today in Vietnam. The summaries hold deadline days; those due
    # today are read from the reports, on either side of noon.
    noon = start_of_vietnam_day(today) + 12 * HOUR
    deadlines = {
        "later today": noon + HOUR,
        "exactly now": noon,
        "earlier today": noon - HOUR,
        "in two days": noon + 2 * DAY,
        "two days ago": noon - 2 * DAY,
        "resolved, in two days": noon + 2 * DAY,
    }
    filed = {name: file_report().incident for name in deadlines}
    filed["An Phú, tomorrow"] = file_report(point=AN_PHU_POINT).incident
    deadlines["An Phú, tomorrow"] = noon + DAY
    for name, deadline in deadlines.items():
        Incident.objects.filter(pk=filed[name].pk).update(resolve_by=deadline)
    Incident.objects.filter(pk=filed["resolved, in two days"].pk).update(
        status=IncidentStatus.RESOLVED, resolved_at=noon - 3 * HOUR
    )
    scope = Scope(date_from=today, date_to=today)

    pending = not_yet_due(scope=scope, now=noon)

    cam_thanh = (territory.cam_thanh.pk, territory.committee_cam_thanh.pk)
    an_phu = (territory.an_phu.pk, territory.committee_an_phu.pk)
    # Later today, exactly now and in two days; tomorrow in An Phú.
    assert pending.counts == {cam_thanh: 3, an_phu: 1}
    assert pending.counts == {
        pair: sum(
            1
            for report in Incident.objects.filter(status__in=sorted(OPEN_STATUSES))
            if (report.area_id, report.agency_id) == pair and report.resolve_by >= noon
        )
        for pair in (cam_thanh, an_phu)
    }
    # Earlier today and two days ago.
    assert feedback_figures(scope=scope, now=noon, pending=pending).overdue == 2
    # An hour later, the one due at noon is overdue; a second after that, so is the one due
    # later today; a day later, so is An Phú's.
    assert not_yet_due(scope=scope, now=noon + HOUR).counts == {cam_thanh: 2, an_phu: 1}
    second = datetime.timedelta(seconds=1)
    assert not_yet_due(scope=scope, now=noon + HOUR + second).counts == {cam_thanh: 1, an_phu: 1}
    assert not_yet_due(scope=scope, now=noon + DAY + HOUR).counts == {cam_thanh: 1}
    # The scope narrows it: An Phú's area alone.
    narrowed = Scope(date_from=today, date_to=today, area_ids=(territory.an_phu.pk,))
    assert not_yet_due(scope=narrowed, now=noon).counts == {an_phu: 1}


def test_the_hotspot_hexagons_are_summed_from_their_summary_by_day_category_and_area(
    file_report: FileReport, territory: Territory
) -> None:
    today = vietnam_today()
    yesterday_noon = start_of_vietnam_day(today - DAY) + 12 * HOUR
    file_report(point=CAM_THANH_POINT)
    # 200 m east: the same hexagon (centre 11,671.5 km east, 1,663.6 km north; side 1 km).
    file_report(point=Point(108.80186, 15.05, srid=4326))
    file_report(point=CAM_THANH_POINT, category_code="chieu-sang", attributes={})
    file_report(point=CAM_THANH_POINT, reported_at=yesterday_noon)
    file_report(point=AN_PHU_POINT)
    lighting = Incident.objects.get(category__code="chieu-sang").category_id

    def counts(**filters: object) -> dict[tuple[int, int], int]:
        return {(h.column, h.row): h.reports for h in hotspot_hexagons(**filters)}  # type: ignore[arg-type]

    assert counts(date_from=today, date_to=today) == {(7781, -2930): 3, (7781, -2923): 1}
    assert counts(date_from=today - DAY, date_to=today) == {(7781, -2930): 4, (7781, -2923): 1}
    assert counts(date_from=today - DAY, date_to=today - DAY) == {(7781, -2930): 1}
    assert counts(date_from=today, date_to=today, category_id=lighting) == {(7781, -2930): 1}
    assert counts(date_from=today, date_to=today, area_ids=(territory.an_phu.pk,)) == {
        (7781, -2923): 1
    }
    assert counts(date_from=today + DAY, date_to=today + 7 * DAY) == {}
    # The outline comes from the key alone and holds the reports counted in it.
    outline = Polygon(hexagon_corners(7781, -2930))
    for report in Incident.objects.filter(area=territory.cam_thanh):
        assert outline.contains(ShapelyPoint(report.location.x, report.location.y))
    assert not outline.contains(ShapelyPoint(AN_PHU_POINT.x, AN_PHU_POINT.y))
