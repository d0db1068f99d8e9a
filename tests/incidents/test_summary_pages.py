"""The pages that read the summaries (issue 10) answer exactly what the reports say: the grouped
public map at every grouped zoom, the home page's figures, the staff counts per status with each
filter; overdue and due soon included, which move with the clock."""

from __future__ import annotations

import datetime
import json
import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents import page_selectors, services, staff_queue_selectors
from incidents.models import (
    OPEN_STATUSES,
    Incident,
    IncidentMapChange,
    IncidentStatus,
    incident_current_deadline,
)
from incidents.selectors import PublicIncidentFilters
from incidents.staff_queue_selectors import QueueFilters
from incidents.summaries import summaries_fold_map_changes
from tests.conftest import Territory
from tests.incidents.conftest import FileReport

WHOLE_TERRITORY = (108.6, 14.9, 109.0, 15.3)
# A date filter that keeps every report sends the map to the reports themselves: the answer the
# grids must give.
FROM_THE_START = datetime.date(2000, 1, 1)


@pytest.fixture
def varied(file_report: FileReport, officer_a: User, officer_b: User) -> list[Incident]:
    """Forty reports over both communes in two categories and several states: some overdue,
    some hidden, one rejected as spam; each on its own point rounded as a citizen's pin is."""
    rng = random.Random(10)
    reports = []
    for number in range(40):
        category = "giao-thong" if number % 3 else "chieu-sang"
        reports.append(
            file_report(
                point=Point(
                    round(rng.uniform(108.705, 108.895), 6),
                    round(rng.uniform(15.005, 15.195), 6),
                    srid=4326,
                ),
                category_code=category,
                attributes={"loai-hu-hong": "o-ga"} if category == "giao-thong" else {},
                is_public=number % 11 != 5,
            ).incident
        )
    for incident in reports[:12]:
        officer = officer_a if incident.agency.code.startswith("ubnd-21025") else officer_b
        services.incident_acknowledge(actor=officer, incident=incident)
    for incident in reports[12:16]:
        officer = officer_a if incident.agency.code.startswith("ubnd-21025") else officer_b
        services.incident_reject(actor=officer, incident=incident, reason="spam")
    # Some deadlines passed: resolve deadlines for the map and the home page, acknowledge
    # deadlines for the staff counts of new reports.
    past = timezone.now() - timedelta(hours=2)
    Incident.objects.filter(pk__in=[r.pk for r in reports[5:25:2]]).update(resolve_by=past)
    Incident.objects.filter(pk__in=[r.pk for r in reports[20:30:3]]).update(acknowledge_by=past)
    return reports


def grouped(filters: PublicIncidentFilters, zoom: int, now: datetime.datetime) -> dict[str, Any]:
    return json.loads(page_selectors.incidents_map_features(filters=filters, zoom=zoom, now=now))


