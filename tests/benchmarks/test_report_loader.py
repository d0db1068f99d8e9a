"""The benchmarks' COPY loader (benchmarks/report_loader.py) writes reports the app reads as its own.

Loaded into the test database on the `territory` fixture, 500 reports must be exactly what the
services would have written: readable by the public and reporter selectors, stamps consistent
with the status, one event per workflow step at the step's moment, deadlines equal to
`incidents.deadlines`, unique codes and valid reporter tokens.
"""

from __future__ import annotations

import datetime
import json
import random
import threading
from collections import Counter
from typing import NamedTuple

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from benchmarks.report_loader import (
    ANSWER,
    QUESTION,
    Place,
    ReportPlan,
    deadlines_table,
    points_in_box,
    reports_copy,
)
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import NotFound
from geoapp.selectors import working_calendar
from incidents import workflow
from incidents.category_catalogue import CATEGORIES
from incidents.deadlines import deadlines_compute
from incidents.models import Category, Incident, IncidentEvent
from incidents.page_selectors import (
    incident_get_for_reporter,
    latest_public_answers,
    public_figures,
)
from incidents.reporter_tokens import reporter_token_for, reporter_token_hash
from incidents.selectors import (
    PublicIncidentFilters,
    incident_get_public,
    incidents_public_feature_collection,
)
from incidents.services import categories_load_catalogue
from incidents.tracking_codes import tracking_code_normalize
from tests.conftest import Territory

REPORTS = 500
PLAN_STATUSES = (
    ("new", 0.20), ("acknowledged", 0.10), ("in_progress", 0.12),
    ("information_requested", 0.05), ("answered", 0.08), ("resolved", 0.22),
    ("closed", 0.13), ("rejected", 0.10),
)  # fmt: skip
# (event action, from status, to status) of each status's timeline, written out by hand.
TIMELINES = {
    "new": [("created", "", "new")],
    "acknowledged": [("created", "", "new"), ("acknowledged", "new", "acknowledged")],
    "in_progress": [
        ("created", "", "new"),
        ("acknowledged", "new", "acknowledged"),
        ("started", "acknowledged", "in_progress"),
    ],
    "information_requested": [
        ("created", "", "new"),
        ("acknowledged", "new", "acknowledged"),
        ("started", "acknowledged", "in_progress"),
        ("information_requested", "in_progress", "information_requested"),
    ],
    "answered": [
        ("created", "", "new"),
        ("acknowledged", "new", "acknowledged"),
        ("started", "acknowledged", "in_progress"),
        ("answered", "in_progress", "answered"),
    ],
    "resolved": [
        ("created", "", "new"),
        ("acknowledged", "new", "acknowledged"),
        ("started", "acknowledged", "in_progress"),
        ("answered", "in_progress", "answered"),
        ("resolved", "answered", "resolved"),
    ],
    "closed": [
        ("created", "", "new"),
        ("acknowledged", "new", "acknowledged"),
        ("started", "acknowledged", "in_progress"),
        ("answered", "in_progress", "answered"),
        ("resolved", "answered", "resolved"),
        ("closed", "resolved", "closed"),
    ],
    "rejected": [
        ("created", "", "new"),
        ("acknowledged", "new", "acknowledged"),
        ("rejected", "acknowledged", "rejected"),
    ],
}
# The stamp each event action sets (the services' `*_at` fields).
STAMPS = {
    "created": "reported_at",
    "acknowledged": "acknowledged_at",
    "started": "started_at",
    "answered": "answered_at",
    "resolved": "resolved_at",
    "closed": "closed_at",
    "rejected": "rejected_at",
}
# The workflow action (incidents/workflow.py) behind each event action after filing.
WORKFLOW_ACTIONS = {
    "acknowledged": "acknowledge",
    "started": "start",
    "information_requested": "request_information",
    "answered": "answer",
    "resolved": "resolve",
    "closed": "close",
    "rejected": "reject",
}


