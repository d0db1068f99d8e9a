"""Who may see and do what: officers their unit's reports, leaders read everything and act on
nothing, administrators everything, the reporter only with their token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User

from geoapp.exceptions import PermissionDenied
from incidents import permissions, selectors, services
from incidents.models import Incident
from tests.conftest import Territory

from .conftest import AN_PHU_POINT, FileReport, jpeg_bytes, snapshot, upload


def staff_actions(territory: Territory, assignee: User, original: Incident) -> dict[str, Callable]:
    """Every staff action with valid arguments, on a report of Cẩm Thành in status "new"."""
    return {
        "acknowledge": lambda actor, incident: services.incident_acknowledge(
            actor=actor, incident=incident
        ),
        "assign": lambda actor, incident: services.incident_assign(
            actor=actor, incident=incident, assignee=assignee
        ),
        "transfer": lambda actor, incident: services.incident_transfer(
            actor=actor, incident=incident, reason="x", to_agency=territory.committee_an_phu
        ),
        "reject": lambda actor, incident: services.incident_reject(
            actor=actor, incident=incident, reason="spam"
        ),
        "mark_duplicate": lambda actor, incident: services.incident_mark_duplicate(
            actor=actor, incident=incident, original=original
        ),
        "set_priority": lambda actor, incident: services.incident_set_priority(
            actor=actor, incident=incident, priority="urgent"
        ),
        "note": lambda actor, incident: services.incident_note_add(
            actor=actor, incident=incident, note="x"
        ),
        "hide": lambda actor, incident: services.incident_hide(
            actor=actor, incident=incident, reason="x"
        ),
        "hide_text": lambda actor, incident: services.incident_text_hide(
            actor=actor, incident=incident, reason="x"
        ),
        "hide_photo": lambda actor, incident: services.photo_hide(
            actor=actor, photo=incident.photos.get(), reason="x"
        ),
    }


ACTIONS = [
    "acknowledge",
    "assign",
    "transfer",
    "reject",
    "mark_duplicate",
    "set_priority",
    "note",
    "hide",
    "hide_text",
    "hide_photo",
]


@pytest.fixture
def report_of_unit_a(file_report: FileReport) -> Incident:
    return file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident


@pytest.fixture
def open_original(file_report: FileReport) -> Incident:
    return file_report(point=AN_PHU_POINT, description="Gốc").incident


@pytest.mark.parametrize("action", ACTIONS)
def test_an_officer_of_another_unit_is_refused_every_action_and_nothing_changes(
    action: str,
    report_of_unit_a: Incident,
    open_original: Incident,
    officer_a: User,
    officer_b: User,
    territory: Territory,
) -> None:
    before = snapshot(report_of_unit_a)
    original_before = snapshot(open_original)

    with pytest.raises(PermissionDenied) as refused:
        staff_actions(territory, officer_a, open_original)[action](officer_b, report_of_unit_a)

    assert refused.value.code == "not_your_unit"
    assert report_of_unit_a.tracking_code in refused.value.message
    assert snapshot(report_of_unit_a) == before
    assert snapshot(open_original) == original_before


@pytest.mark.parametrize("action", ACTIONS)
def test_a_leader_is_refused_every_action_and_nothing_changes(
    action: str,
    report_of_unit_a: Incident,
    open_original: Incident,
    officer_a: User,
    leader: User,
    territory: Territory,
) -> None:
    before = snapshot(report_of_unit_a)

    with pytest.raises(PermissionDenied) as refused:
        staff_actions(territory, officer_a, open_original)[action](leader, report_of_unit_a)

    assert refused.value.code == "read_only_role"
    assert snapshot(report_of_unit_a) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_an_administrator_may_act_on_any_units_report(
    action: str,
    report_of_unit_a: Incident,
    open_original: Incident,
    officer_a: User,
    administrator: User,
    territory: Territory,
) -> None:
    events_before = report_of_unit_a.events.count()

    staff_actions(territory, officer_a, open_original)[action](administrator, report_of_unit_a)

    event = report_of_unit_a.events.latest("id")
    assert report_of_unit_a.events.count() == events_before + 1
    assert (event.actor, event.actor_label) == (administrator, "Quản trị viên")


@pytest.mark.parametrize("action", ACTIONS)
def test_an_officer_may_act_on_their_own_units_report(
    action: str,
    report_of_unit_a: Incident,
    open_original: Incident,
    officer_a: User,
    second_officer_a: User,
    territory: Territory,
) -> None:
    events_before = report_of_unit_a.events.count()

    staff_actions(territory, second_officer_a, open_original)[action](officer_a, report_of_unit_a)

    assert report_of_unit_a.events.count() == events_before + 1


def test_a_superuser_is_an_administrator(report_of_unit_a: Incident, territory: Territory) -> None:
    superuser = User.objects.create_superuser(username="root", password="x")

    services.incident_acknowledge(actor=superuser, incident=report_of_unit_a)

    assert permissions.is_administrator(superuser)
    assert report_of_unit_a.events.latest("id").actor == superuser


def test_an_account_without_any_role_may_neither_see_nor_act(report_of_unit_a: Incident) -> None:
    nobody = User.objects.create_user(username="nguoi-ngoai", password="x")
    before = snapshot(report_of_unit_a)

    with pytest.raises(PermissionDenied):
        services.incident_acknowledge(actor=nobody, incident=report_of_unit_a)

    assert snapshot(report_of_unit_a) == before
    assert list(selectors.incidents_visible_to(user=nobody)) == []


def test_a_deactivated_officer_loses_every_right(
    report_of_unit_a: Incident, officer_a: User
) -> None:
    officer_a.is_active = False
    officer_a.save()

    with pytest.raises(PermissionDenied):
        services.incident_acknowledge(actor=officer_a, incident=report_of_unit_a)

    assert list(selectors.incidents_visible_to(user=officer_a)) == []


def test_officers_see_only_their_units_reports_and_leaders_see_all(
    file_report: FileReport, officer_a: User, officer_b: User, leader: User, administrator: User
) -> None:
    in_a = file_report().incident
    in_b = file_report(point=AN_PHU_POINT).incident

    assert list(selectors.incidents_visible_to(user=officer_a)) == [in_a]
    assert list(selectors.incidents_visible_to(user=officer_b)) == [in_b]
    assert set(selectors.incidents_visible_to(user=leader)) == {in_a, in_b}
    assert set(selectors.incidents_visible_to(user=administrator)) == {in_a, in_b}


def test_the_reporters_contact_is_for_staff_with_a_role_on_the_report_only(
    report_of_unit_a: Incident, officer_a: User, officer_b: User, leader: User, administrator: User
) -> None:
    assert permissions.can_see_reporter_contact(officer_a, report_of_unit_a) is True
    assert permissions.can_see_reporter_contact(administrator, report_of_unit_a) is True
    assert permissions.can_see_reporter_contact(officer_b, report_of_unit_a) is False
    assert permissions.can_see_reporter_contact(leader, report_of_unit_a) is False
    assert permissions.can_see_reporter_contact(None, report_of_unit_a) is False


def test_a_leader_who_is_also_a_units_member_acts_as_its_officer(
    report_of_unit_a: Incident, leader: User, territory: Territory
) -> None:
    from wards.models import AgencyMembership

    AgencyMembership.objects.create(user=leader, agency=territory.committee_cam_thanh)

    services.incident_acknowledge(actor=leader, incident=report_of_unit_a)

    report_of_unit_a.refresh_from_db()
    assert report_of_unit_a.status == "acknowledged"


def test_the_groups_carry_the_documented_permissions(db: None) -> None:
    # Citizen feedback's own permissions: other apps add theirs to the same groups (directives:
    # view_all_tasks, manage_all_tasks).
    leaders = set(
        Group.objects.get(name="Lãnh đạo")
        .permissions.filter(content_type__app_label="incidents")
        .values_list("codename", flat=True)
    )
    administrators = set(
        Group.objects.get(name="Quản trị viên").permissions.values_list("codename", flat=True)
    )

    assert leaders == {"view_all_incidents"}
    assert {"view_all_incidents", "manage_all_incidents", "change_category"} <= administrators
    assert "delete_incident" not in administrators


def test_after_a_transfer_the_old_unit_can_no_longer_act(
    report_of_unit_a: Incident, officer_a: User, officer_b: User, territory: Territory
) -> None:
    services.incident_transfer(
        actor=officer_a,
        incident=report_of_unit_a,
        reason="x",
        to_agency=territory.committee_an_phu,
    )

    with pytest.raises(PermissionDenied):
        services.incident_acknowledge(actor=officer_a, incident=report_of_unit_a)
    services.incident_acknowledge(actor=officer_b, incident=report_of_unit_a)
