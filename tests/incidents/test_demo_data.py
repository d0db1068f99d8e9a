"""The demo accounts and reports that `make run` loads (incidents/demo_data.py).

The demo is loaded once for the class `TestTheLoadedDemo`, inside a transaction that is rolled
back after its last test (loading takes seconds; each test still runs in its own savepoint). The
refusals, which need an empty database, come after the class.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from pytest_django import DjangoDbBlocker, Settings

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput
from geoapp.selectors import working_calendar_cache_clear
from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.demo_data import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoReportsLoad,
    demo_reports_load,
)
from incidents.models import (
    OPEN_STATUSES,
    Incident,
    IncidentAction,
    IncidentEvent,
    IncidentStatus,
    IncidentSupporter,
)
from notifications.models import Notification
from wards.demo_territory import REFORM_DAY, demo_territory_load
from wards.models import AgencyMembership

# The demo's own counts (incidents/demo_data.py); a change of plan must change this test too.
EXPECTED_STATUS_COUNTS = {
    "new": 20,
    "acknowledged": 12,
    "in_progress": 24,
    "information_requested": 10,
    "answered": 12,
    "resolved": 40,
    "closed": 148,
    "rejected": 34,
}
DEMO_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        # Private keys: the test Redis is shared by every engineer's test run.
        "KEY_PREFIX": "test-incidents-demo",
    }
}


@dataclass
class LoadedDemo:
    load: DemoReportsLoad
    # What the services asked to run after the commit while the demo was loaded.
    after_commit: list[Callable[[], object]]


def _row_counts() -> dict[str, int]:
    return {
        "incidents": Incident.objects.count(),
        "events": IncidentEvent.objects.count(),
        "supporters": IncidentSupporter.objects.count(),
        "users": User.objects.count(),
        "memberships": AgencyMembership.objects.count(),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[LoadedDemo]:
    with django_db_blocker.unblock(), override_settings(CACHES=DEMO_CACHE):
        working_calendar_cache_clear()
        with transaction.atomic():
            demo_territory_load()
            services.categories_load_catalogue(catalogue=CATEGORIES)
            with TestCase.captureOnCommitCallbacks() as callbacks:
                load = demo_reports_load()
            yield LoadedDemo(load=load, after_commit=callbacks)
            transaction.set_rollback(True)
        working_calendar_cache_clear()


@pytest.mark.usefixtures("demo", "db")
class TestTheLoadedDemo:
    def test_it_files_three_hundred_reports_with_the_planned_count_in_each_status(
        self, demo: LoadedDemo
    ) -> None:
        counts = Counter(Incident.objects.values_list("status", flat=True))
        assert dict(counts) == EXPECTED_STATUS_COUNTS
        assert demo.load.reports_created == 300
        assert demo.load.status_counts == EXPECTED_STATUS_COUNTS

    def test_every_status_a_report_can_have_is_represented(self) -> None:
        assert set(Incident.objects.values_list("status", flat=True)) == set(IncidentStatus.values)

    def test_reports_filed_before_the_reform_are_routed_to_the_communes_and_committees_of_their_date(
        self,
    ) -> None:
        incidents = list(Incident.objects.select_related("area", "agency"))
        before = [
            incident
            for incident in incidents
            if incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date() < REFORM_DAY
        ]
        after = [incident for incident in incidents if incident not in before]
        assert len(before) == 80
        for incident in before:
            day = incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date()
            assert incident.area.valid_from < REFORM_DAY
            assert incident.area.is_valid_on(day)
            # No routing rule before the reform: the commune's own People's Committee answers.
            assert (
                incident.agency.code == f"ubnd-{incident.area.code}-{incident.area.valid_from.year}"
            )
        assert len(after) == 220
        assert {incident.area.valid_from for incident in after} == {REFORM_DAY}

    def test_every_report_lies_inside_the_area_it_was_routed_to(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM incidents_incident i JOIN wards_area a ON a.id = i.area_id "
                "WHERE NOT ST_Covers(a.boundary, i.location)"
            )
            assert cursor.fetchone()[0] == 0

    def test_reports_lie_in_the_real_communes_spread_over_them_and_inside_the_province(
        self,
    ) -> None:
        after = Incident.objects.filter(area__valid_from__gte=REFORM_DAY)
        assert set(after.values_list("area__is_approximate", flat=True)) == {False}
        with connection.cursor() as cursor:
            # Not at sea: every point, of any date, lies in the real province of 2025. Not piled
            # on a centre: no two reports share a point, but for the duplicates, filed near
            # (sometimes at) the report they repeat.
            cursor.execute(
                "SELECT count(*) FILTER (WHERE NOT ST_Covers(p.boundary, i.location)), "
                "count(DISTINCT ST_AsText(i.location)) FILTER (WHERE i.duplicate_of_id IS NULL), "
                "count(*) FILTER (WHERE i.duplicate_of_id IS NULL) "
                "FROM incidents_incident i, wards_area p "
                "WHERE p.code = '51' AND p.valid_from = %s",
                [REFORM_DAY],
            )
            outside_province, distinct_points, originals = cursor.fetchone()
        assert (outside_province, distinct_points, originals) == (0, 284, 284)

    def test_most_reports_fall_in_the_former_city(self) -> None:
        former_city = {"21025", "21028", "21172", "21034", "21211", "21109"}
        after = Incident.objects.filter(area__valid_from=REFORM_DAY)
        inside = after.filter(area__code__in=former_city).count()
        assert inside / after.count() > 0.6

    def test_exactly_the_planned_open_reports_are_past_their_resolve_deadline(self) -> None:
        open_reports = Incident.objects.filter(status__in=OPEN_STATUSES)
        assert open_reports.count() == 78
        assert open_reports.filter(resolve_by__lt=timezone.now()).count() == 30

    def test_rejections_are_spam_outside_the_scope_or_duplicates_linked_to_an_earlier_report(
        self,
    ) -> None:
        rejected = Incident.objects.filter(status=IncidentStatus.REJECTED)
        assert Counter(rejected.values_list("rejection_reason", flat=True)) == {
            "spam": 8,
            "outside_scope": 10,
            "duplicate": 16,
        }
        duplicates = rejected.filter(rejection_reason="duplicate").select_related("duplicate_of")
        for duplicate in duplicates:
            assert duplicate.duplicate_of is not None
            assert duplicate.duplicate_of.reported_at < duplicate.reported_at
            assert duplicate.duplicate_of.category_id == duplicate.category_id

    def test_the_history_uses_every_workflow_action(self) -> None:
        assert set(IncidentEvent.objects.values_list("action", flat=True)) == {
            IncidentAction.CREATED,
            IncidentAction.ACKNOWLEDGED,
            IncidentAction.ASSIGNED,
            IncidentAction.STARTED,
            IncidentAction.INFORMATION_REQUESTED,
            IncidentAction.INFORMATION_PROVIDED,
            IncidentAction.TRANSFERRED,
            IncidentAction.ANSWERED,
            IncidentAction.RESOLVED,
            IncidentAction.CLOSED,
            IncidentAction.REJECTED,
            IncidentAction.MARKED_DUPLICATE,
            IncidentAction.DUPLICATE_RECEIVED,
            IncidentAction.REOPENED,
            IncidentAction.RATED,
        }
        assert Incident.objects.filter(transferred_count__gt=0).exists()
        assert Incident.objects.filter(reopened_count__gt=0).exists()

    def test_each_step_is_dated_when_it_happened_in_order_and_not_at_the_load(self) -> None:
        now = timezone.now()
        reported = dict(Incident.objects.values_list("id", "reported_at"))
        moments: dict[int, list] = {}
        for incident_id, created_at in IncidentEvent.objects.order_by("id").values_list(
            "incident_id", "created_at"
        ):
            moments.setdefault(incident_id, []).append(created_at)
        for incident_id, timeline in moments.items():
            assert timeline[0] == reported[incident_id]
            assert timeline == sorted(timeline)
            assert timeline[-1] < now
        # The history starts in January 2025, not at the minute of the load.
        first = IncidentEvent.objects.order_by("created_at").first()
        assert first is not None
        assert first.created_at.astimezone(VIETNAM_TIME_ZONE).date() < date(2025, 2, 1)
        first_closed = Incident.objects.filter(closed_at__isnull=False).earliest("closed_at")
        assert first_closed.closed_at is not None
        assert first_closed.closed_at < now - timedelta(days=365)

    def test_supporters_and_ratings_are_counted_on_the_reports_they_belong_to(self) -> None:
        supported = Incident.objects.filter(supporters_count__gt=0)
        assert supported.exists()
        for incident in supported:
            assert incident.supporters.count() == incident.supporters_count
        rated = Incident.objects.filter(rating__isnull=False)
        assert rated.exists()
        assert set(rated.values_list("status", flat=True)) <= {"resolved", "closed"}
        assert rated.count() == IncidentEvent.objects.filter(action=IncidentAction.RATED).count()

    def test_the_summary_line_tells_what_was_loaded(self, demo: LoadedDemo) -> None:
        assert demo.load.summary() == (
            "Loaded demo reports: 300 reports (20 new, 12 acknowledged, 24 in_progress, "
            "10 information_requested, 12 answered, 40 resolved, 148 closed, 34 rejected), "
            f"{IncidentEvent.objects.count()} events, {IncidentSupporter.objects.count()} "
            "supporters, 15 demo staff accounts (password in README)"
        )

    def test_nobody_is_notified_of_the_demo_history(self, demo: LoadedDemo) -> None:
        # Neither in the transaction (an outbox row) nor once it commits (a hook or a task).
        assert Notification.objects.count() == 0
        for callback in demo.after_commit:
            callback()
        assert Notification.objects.count() == 0

    def test_a_second_run_changes_nothing(self) -> None:
        before = _row_counts()
        assert demo_reports_load() == DemoReportsLoad()
        assert _row_counts() == before

    def test_the_command_prints_nothing_when_the_demo_reports_exist(self) -> None:
        before = _row_counts()
        output = io.StringIO()
        call_command("incidents_load_demo", "--with-demo-accounts", stdout=output)
        assert output.getvalue() == ""
        assert _row_counts() == before

    def test_demo_staff_can_log_in_with_the_demo_password(self) -> None:
        for account in DEMO_ACCOUNTS:
            assert Client().login(username=account.username, password=DEMO_PASSWORD), (
                account.username
            )
        assert not Client().login(username="can-bo-cam-thanh", password="wrong-password")

    def test_an_officer_sees_the_reports_of_their_unit_and_of_the_wards_it_succeeded(
        self,
    ) -> None:
        client = Client()
        client.login(username="can-bo-nghia-lo", password=DEMO_PASSWORD)
        response = client.get("/api/v1/staff/incidents/", {"limit": 500})
        assert response.status_code == 200
        officer = User.objects.get(username="can-bo-nghia-lo")
        units = set(officer.agency_memberships.values_list("agency__code", flat=True))
        # Phường Nghĩa Lộ and the four wards merged into it on 1 July 2025.
        assert units == {
            "ubnd-21028-2025",
            "ubnd-21010-2014",
            "ubnd-21013-2014",
            "ubnd-21016-2014",
            "ubnd-21028-2014",
        }
        expected = Incident.objects.filter(agency__code__in=units)
        assert response.json()["count"] == expected.count() > 0
        assert {row["tracking_code"] for row in response.json()["results"]} == set(
            expected.values_list("tracking_code", flat=True)
        )

    def test_the_planner_opens_the_report_builder_from_the_menu(self) -> None:
        client = Client()
        assert client.login(username="quy-hoach", password=DEMO_PASSWORD)
        planner = User.objects.get(username="quy-hoach")
        assert list(planner.groups.values_list("name", flat=True)) == ["Chuyên viên quy hoạch"]
        assert not planner.is_staff and not planner.agency_memberships.exists()
        assert '<a href="/bao-cao-khong-gian/"' in client.get("/").content.decode()
        assert client.get("/bao-cao-khong-gian/").status_code == 200

    def test_the_leader_reads_every_report_and_the_administrator_is_staff(self) -> None:
        client = Client()
        client.login(username="lanh-dao", password=DEMO_PASSWORD)
        response = client.get("/api/v1/staff/incidents/", {"limit": 1})
        assert response.json()["count"] == 300
        administrator = User.objects.get(username="quan-tri")
        assert administrator.is_staff and not administrator.is_superuser
        assert administrator.has_perm("incidents.manage_all_incidents")


@pytest.mark.django_db
def test_it_refuses_to_load_without_the_demo_territory_and_writes_nothing() -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)
    before = _row_counts()
    with pytest.raises(InvalidInput) as refusal:
        demo_reports_load()
    assert refusal.value.code == "demo_territory_missing"
    assert _row_counts() == before


@pytest.mark.django_db
def test_it_refuses_to_load_without_the_categories_and_writes_nothing() -> None:
    demo_territory_load()
    before = _row_counts()
    with pytest.raises(InvalidInput) as refusal:
        demo_reports_load()
    assert refusal.value.code == "demo_categories_missing"
    assert _row_counts() == before


@pytest.mark.django_db
def test_the_command_reports_a_missing_territory_as_an_error() -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)
    with pytest.raises(CommandError, match="wards_load_demo"):
        call_command("incidents_load_demo", "--with-demo-accounts", stdout=io.StringIO())
    assert Incident.objects.count() == 0


@pytest.mark.django_db
def test_the_command_refuses_without_the_explicit_flag_and_writes_nothing() -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)
    with pytest.raises(CommandError, match="--with-demo-accounts"):
        call_command("incidents_load_demo", stdout=io.StringIO())
    assert Incident.objects.count() == 0
    assert not User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).exists()


@pytest.mark.django_db
def test_the_command_refuses_outside_development_even_with_the_flag(settings: Settings) -> None:
    settings.DEMO_DATA_ALLOWED = False  # as in geoapp.settings.production
    services.categories_load_catalogue(catalogue=CATEGORIES)
    with pytest.raises(CommandError, match="geoapp.settings.development"):
        call_command("incidents_load_demo", "--with-demo-accounts", stdout=io.StringIO())
    assert Incident.objects.count() == 0
    assert not User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).exists()