@pytest.fixture
def loaded(territory: Territory) -> LoadedReports:
    categories_load_catalogue(catalogue=CATEGORIES)
    officer = User.objects.create_user(username="can-bo-cam-thanh", password=None)
    indexes_before = index_definitions()
    extent = territory.cam_thanh.boundary.extent
    places = [
        Place(
            area_id=territory.cam_thanh.pk,
            agency_id=territory.committee_cam_thanh.pk,
            location=point,
        )
        for point in points_in_box(random.Random(7), extent, REPORTS)
    ]
    plan = ReportPlan(
        seed=11,
        status_shares=PLAN_STATUSES,
        priority_shares=(("normal", 0.6), ("urgent", 0.2), ("complex", 0.2)),
        public_share=0.9,
        spam_share=0.5,
        assignee_id=officer.pk,
        assigned_share=0.3,
    )
    result = reports_copy(
        plan=plan,
        places=places,
        agency_names={territory.committee_cam_thanh.pk: territory.committee_cam_thanh.name},
        indexes_rebuilt=True,
    )
    assert result.reports == REPORTS
    incidents = list(Incident.objects.select_related("category").order_by("id"))
    return LoadedReports(incidents, result.events, officer, indexes_before)


class LoadedReports(NamedTuple):
    incidents: list[Incident]
    events: int
    officer: User
    indexes_before: list[tuple[str, str]]


def index_definitions() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('incidents_incident', 'incidents_incidentevent') ORDER BY 1"
        )
        return list(cursor.fetchall())


def test_it_leaves_the_tables_indexes_as_the_migrations_made_them(
    loaded: LoadedReports,
) -> None:
    """The indexes set aside during the load are back, the same, and nothing was added."""
    # Among them the ones set aside (no constraint behind them), as issue 10 will add more.
    names = {name for name, _definition in loaded.indexes_before}
    assert {"incident_newest_first", "incident_event_timeline"} <= names
    assert index_definitions() == loaded.indexes_before


def test_it_writes_every_report_with_a_unique_code_and_its_reporter_token(
    loaded: LoadedReports, territory: Territory
) -> None:
    incidents = loaded.incidents
    assert len(incidents) == REPORTS
    codes = [incident.tracking_code for incident in incidents]
    assert len(set(codes)) == REPORTS
    for incident in incidents:
        assert tracking_code_normalize(incident.tracking_code) == incident.tracking_code
        token = reporter_token_for(incident.tracking_code)
        assert incident.reporter_token_hash == reporter_token_hash(token)
        assert incident.area_id == territory.cam_thanh.pk
        assert incident.agency_id == territory.committee_cam_thanh.pk
        assert territory.cam_thanh.boundary.covers(incident.location)
        assert incident.location.srid == 4326
        assert incident.channel == "web"
        assert incident.reporter_name == "Người dân"
        # The generated map columns were computed from the copied row.
        assert f'"tracking_code":"{incident.tracking_code}"' in incident.map_feature_head
        assert f'"status":"{incident.status}"' in incident.map_feature_tail
    # The table's sequence moved past the copied ids: the next report filed gets a fresh one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('incidents_incident', 'id'))")
        (next_id,) = cursor.fetchone()
    assert next_id == incidents[-1].pk + 1
    assert incidents[-1].pk - incidents[0].pk == REPORTS - 1


def test_its_statuses_priorities_and_shares_follow_the_plan(
    loaded: LoadedReports,
) -> None:
    incidents, officer = loaded.incidents, loaded.officer
    statuses = Counter(incident.status for incident in incidents)
    assert set(statuses) == set(TIMELINES)
    assert set(Counter(incident.priority for incident in incidents)) == {
        "normal",
        "urgent",
        "complex",
    }
    hidden = [incident for incident in incidents if not incident.is_public]
    assert 0 < len(hidden) < REPORTS * 0.2
    reasons = Counter(incident.rejection_reason for incident in incidents)
    assert reasons["spam"] > 0 and reasons["outside_scope"] > 0
    assert reasons["spam"] + reasons["outside_scope"] == statuses["rejected"]
    assigned = [incident for incident in incidents if incident.assigned_to_id is not None]
    assert assigned and {incident.assigned_to_id for incident in assigned} == {officer.pk}
    assert all(incident.status != "new" for incident in assigned)
    now = datetime.datetime.now(tz=datetime.UTC)
    for incident in incidents:
        age = now - incident.reported_at
        limit = 90 if incident.status in ("resolved", "closed", "rejected") else 12
        assert datetime.timedelta(0) <= age <= datetime.timedelta(days=limit)
        assert incident.reported_at.microsecond == 0