def rounded_positions(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the cells' mean positions to 5 decimals (1 m): the grid's exact
    decimal mean and PostgreSQL's float mean may differ in the last of the 6 decimals sent."""
    for feature in document["features"]:
        if feature["properties"]["kind"] == "cluster":
            feature["geometry"]["coordinates"] = [
                round(value, 5) for value in feature["geometry"]["coordinates"]
            ]
    return document


@pytest.mark.parametrize("folded", [False, True], ids=["changes pending", "changes folded"])
@pytest.mark.parametrize("zoom", range(0, 16))
def test_the_grouped_map_from_the_grids_is_the_map_from_the_reports_at_every_zoom(
    varied: list[Incident], zoom: int, folded: bool
) -> None:
    if folded:
        summaries_fold_map_changes()
    now = timezone.now()
    for category, status in ((None, None), ("chieu-sang", None), (None, "acknowledged")):
        with CaptureQueriesContext(connection) as queries:
            from_grids = grouped(
                PublicIncidentFilters(bbox=WHOLE_TERRITORY, category=category, status=status),
                zoom,
                now,
            )
        grid = "incidentmapcell" if category else "incidentmapoverviewcell"
        assert f"FROM incidents_{grid} m" in queries[0]["sql"]
        from_reports = grouped(
            PublicIncidentFilters(
                bbox=WHOLE_TERRITORY,
                category=category,
                status=status,
                reported_from=FROM_THE_START,
            ),
            zoom,
            now,
        )
        assert rounded_positions(from_grids) == rounded_positions(from_reports)
        public = [incident for incident in Incident.objects.public()]
        expected = sum(
            1
            for incident in public
            if (category is None or incident.category.code == category)
            and (status is None or incident.status == status)
        )
        assert from_grids["numberMatched"] == expected


def test_the_grouped_map_answer_is_the_same_bytes_before_and_after_the_fold(
    varied: list[Incident],
) -> None:
    """The map adds the pending changes to the grids at read time, with the fold's own
    arithmetic: folding them moves nothing on screen, to the byte."""
    now = timezone.now()
    filter_sets = [
        PublicIncidentFilters(bbox=WHOLE_TERRITORY, category=category, status=status)
        for category, status in ((None, None), ("chieu-sang", None), (None, "acknowledged"))
    ]
    assert IncidentMapChange.objects.count() > 40
    before = [
        page_selectors.incidents_map_features(filters=filters, zoom=zoom, now=now)
        for filters in filter_sets
        for zoom in range(0, 16)
    ]

    assert summaries_fold_map_changes() > 40

    assert not IncidentMapChange.objects.exists()
    assert [
        page_selectors.incidents_map_features(filters=filters, zoom=zoom, now=now)
        for filters in filter_sets
        for zoom in range(0, 16)
    ] == before


def test_the_grouped_map_counts_overdue_reports_by_the_clock(varied: list[Incident]) -> None:
    now = timezone.now()
    document = grouped(PublicIncidentFilters(bbox=WHOLE_TERRITORY), 5, now)
    overdue = [
        incident
        for incident in Incident.objects.public()
        if incident.status in OPEN_STATUSES and incident.resolve_by < now
    ]

    assert len(document["features"]) == 1
    assert document["features"][0]["properties"]["overdue"] == len(overdue) > 0
    # A day later, the deadlines of the reports filed today have passed too.
    later = grouped(PublicIncidentFilters(bbox=WHOLE_TERRITORY), 5, now + timedelta(days=60))
    open_public = Incident.objects.public().filter(status__in=OPEN_STATUSES).count()
    assert later["features"][0]["properties"]["overdue"] == open_public


def test_the_home_page_figures_are_those_of_the_public_reports(varied: list[Incident]) -> None:
    now = timezone.now()
    public = list(Incident.objects.public())

    figures = page_selectors.public_figures(now=now)

    assert figures == page_selectors.PublicFigures(
        total=len(public),
        open=sum(1 for incident in public if incident.status in OPEN_STATUSES),
        resolved=sum(1 for incident in public if incident.status in ("resolved", "closed")),
        overdue=sum(
            1
            for incident in public
            if incident.status in OPEN_STATUSES and incident.resolve_by < now
        ),
    )
    assert figures.overdue > 0
    assert len(public) < Incident.objects.count()


def expected_counts(
    incidents: list[Incident], *, now: datetime.datetime, due_soon_until: datetime.datetime
) -> staff_queue_selectors.StatusCounts:
    statuses = Counter(incident.status for incident in incidents)
    deadlines = [incident_current_deadline(incident) for incident in incidents]
    return staff_queue_selectors.StatusCounts(
        by_status={status: statuses[status] for status in IncidentStatus.values},
        overdue=sum(1 for deadline in deadlines if deadline is not None and deadline < now),
        due_soon=sum(
            1
            for deadline in deadlines
            if deadline is not None and now <= deadline <= due_soon_until
        ),
    )


def overdue_for_staff(incident: Incident, now: datetime.datetime) -> bool:
    deadline = incident_current_deadline(incident)
    return deadline is not None and deadline < now


def test_the_staff_counts_per_status_are_those_of_the_reports_with_every_filter(
    varied: list[Incident], officer_a: User, leader: User, territory: Territory
) -> None:
    now = timezone.now()
    due_soon_until = staff_queue_selectors.due_soon_limit(now)
    today = now.astimezone(VIETNAM_TIME_ZONE).date()
    everything = list(Incident.objects.all())
    own = [i for i in everything if i.agency_id == territory.committee_cam_thanh.pk]
    cases: list[tuple[User, QueueFilters, list[Incident]]] = [
        (officer_a, QueueFilters(), own),
        (leader, QueueFilters(), everything),
        (leader, QueueFilters(agency_id=territory.committee_an_phu.pk), [
            i for i in everything if i.agency_id == territory.committee_an_phu.pk
        ]),
        (officer_a, QueueFilters(category="chieu-sang"), [
            i for i in own if i.category.code == "chieu-sang"
        ]),
        (leader, QueueFilters(area_id=territory.an_phu.pk), [
            i for i in everything if i.area_id == territory.an_phu.pk
        ]),
        (leader, QueueFilters(reported_from=today, reported_to=today), everything),
        (leader, QueueFilters(reported_to=today - timedelta(days=1)), []),
        # The overdue list: every count is of overdue reports.
        (officer_a, QueueFilters(overdue=True), [i for i in own if overdue_for_staff(i, now)]),
        (leader, QueueFilters(overdue=True), [
            i for i in everything if overdue_for_staff(i, now)
        ]),
    ]  # fmt: skip
    for user, filters, incidents in cases:
        counts = staff_queue_selectors.staff_queue(user=user, filters=filters, now=now).counts
        assert counts == expected_counts(incidents, now=now, due_soon_until=due_soon_until), filters
        if filters.overdue:
            assert counts.overdue == len(incidents) > 0
    assert expected_counts(everything, now=now, due_soon_until=due_soon_until).overdue > 0


def test_overdue_is_right_at_every_moment_around_a_day_boundary(
    varied: list[Incident], officer_a: User, leader: User, territory: Territory
) -> None:
    """The summaries keep open reports by the day of their deadline and the day being lived is
    read from the reports: around midnight (Vietnam), deadlines just before, at and after it
    are overdue exactly when they have passed, on the home page, the map and the staff counts."""
    day = timezone.localdate(timezone.now(), VIETNAM_TIME_ZONE) + timedelta(days=2)
    midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=VIETNAM_TIME_ZONE)
    deadlines = [
        midnight - timedelta(seconds=1),
        midnight,
        midnight + timedelta(hours=10),
        midnight + timedelta(days=1, seconds=-1),
        midnight + timedelta(days=1),
    ]
    acknowledged = list(Incident.objects.public().filter(status=IncidentStatus.ACKNOWLEDGED))
    new = list(
        Incident.objects.filter(status=IncidentStatus.NEW, agency=territory.committee_cam_thanh)
    )
    for incident, deadline in zip(acknowledged, deadlines, strict=False):
        Incident.objects.filter(pk=incident.pk).update(resolve_by=deadline)
    for incident, deadline in zip(new, deadlines, strict=False):
        Incident.objects.filter(pk=incident.pk).update(acknowledge_by=deadline)
    assert len(acknowledged) >= len(deadlines) and len(new) >= len(deadlines)
    everything = list(Incident.objects.all())
    own = [i for i in everything if i.agency_id == territory.committee_cam_thanh.pk]
    public = list(Incident.objects.public())
    moments = [
        midnight - timedelta(minutes=30),
        midnight - timedelta(seconds=1),
        midnight,
        midnight + timedelta(seconds=1),
        midnight + timedelta(hours=10),
        midnight + timedelta(hours=10, seconds=1),
        midnight + timedelta(days=1),
        midnight + timedelta(days=1, seconds=1),
    ]
    seen = set()
    staff_seen = set()
    for now in moments:
        overdue = sum(1 for i in public if i.status in OPEN_STATUSES and i.resolve_by < now)
        seen.add(overdue)
        staff_overdue = sum(
            1
            for i in own
            if (deadline := incident_current_deadline(i)) is not None and deadline < now
        )
        staff_seen.add(staff_overdue)
        assert page_selectors.public_figures(now=now).overdue == overdue, now
        for zoom in (5, 12):
            document = grouped(PublicIncidentFilters(bbox=WHOLE_TERRITORY), zoom, now)
            cells = sum(f["properties"]["overdue"] for f in document["features"])
            assert cells == overdue, (now, zoom)
        due_soon_until = staff_queue_selectors.due_soon_limit(now)
        for user, incidents in ((officer_a, own), (leader, everything)):
            counts = staff_queue_selectors.staff_queue(
                user=user, filters=QueueFilters(), now=now
            ).counts
            assert counts == expected_counts(incidents, now=now, due_soon_until=due_soon_until)
            overdue_list = staff_queue_selectors.staff_queue(
                user=user, filters=QueueFilters(overdue=True), now=now
            ).counts
            assert overdue_list == expected_counts(
                [i for i in incidents if overdue_for_staff(i, now)],
                now=now,
                due_soon_until=due_soon_until,
            )
    # Each deadline passed at its moment: the figures rose at every step of the boundary.
    assert len(seen) == len(deadlines) + 1
    assert len(staff_seen) == len(deadlines) + 1
