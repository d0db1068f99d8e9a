"""Marking a duplicate over the staff API: the original must be a report the officer may see,
public when the duplicate is, and the public outputs never link a report that is not public
(issue 8, finding 8)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Incident
from tests.conftest import ClientResponse

from ..conftest import AN_PHU_POINT, FileReport, client_for, snapshot

STAFF = "/api/v1/staff/incidents/"


def mark(officer: User, duplicate: Incident, original_code: str) -> ClientResponse:
    return client_for(officer).post(
        f"{STAFF}{duplicate.tracking_code}/mark-duplicate/",
        {"original": original_code},
        format="json",
    )


def not_found_body(code: str) -> dict[str, object]:
    """What the API answers for a code that does not exist at all."""
    return {
        "code": "incident_not_found",
        "detail": f"Không tìm thấy phản ánh có mã “{code}”.",
    }


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_another_units_private_report_is_answered_like_a_code_that_does_not_exist(
    file_report: FileReport, officer_a: User, officer_b: User, closed: bool
) -> None:
    """Issue 8, finding 8: the original was any report; its 409 told another unit's private
    report's status, and a private code could be linked from a public page."""
    duplicate = file_report().incident
    private = file_report(point=AN_PHU_POINT, is_public=False).incident
    if closed:
        services.incident_reject(actor=officer_b, incident=private, reason="outside_scope")
    before, private_before = snapshot(duplicate), snapshot(private)
    unknown = mark(officer_a, duplicate, "PA-0000-0000")

    response = mark(officer_a, duplicate, private.tracking_code)

    assert (unknown.status_code, response.status_code) == (404, 404)
    assert {key: unknown.json()[key] for key in ("code", "detail")} == not_found_body(
        "PA-0000-0000"
    )
    assert {key: response.json()[key] for key in ("code", "detail")} == not_found_body(
        private.tracking_code
    )
    assert (snapshot(duplicate), snapshot(private)) == (before, private_before)


def test_a_public_report_cannot_be_closed_as_a_duplicate_of_a_report_the_public_cannot_see(
    file_report: FileReport, officer_a: User
) -> None:
    """Issue 8, finding 8: the public page of the duplicate would link a private code."""
    duplicate = file_report().incident
    own_private = file_report(description="Báo riêng", is_public=False).incident
    before, original_before = snapshot(duplicate), snapshot(own_private)

    response = mark(officer_a, duplicate, own_private.tracking_code)

    assert response.status_code == 400
    assert response.json()["code"] == "original_not_public"
    assert response.json()["detail"] == (
        f"Phản ánh {duplicate.tracking_code} đang công khai nên không thể trùng với phản ánh "
        f"không công khai {own_private.tracking_code}."
    )
    assert (snapshot(duplicate), snapshot(own_private)) == (before, original_before)


def test_a_private_report_may_be_a_duplicate_of_its_units_private_report(
    file_report: FileReport, officer_a: User
) -> None:
    duplicate = file_report(is_public=False).incident
    original = file_report(description="Báo riêng", is_public=False).incident

    response = mark(officer_a, duplicate, original.tracking_code)

    assert response.status_code == 200
    assert response.json()["duplicate_of"] == original.tracking_code


def test_marking_a_duplicate_of_a_duplicate_links_the_first_original(
    file_report: FileReport, officer_a: User
) -> None:
    """Issue 8, finding 8: the original must not itself be a duplicate; its own original is
    the report to follow."""
    first = file_report(description="Ổ gà lần đầu").incident
    second = file_report(description="Ổ gà lần hai").incident
    third = file_report(description="Ổ gà lần ba").incident
    services.incident_mark_duplicate(actor=officer_a, incident=second, original=first)

    response = mark(officer_a, third, second.tracking_code)

    assert response.status_code == 200
    assert response.json()["duplicate_of"] == first.tracking_code
    assert Incident.objects.get(pk=third.pk).duplicate_of_id == first.pk


def test_the_public_outputs_do_not_link_an_original_that_was_hidden_later(
    file_report: FileReport, officer_a: User, officer_b: User, citizen: APIClient
) -> None:
    """Issue 8, finding 8: the link to the original is judged when it is shown."""
    original = file_report(point=AN_PHU_POINT, description="Ổ gà gốc").incident
    duplicate = file_report().incident
    services.incident_mark_duplicate(actor=officer_a, incident=duplicate, original=original)
    assert citizen.get(f"/api/v1/incidents/{duplicate.tracking_code}/").json()["duplicate_of"] == (
        original.tracking_code
    )

    services.incident_hide(actor=officer_b, incident=original, reason="Lộ thông tin cá nhân")

    detail = citizen.get(f"/api/v1/incidents/{duplicate.tracking_code}/")
    page = Client().get(f"/phan-anh/{duplicate.tracking_code}/")
    open311 = Client().get(f"/open311/v2/requests/{duplicate.tracking_code}.json")
    assert (detail.status_code, page.status_code, open311.status_code) == (200, 200, 200)
    assert detail.json()["duplicate_of"] is None
    assert f"/phan-anh/{original.tracking_code}/" not in page.content.decode()
    assert open311.json()[0]["status_notes"] == "Từ chối: Trùng với phản ánh khác"


def test_the_refusal_of_a_private_original_is_in_english_on_request(
    file_report: FileReport, officer_a: User
) -> None:
    duplicate = file_report().incident
    own_private = file_report(description="Báo riêng", is_public=False).incident

    response = client_for(officer_a).post(
        f"{STAFF}{duplicate.tracking_code}/mark-duplicate/",
        {"original": own_private.tracking_code},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"Report {duplicate.tracking_code} is public, so it cannot be a duplicate of "
        f"{own_private.tracking_code}, which is not public."
    )
    assert Incident.objects.get(pk=duplicate.pk).status == "new"