def test_its_deadlines_are_those_of_the_calendar(
    loaded: LoadedReports,
) -> None:
    incidents = loaded.incidents
    calendar = working_calendar()
    for incident in incidents:
        assert incident.deadlines_from == incident.reported_at
        expected = deadlines_compute(
            calendar=calendar,
            category=incident.category,
            priority=incident.priority,
            counted_from=incident.deadlines_from,
        )
        assert (incident.acknowledge_by, incident.resolve_by) == (
            expected.acknowledge_by,
            expected.resolve_by,
        ), incident.tracking_code


def test_its_stamps_answers_and_timelines_match_each_status(
    loaded: LoadedReports,
) -> None:
    incidents, events_written = loaded.incidents, loaded.events
    assert IncidentEvent.objects.count() == events_written
    timelines: dict[int, list[IncidentEvent]] = {}
    for event in IncidentEvent.objects.order_by("incident_id", "created_at", "id"):
        timelines.setdefault(event.incident_id, []).append(event)
    assert set(timelines) == {incident.pk for incident in incidents}
    for incident in incidents:
        timeline = timelines[incident.pk]
        steps = [(event.action, event.from_status, event.to_status) for event in timeline]
        assert steps == TIMELINES[incident.status], incident.tracking_code
        moments = [event.created_at for event in timeline]
        assert moments == sorted(moments)
        assert all(event.is_public and event.data == {} for event in timeline)
        for event in timeline:
            if event.action in STAMPS:
                # Each event's moment is its step's stamp on the report.
                assert getattr(incident, STAMPS[event.action]) == event.created_at
            if event.action in WORKFLOW_ACTIONS:
                assert event.from_status in workflow.ALLOWED_FROM[WORKFLOW_ACTIONS[event.action]]
                assert event.actor_label == "Ủy ban nhân dân Phường Cẩm Thành"
            else:
                assert event.actor_label == "Người phản ánh"
        notes = {event.action: event.note for event in timeline}
        assert notes.get("information_requested", QUESTION) == QUESTION
        assert notes.get("answered", ANSWER) == ANSWER
        if incident.status == "rejected":
            assert notes["rejected"] in (
                "Tin rác, nội dung không phù hợp",
                "Không thuộc phạm vi xử lý",
            )
        stamped = {action for action, _from, _to in TIMELINES[incident.status]}
        for action, field in STAMPS.items():
            assert (getattr(incident, field) is not None) == (action in stamped), field
        answered = incident.status in ("answered", "resolved", "closed")
        assert (incident.public_answer == ANSWER) == answered
        assert (incident.public_answer == "") == (not answered)
        assert (incident.rejection_reason != "") == (incident.status == "rejected")
        assert incident.created_at == incident.reported_at
        assert incident.updated_at == timeline[-1].created_at
        assert (incident.reopened_at, incident.rating, incident.duplicate_of_id) == (None,) * 3


