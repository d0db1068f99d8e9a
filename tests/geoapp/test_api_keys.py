"""API keys of integration clients: issuing, authenticating, rotating, the admin, the command and
the REST authentication class."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from geoapp.api_keys import (
    api_client_authenticate,
    api_client_identity,
    api_client_issue,
    api_client_rotate_key,
    api_client_update,
)
from geoapp.authentication import ApiKeyAuthentication
from geoapp.exceptions import Conflict, InvalidInput, PermissionDenied
from geoapp.models import ApiClient
from wards.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db


def stored_columns(client: ApiClient) -> list[str]:
    return [str(value) for value in ApiClient.objects.filter(pk=client.pk).values().get().values()]


def test_issuing_a_key_stores_only_its_hash_and_prefix() -> None:
    client, raw_key = api_client_issue(name="Ứng dụng Quảng Ngãi S", contact_email="it@qn.vn")

    stored = ApiClient.objects.get()
    assert stored.pk == client.pk
    assert stored.name == "Ứng dụng Quảng Ngãi S"
    assert stored.contact_email == "it@qn.vn"
    assert stored.is_active is True
    assert stored.agency is None
    assert stored.last_used_at is None
    assert len(raw_key) == 43
    assert stored.key_prefix == raw_key[:8]
    assert stored.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in stored_columns(stored)


def test_every_issued_key_is_different() -> None:
    _first, first_key = api_client_issue(name="Một")
    _second, second_key = api_client_issue(name="Hai")

    assert first_key != second_key


def test_an_issued_key_authenticates_its_client_and_records_the_use() -> None:
    client, raw_key = api_client_issue(name="Tổng đài 1022")

    authenticated = api_client_authenticate(raw_key)

    assert authenticated.pk == client.pk
    client.refresh_from_db()
    assert client.last_used_at is not None
    assert timezone.now() - client.last_used_at < timedelta(seconds=10)


def test_the_time_of_use_is_written_at_most_once_a_minute() -> None:
    client, raw_key = api_client_issue(name="Tổng đài 1022")
    recent = timezone.now() - timedelta(seconds=20)
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=recent)

    api_client_authenticate(raw_key)

    client.refresh_from_db()
    assert client.last_used_at == recent


def test_the_client_identity_names_the_client_not_the_key() -> None:
    client, _raw_key = api_client_issue(name="Tổng đài 1022")

    assert api_client_identity(client) == f"api-client:{client.pk}"


@pytest.mark.parametrize(
    ("raw_key", "code", "message"),
    [
        (
            None,
            "api_key_missing",
            "Thiếu khóa API (api_key); hãy xin khóa từ quản trị viên hệ thống.",
        ),
        (
            "   ",
            "api_key_missing",
            "Thiếu khóa API (api_key); hãy xin khóa từ quản trị viên hệ thống.",
        ),
        ("không-phải-khóa", "api_key_invalid", "Khóa API (api_key) không hợp lệ."),
    ],
)
def test_a_missing_or_unknown_key_is_refused(raw_key: str | None, code: str, message: str) -> None:
    api_client_issue(name="Tổng đài 1022")

    with pytest.raises(PermissionDenied) as refusal:
        api_client_authenticate(raw_key)

    assert refusal.value.code == code
    assert refusal.value.message == message
    assert ApiClient.objects.get().last_used_at is None


def test_the_key_of_a_suspended_client_is_refused() -> None:
    client, raw_key = api_client_issue(name="Tổng đài 1022", is_active=False)

    with pytest.raises(PermissionDenied) as refusal:
        api_client_authenticate(raw_key)

    assert refusal.value.code == "api_key_revoked"
    client.refresh_from_db()
    assert client.last_used_at is None


def test_rotating_a_key_stops_the_old_one_at_once() -> None:
    client, old_key = api_client_issue(name="Tổng đài 1022")

    rotated, new_key = api_client_rotate_key(client=client)

    assert new_key != old_key
    assert rotated.key_prefix == new_key[:8]
    assert api_client_authenticate(new_key).pk == client.pk
    with pytest.raises(PermissionDenied):
        api_client_authenticate(old_key)


def test_updating_a_client_keeps_its_key(territory) -> None:
    client, raw_key = api_client_issue(name="Tổng đài 1022")

    updated = api_client_update(
        client=client,
        name="Tổng đài 1022 Quảng Ngãi",
        agency=territory.committee_cam_thanh,
        contact_email="tongdai@qn.vn",
        is_active=True,
    )

    stored = ApiClient.objects.get()
    assert (stored.name, stored.agency, stored.contact_email) == (
        "Tổng đài 1022 Quảng Ngãi",
        territory.committee_cam_thanh,
        "tongdai@qn.vn",
    )
    assert updated.key_hash == stored.key_hash
    assert api_client_authenticate(raw_key).pk == client.pk


@pytest.mark.parametrize(
    ("name", "email", "code"),
    [
        ("  ", "", "api_client_name_required"),
        ("x" * 201, "", "api_client_name_too_long"),
        ("Ứng dụng", "không-phải-thư", "invalid_email"),
    ],
)
def test_bad_client_details_are_refused_and_nothing_is_issued(
    name: str, email: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        api_client_issue(name=name, contact_email=email)

    assert refusal.value.code == code
    assert ApiClient.objects.count() == 0


def test_a_second_client_with_the_same_name_is_refused() -> None:
    first, _raw_key = api_client_issue(name="Tổng đài 1022")

    with pytest.raises(Conflict) as refusal:
        api_client_issue(name="Tổng đài 1022")

    assert refusal.value.code == "api_client_name_taken"
    assert list(ApiClient.objects.values_list("pk", flat=True)) == [first.pk]


# The command


def test_the_command_prints_only_a_key_that_authenticates() -> None:
    output, errors = io.StringIO(), io.StringIO()

    call_command("open311_issue_key", "Ứng dụng Quảng Ngãi S", stdout=output, stderr=errors)

    printed = output.getvalue()
    raw_key = printed.strip()
    assert printed == raw_key + "\n"
    assert len(raw_key) == 43
    client = api_client_authenticate(raw_key)
    assert client.name == "Ứng dụng Quảng Ngãi S"
    assert raw_key not in errors.getvalue()
    assert client.key_prefix in errors.getvalue()


def test_the_command_attaches_the_client_to_an_agency(territory) -> None:
    output = io.StringIO()

    call_command(
        "open311_issue_key",
        "Tổng đài phường",
        "--agency",
        territory.committee_cam_thanh.code,
        "--email",
        "tongdai@qn.vn",
        stdout=output,
        stderr=io.StringIO(),
    )

    client = api_client_authenticate(output.getvalue().strip())
    assert client.agency == territory.committee_cam_thanh
    assert client.contact_email == "tongdai@qn.vn"


def test_the_command_refuses_an_unknown_agency_and_issues_nothing() -> None:
    output = io.StringIO()

    with pytest.raises(CommandError, match="Không có đơn vị mã “khong-co”."):
        call_command("open311_issue_key", "Tổng đài", "--agency", "khong-co", stdout=output)

    assert output.getvalue() == ""
    assert ApiClient.objects.count() == 0


def test_the_command_refuses_a_taken_name_and_prints_no_key() -> None:
    api_client_issue(name="Tổng đài")
    output = io.StringIO()

    with pytest.raises(CommandError, match="Đã có ứng dụng tên “Tổng đài”"):
        call_command("open311_issue_key", "Tổng đài", stdout=output)

    assert output.getvalue() == ""
    assert ApiClient.objects.count() == 1


# The admin


def test_the_admin_shows_a_new_key_once_and_stores_only_its_hash(admin_client: Client) -> None:
    agency = Agency.objects.create(code="tong-dai", name="Tổng đài 1022", kind=AgencyKind.OTHER)

    response = admin_client.post(
        reverse("admin:geoapp_apiclient_add"),
        {
            "name": "Ứng dụng Quảng Ngãi S",
            "agency": agency.pk,
            "contact_email": "",
            "is_active": "on",
        },
        follow=True,
    )

    assert response.status_code == 200
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    key_messages = [message for message in messages if "<code>" in message]
    assert len(key_messages) == 1
    raw_key = key_messages[0].split("<code>")[1].split("</code>")[0]
    client = ApiClient.objects.get()
    assert client.name == "Ứng dụng Quảng Ngãi S"
    assert client.agency == agency
    assert client.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert api_client_authenticate(raw_key).pk == client.pk
    change_page = admin_client.get(reverse("admin:geoapp_apiclient_change", args=[client.pk]))
    assert raw_key not in change_page.content.decode()
    assert client.key_hash not in change_page.content.decode()


def test_the_admin_suspends_a_client_through_the_service(admin_client: Client) -> None:
    client, raw_key = api_client_issue(name="Tổng đài 1022")

    response = admin_client.post(
        reverse("admin:geoapp_apiclient_change", args=[client.pk]),
        {"name": "Tổng đài 1022", "agency": "", "contact_email": ""},
    )

    assert response.status_code == 302, response.content.decode()
    client.refresh_from_db()
    assert client.is_active is False
    with pytest.raises(PermissionDenied):
        api_client_authenticate(raw_key)


def test_the_admin_rotates_keys_and_shows_each_new_key_once(admin_client: Client) -> None:
    client, old_key = api_client_issue(name="Tổng đài 1022")

    response = admin_client.post(
        reverse("admin:geoapp_apiclient_changelist"),
        {"action": "rotate_keys", "_selected_action": [client.pk]},
        follow=True,
    )

    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert len(messages) == 1
    new_key = messages[0].split("<code>")[1].split("</code>")[0]
    assert api_client_authenticate(new_key).pk == client.pk
    with pytest.raises(PermissionDenied):
        api_client_authenticate(old_key)


def test_the_admin_cannot_delete_a_client(admin_client: Client) -> None:
    client, _raw_key = api_client_issue(name="Tổng đài 1022")

    response = admin_client.post(
        reverse("admin:geoapp_apiclient_delete", args=[client.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert ApiClient.objects.filter(pk=client.pk).exists()


# The REST authentication class


def rest_request(**headers: str) -> Request:
    return Request(APIRequestFactory().get("/api/v1/categories/", data=None, **headers))


def test_the_rest_authentication_puts_the_client_in_request_auth() -> None:
    client, raw_key = api_client_issue(name="Tổng đài 1022")

    result = ApiKeyAuthentication().authenticate(rest_request(HTTP_X_API_KEY=raw_key))

    assert result == (None, client)


def test_the_rest_authentication_leaves_requests_without_the_header_to_others() -> None:
    api_client_issue(name="Tổng đài 1022")

    assert ApiKeyAuthentication().authenticate(rest_request()) is None


def test_the_rest_authentication_refuses_a_wrong_key() -> None:
    api_client_issue(name="Tổng đài 1022")

    with pytest.raises(AuthenticationFailed) as refusal:
        ApiKeyAuthentication().authenticate(rest_request(HTTP_X_API_KEY="sai"))

    assert str(refusal.value.detail) == "Khóa API (api_key) không hợp lệ."
    assert refusal.value.get_codes() == "api_key_invalid"
