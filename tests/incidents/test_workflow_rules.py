"""The rules inside each action: transfer, duplicates, reopening, rating, support, moderation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from geoapp.exceptions import Conflict, InvalidInput, PermissionDenied
from incidents import services
from incidents.models import Incident, IncidentSupporter
from incidents.services.steps import identity_fingerprint
from notifications.models import Notification
from tests.conftest import Territory

from .conftest import AN_PHU_POINT, Filed, FileReport, jpeg_bytes, snapshot, upload

# Assignment


def test_a_report_can_be_assigned_to_an_officer_of_its_unit(
    file_report: FileReport, officer_a: User, second_officer_a: User
) -> None:
    incident = file_report().incident

    incident = services.incident_assign(
        actor=officer_a, incident=incident, assignee=second_officer_a
    )

    assert incident.assigned_to == second_officer_a
    event = incident.events.latest("id")
    assert (event.action, event.is_public) == ("assigned", False)
    assert event.data == {"assignee_id": second_officer_a.pk, "previous_assignee_id": None}


def test_assigning_to_an_officer_of_another_unit_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User, officer_b: User
) -> None:
    incident = file_report().incident
    before = snapshot(incident)

    with pytest.raises(InvalidInput) as refused:
        services.incident_assign(actor=officer_a, incident=incident, assignee=officer_b)

    assert refused.value.code == "assignee_not_in_unit"
    assert snapshot(incident) == before


def test_assigning_twice_to_the_same_officer_is_refused(
    file_report: FileReport, officer_a: User, second_officer_a: User
) -> None:
    incident = file_report().incident
    services.incident_assign(actor=officer_a, incident=incident, assignee=second_officer_a)
    before = snapshot(incident)

    with pytest.raises(Conflict):
        services.incident_assign(actor=officer_a, incident=incident, assignee=second_officer_a)

    assert snapshot(incident) == before


# Transfer


def test_a_transfer_hands_the_report_to_the_new_unit_as_new_and_unassigned(
    file_report: FileReport, officer_a: User, second_officer_a: User, territory: Territory
) -> None:
    incident = file_report().incident
    services.incident_acknowledge(actor=officer_a, incident=incident)
    services.incident_assign(actor=officer_a, incident=incident, assignee=second_officer_a)
    services.incident_start(actor=officer_a, incident=incident)

    incident = services.incident_transfer(
        actor=officer_a,
        incident=incident,
        reason="Đoạn đường do xã An Phú quản lý",
        to_agency=territory.committee_an_phu,
    )

    assert incident.agency == territory.committee_an_phu
    assert incident.area == territory.cam_thanh  # the location did not change
    assert (incident.status, incident.assigned_to, incident.acknowledged_at) == ("new", None, None)
    event = incident.events.latest("id")
    assert event.action == "transferred"
    assert (event.from_status, event.to_status) == ("in_progress", "new")
    assert event.is_public is True
    assert event.note.startswith(f"Chuyển đến {territory.committee_an_phu.name}.")
    assert event.data["reason"] == "Đoạn đường do xã An Phú quản lý"
    assert event.data["from_agency_id"] == territory.committee_cam_thanh.pk
    assert event.data["to_agency_id"] == territory.committee_an_phu.pk


def planned_messages(incident_id: int, occasion: str) -> set[tuple[str, str, str]]:
    """The outbox rows planned for one occasion of a report: (recipient, address, status)."""
    prefix = f"incident:{incident_id}:{occasion}:"
    return {
        (key.removeprefix(prefix), address, status)
        for key, address, status in Notification.objects.filter(
            dedupe_key__startswith=prefix
        ).values_list("dedupe_key", "address", "status")
    }


def test_a_transfer_plans_messages_to_the_new_unit_and_the_reporter_and_sends_them_after_commit(
    file_report: FileReport,
    officer_a: User,
    territory: Territory,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    territory.committee_an_phu.email = "ubnd-anphu@example.vn"
    territory.committee_an_phu.save(update_fields=["email"])
    incident = file_report().incident

    with django_capture_on_commit_callbacks() as after_commit:
        incident = services.incident_transfer(
            actor=officer_a,
            incident=incident,
            reason="Sai địa bàn",
            to_agency=territory.committee_an_phu,
        )
        event_id = incident.events.latest("id").id
        # Planned inside the transaction, in the outbox, and nothing sent yet.
        planned = planned_messages(incident.pk, f"event:{event_id}")

    assert planned == {
        (f"unit:{territory.committee_an_phu.pk}:email", "ubnd-anphu@example.vn", "pending"),
        ("reporter:email", "binh@example.vn", "pending"),
    }
    # One send per planned message, handed to the broker only once the transaction commits.
    assert len(after_commit) == 2
    assert mail.outbox == []


def test_a_transfer_without_a_reason_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    incident = file_report().incident
    before = snapshot(incident)

    with pytest.raises(InvalidInput):
        services.incident_transfer(
            actor=officer_a, incident=incident, reason=" ", to_agency=territory.committee_an_phu
        )

    assert snapshot(incident) == before


def test_a_transfer_to_the_same_unit_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    incident = file_report().incident
    before = snapshot(incident)

    with pytest.raises(InvalidInput) as refused:
        services.incident_transfer(
            actor=officer_a, incident=incident, reason="?", to_agency=territory.committee_cam_thanh
        )

    assert refused.value.code == "same_agency"
    assert snapshot(incident) == before


def test_a_transfer_to_an_inactive_unit_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    territory.committee_an_phu.is_active = False
    territory.committee_an_phu.save()
    incident = file_report().incident
    before = snapshot(incident)

    with pytest.raises(InvalidInput) as refused:
        services.incident_transfer(
            actor=officer_a, incident=incident, reason="x", to_agency=territory.committee_an_phu
        )

    assert refused.value.code == "inactive_agency"
    assert snapshot(incident) == before


def test_a_corrected_category_re_routes_and_clears_the_old_answers(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    incident = file_report().incident

    incident = services.incident_transfer(
        actor=officer_a, incident=incident, reason="Là đèn đường", category_code="chieu-sang"
    )

    # No routing rule in the test territory: the commune's committee keeps it.
    assert incident.category.code == "chieu-sang"
    assert incident.attributes == {}
    assert incident.agency == territory.committee_cam_thanh
    event = incident.events.latest("id")
    assert event.action == "corrected"
    assert event.data["previous_category"] == "giao-thong"
    assert event.data["previous_attributes"] == {"loai-hu-hong": "o-ga"}


def test_a_transfer_with_nothing_to_change_is_refused(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report().incident
    before = snapshot(incident)

    with pytest.raises(InvalidInput) as refused:
        services.incident_transfer(actor=officer_a, incident=incident, reason="?")

    assert refused.value.code == "nothing_to_transfer"
    assert snapshot(incident) == before


# Duplicates


def test_marking_a_duplicate_moves_its_supporters_to_the_original_without_double_counting(
    file_report: FileReport, officer_a: User
) -> None:
    original = file_report(client_identity="address:10.0.0.1").incident
    duplicate = file_report(description="Cũng ổ gà đó", client_identity="address:10.0.0.2").incident
    for identity in ("email:an@example.vn", "email:binh@example.vn"):
        services.incident_support(incident=original, supporter_identity=identity)
    for identity in ("email:binh@example.vn", "email:cuong@example.vn"):
        services.incident_support(incident=duplicate, supporter_identity=identity)

    duplicate = services.incident_mark_duplicate(
        actor=officer_a, incident=duplicate, original=original
    )

    original.refresh_from_db()
    expected = {
        identity_fingerprint(identity)
        for identity in (
            "email:an@example.vn",
            "email:binh@example.vn",
            "email:cuong@example.vn",
            "address:10.0.0.2",  # the duplicate's sender
        )
    }
    assert set(original.supporters.values_list("identity_hash", flat=True)) == expected
    assert original.supporters_count == 4
    assert duplicate.supporters_count == 0
    assert duplicate.supporters.count() == 0
    assert (duplicate.status, duplicate.rejection_reason) == ("rejected", "duplicate")
    assert duplicate.duplicate_of == original
    marked = duplicate.events.latest("id")
    assert marked.action == "marked_duplicate"
    assert original.tracking_code in marked.note
    assert marked.data["supporters_moved"] == 1
    received = original.events.latest("id")
    assert (received.action, received.is_public) == ("duplicate_received", False)


def test_the_duplicates_sender_who_already_supported_the_original_is_counted_once(
    file_report: FileReport, officer_a: User
) -> None:
    original = file_report().incident
    services.incident_support(incident=original, supporter_identity="address:10.0.0.2")
    duplicate = file_report(description="Lại ổ gà", client_identity="address:10.0.0.2").incident

    services.incident_mark_duplicate(actor=officer_a, incident=duplicate, original=original)

    original.refresh_from_db()
    assert original.supporters_count == 1
    assert IncidentSupporter.objects.filter(incident=original).count() == 1


def test_a_report_cannot_be_a_duplicate_of_itself(file_report: FileReport, officer_a: User) -> None:
    incident = file_report().incident
    before = snapshot(incident)

    with pytest.raises(InvalidInput):
        services.incident_mark_duplicate(actor=officer_a, incident=incident, original=incident)

    assert snapshot(incident) == before


def test_a_duplicate_of_a_closed_report_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    original = file_report().incident
    services.incident_reject(actor=officer_a, incident=original, reason="outside_scope")
    duplicate = file_report(description="Trùng").incident
    before, original_before = snapshot(duplicate), snapshot(original)

    with pytest.raises(Conflict) as refused:
        services.incident_mark_duplicate(actor=officer_a, incident=duplicate, original=original)

    assert refused.value.code == "original_not_open"
    assert snapshot(duplicate) == before
    assert snapshot(original) == original_before


def test_a_duplicate_may_point_to_an_open_report_of_another_unit(
    file_report: FileReport, officer_a: User
) -> None:
    original = file_report(point=AN_PHU_POINT).incident
    duplicate = file_report().incident

    duplicate = services.incident_mark_duplicate(
        actor=officer_a, incident=duplicate, original=original
    )

    assert duplicate.duplicate_of == original


# Reopening


def _resolved(file_report: FileReport, officer: User) -> Filed:
    filed = file_report()
    services.incident_acknowledge(actor=officer, incident=filed.incident)
    services.incident_resolve(actor=officer, incident=filed.incident, answer="Đã xử lý.")
    return filed


def test_the_reporter_can_reopen_within_the_configured_days(
    file_report: FileReport, officer_a: User
) -> None:
    filed = _resolved(file_report, officer_a)
    Incident.objects.filter(pk=filed.incident.pk).update(
        resolved_at=timezone.now() - timedelta(days=6, hours=23)
    )

    incident = services.incident_reopen(
        incident=filed.incident, reporter_token=filed.token, reason="Ổ gà lại xuất hiện."
    )

    assert incident.status == "in_progress"
    assert (incident.resolved_at, incident.reopened_count) == (None, 1)
    event = incident.events.latest("id")
    assert (event.action, event.actor, event.actor_label) == ("reopened", None, "Người phản ánh")
    assert event.data["reason"] == "Ổ gà lại xuất hiện."


def test_reopening_after_the_configured_days_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    filed = _resolved(file_report, officer_a)
    Incident.objects.filter(pk=filed.incident.pk).update(
        resolved_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    before = snapshot(filed.incident)

    with pytest.raises(Conflict) as refused:
        services.incident_reopen(incident=filed.incident, reporter_token=filed.token, reason="x")

    assert refused.value.code == "reopen_window_passed"
    assert "7 ngày" in refused.value.message
    assert snapshot(filed.incident) == before


def test_the_reopening_window_follows_the_setting(
    file_report: FileReport, officer_a: User, settings: Settings
) -> None:
    settings.INCIDENT_REOPEN_DAYS = 2
    filed = _resolved(file_report, officer_a)
    Incident.objects.filter(pk=filed.incident.pk).update(
        resolved_at=timezone.now() - timedelta(days=3)
    )

    with pytest.raises(Conflict):
        services.incident_reopen(incident=filed.incident, reporter_token=filed.token, reason="x")


def test_reopening_with_a_wrong_token_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    filed = _resolved(file_report, officer_a)
    before = snapshot(filed.incident)

    with pytest.raises(PermissionDenied) as refused:
        services.incident_reopen(incident=filed.incident, reporter_token="0" * 32, reason="x")

    assert refused.value.code == "invalid_reporter_token"
    assert snapshot(filed.incident) == before


def test_reopening_without_a_reason_is_refused(file_report: FileReport, officer_a: User) -> None:
    filed = _resolved(file_report, officer_a)
    before = snapshot(filed.incident)

    with pytest.raises(InvalidInput):
        services.incident_reopen(incident=filed.incident, reporter_token=filed.token, reason="")

    assert snapshot(filed.incident) == before


# Rating


def test_the_reporter_rates_a_resolved_report_once(
    file_report: FileReport, officer_a: User
) -> None:
    filed = _resolved(file_report, officer_a)

    incident = services.incident_rate(
        incident=filed.incident, reporter_token=filed.token, rating=5, comment="Nhanh, tốt."
    )

    assert (incident.rating, incident.rating_comment) == (5, "Nhanh, tốt.")
    assert incident.rated_at is not None
    event = incident.events.latest("id")
    assert (event.action, event.note, event.is_public) == ("rated", "5/5", True)
    before = snapshot(incident)
    with pytest.raises(Conflict) as refused:
        services.incident_rate(incident=incident, reporter_token=filed.token, rating=1)
    assert refused.value.code == "already_rated"
    assert snapshot(incident) == before


@pytest.mark.parametrize("rating", [0, 6, -1, True, 3.5])
def test_a_rating_outside_one_to_five_is_refused(
    file_report: FileReport, officer_a: User, rating: float
) -> None:
    filed = _resolved(file_report, officer_a)
    before = snapshot(filed.incident)

    with pytest.raises(InvalidInput) as refused:
        # 3.5 is not an int on purpose: the service must refuse what a caller sends at run time.
        services.incident_rate(
            incident=filed.incident,
            reporter_token=filed.token,
            rating=rating,  # type: ignore[arg-type]
        )

    assert refused.value.code == "invalid_rating"
    assert snapshot(filed.incident) == before


def test_rating_with_a_wrong_token_is_refused(file_report: FileReport, officer_a: User) -> None:
    filed = _resolved(file_report, officer_a)
    other = file_report()
    before = snapshot(filed.incident)

    with pytest.raises(PermissionDenied):
        services.incident_rate(incident=filed.incident, reporter_token=other.token, rating=5)

    assert snapshot(filed.incident) == before


# Support


def test_support_counts_each_identity_once(file_report: FileReport) -> None:
    incident = file_report().incident
    services.incident_support(incident=incident, supporter_identity="email:an@example.vn")
    services.incident_support(incident=incident, supporter_identity="address:10.0.0.9")
    before = snapshot(incident)

    with pytest.raises(Conflict) as refused:
        services.incident_support(incident=incident, supporter_identity="email:an@example.vn")

    assert refused.value.code == "already_supported"
    assert snapshot(incident) == before
    assert before["supporters_count"] == 2


def test_support_stores_no_personal_data(file_report: FileReport) -> None:
    incident = file_report().incident

    services.incident_support(incident=incident, supporter_identity="email:an@example.vn")

    stored = IncidentSupporter.objects.get(incident=incident).identity_hash
    assert "example" not in stored and len(stored) == 64


# Internal notes and moderation


def test_an_internal_note_is_recorded_and_never_public(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report().incident

    services.incident_note_add(actor=officer_a, incident=incident, note="Hẹn đội duy tu thứ Hai")

    event = incident.events.latest("id")
    assert (event.action, event.is_public, event.note) == (
        "note_added",
        False,
        "Hẹn đội duy tu thứ Hai",
    )


@pytest.mark.parametrize(
    ("service", "flag"),
    [("incident_hide", "is_public"), ("incident_text_hide", "description_hidden")],
)
def test_hiding_is_audited_and_tells_the_reporter(
    file_report: FileReport,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    service: str,
    flag: str,
) -> None:
    incident = file_report().incident

    with django_capture_on_commit_callbacks() as after_commit:
        incident = getattr(services, service)(
            actor=officer_a, incident=incident, reason="Nêu tên, số điện thoại người khác"
        )
        planned = planned_messages(incident.pk, f"event:{incident.events.latest('id').id}")

    assert getattr(incident, flag) is (flag == "description_hidden")
    event = incident.events.latest("id")
    assert event.is_public is True
    assert event.note == "Nêu tên, số điện thoại người khác"
    assert event.actor == officer_a
    assert planned == {("reporter:email", "binh@example.vn", "pending")}
    assert len(after_commit) == 1
    before = snapshot(incident)
    with pytest.raises(Conflict):
        getattr(services, service)(actor=officer_a, incident=incident, reason="lần nữa")
    assert snapshot(incident) == before


def test_hiding_a_photo_is_audited(file_report: FileReport, officer_a: User) -> None:
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    photo = incident.photos.get()

    photo = services.photo_hide(actor=officer_a, photo=photo, reason="Lộ biển số xe")

    assert (photo.is_hidden, photo.hidden_reason) == (True, "Lộ biển số xe")
    event = incident.events.latest("id")
    assert (event.action, event.is_public, event.data) == (
        "photo_hidden",
        True,
        {"photo_id": photo.pk},
    )


def test_hiding_without_a_reason_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report().incident
    before = snapshot(incident)

    with pytest.raises(InvalidInput):
        services.incident_text_hide(actor=officer_a, incident=incident, reason="")

    assert snapshot(incident) == before


def test_each_public_change_plans_a_message_to_the_reporter_and_internal_notes_none(
    file_report: FileReport,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    incident = file_report().incident
    Notification.objects.all().delete()  # the receipt of the filing

    with django_capture_on_commit_callbacks() as after_commit:
        services.incident_acknowledge(actor=officer_a, incident=incident)
        services.incident_note_add(actor=officer_a, incident=incident, note="nội bộ")
        services.incident_answer(actor=officer_a, incident=incident, answer="Đã xử lý")

    public_events = list(
        incident.events.filter(is_public=True)
        .exclude(action="created")
        .values_list("id", flat=True)
    )
    assert len(public_events) == 2
    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == sorted(
        f"incident:{incident.pk}:event:{event_id}:reporter:email" for event_id in public_events
    )
    # One send per planned message, handed to the broker only once the transaction commits.
    assert len(after_commit) == 2