def test_the_app_reads_the_reports_through_its_selectors(
    loaded: LoadedReports,
) -> None:
    incidents = loaded.incidents
    visible = [incident for incident in incidents if incident.is_publicly_visible]
    assert 0 < len(visible) < REPORTS
    for incident in incidents:
        for_reporter = incident_get_for_reporter(tracking_code=incident.tracking_code)
        assert for_reporter.pk == incident.pk
        # `public_events` is the selectors' prefetch (to_attr), unknown to the model's type.
        shown = for_reporter.public_events  # type: ignore[attr-defined]
        assert len(shown) == len(TIMELINES[incident.status])
        if incident.is_publicly_visible:
            public = incident_get_public(tracking_code=incident.tracking_code)
            shown = public.public_events  # type: ignore[attr-defined]
            assert [event.action for event in shown] == [
                action for action, _from, _to in TIMELINES[incident.status]
            ]
        else:
            with pytest.raises(NotFound):
                incident_get_public(tracking_code=incident.tracking_code)
    document = json.loads(
        incidents_public_feature_collection(filters=PublicIncidentFilters(), limit=REPORTS)
    )
    assert [feature["id"] for feature in document["features"]] == [
        incident.tracking_code
        for incident in sorted(visible, key=lambda each: (each.reported_at, each.pk), reverse=True)
    ]
    figures = public_figures()
    assert figures.total == len(visible)
    assert figures.resolved == sum(
        incident.status in ("resolved", "closed") for incident in visible
    )
    answers = latest_public_answers(limit=5)
    answered = sorted(
        (incident for incident in visible if incident.answered_at is not None),
        key=lambda each: (each.answered_at, each.pk),
        reverse=True,
    )
    assert [incident.pk for incident in answers] == [incident.pk for incident in answered[:5]]


@pytest.mark.django_db
def test_its_half_hour_deadlines_equal_the_calendar_at_every_moment() -> None:
    """The shortcut of `_Deadlines`, moment by moment over two weeks around the holidays of
    30 April and 1 May 2026 (and the Hùng Kings' day observed on Monday 27 April)."""
    categories_load_catalogue(catalogue=CATEGORIES)
    calendar = working_calendar()
    categories = {category.pk: category for category in Category.objects.all()}
    table = deadlines_table(calendar, categories)
    start = datetime.datetime(2026, 4, 20, tzinfo=VIETNAM_TIME_ZONE)
    # Every 7 min 13 s (offsets all over the half-hour) and every half-hour start.
    seconds = int(start.timestamp())
    moments = sorted(
        {*range(seconds, seconds + 16 * 86_400, 433), *range(seconds, seconds + 16 * 86_400, 1800)}
    )
    checked = 0
    for category_id, category in categories.items():
        for priority in ("normal", "urgent", "complex"):
            for moment in moments:
                counted_from = datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)
                expected = deadlines_compute(
                    calendar=calendar,
                    category=category,
                    priority=priority,
                    counted_from=counted_from,
                )
                acknowledge_by, resolve_by = table.seconds(category_id, priority, moment)
                assert (acknowledge_by, resolve_by) == (
                    int(expected.acknowledge_by.timestamp()),
                    int(expected.resolve_by.timestamp()),
                ), (category.code, priority, counted_from)
                checked += 1
    assert checked == len(categories) * 3 * len(moments)


@pytest.mark.parametrize("failure", ["a point PostGIS cannot read", "a unit without a name"])
def test_a_failed_load_writes_nothing_and_leaves_the_indexes(
    territory: Territory, failure: str
) -> None:
    """The COPY fails in the writer's thread (a bad point) or Python fails building a row (an
    unknown unit): the error reaches the caller, the transaction keeps nothing, every index is
    back, and no thread is left behind."""
    categories_load_catalogue(catalogue=CATEGORIES)
    indexes_before = index_definitions()
    threads_before = threading.active_count()
    committee = territory.committee_cam_thanh
    good = points_in_box(random.Random(3), territory.cam_thanh.boundary.extent, 30)
    bad_point = failure == "a point PostGIS cannot read"
    places = [
        Place(territory.cam_thanh.pk, committee.pk, "not-a-point" if bad_point and i == 25 else p)
        for i, p in enumerate(good)
    ]
    names = {committee.pk: committee.name} if bad_point else {}
    # PostGIS reports a geometry it cannot parse as an internal error (XX000).
    expected: type[BaseException] = psycopg.errors.InternalError_ if bad_point else KeyError
    match = "parse error - invalid geometry" if bad_point else str(committee.pk)
    with pytest.raises(expected, match=match), transaction.atomic():
        reports_copy(
            plan=ReportPlan(seed=1, status_shares=PLAN_STATUSES),
            places=places,
            agency_names=names,
            indexes_rebuilt=True,
        )
    assert (Incident.objects.count(), IncidentEvent.objects.count()) == (0, 0)
    assert index_definitions() == indexes_before
    assert threading.active_count() == threads_before
