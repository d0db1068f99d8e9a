"""The REST interface: catalogue, appointment, lookup without personal data, statistics with
explicit rates, agencies, and the staff operations with their refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from procedures import services
from procedures.models import Dossier, DossierEvent
from tests.conftest import Territory
from tests.procedures.conftest import vietnam

pytestmark = pytest.mark.usefixtures("catalogue")


def client_for(user: User) -> APIClient:
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_catalogue_lists_limits_as_value_and_unit(territory: Territory) -> None:
    answer = APIClient().get("/api/v1/procedures/")
    copies = next(row for row in answer.json() if row["code"] == "2.000815")
    assert copies == {
        "code": "2.000815", "name": "Chứng thực bản sao từ bản chính",
        "name_en": "Certification of copies", "field": "Chứng thực", "level": "commune",
        "time_limit": {"value": 4.0, "unit": "working_hours"}, "online_time_limit": None,
        "cutoff_time": "15:00:00", "online_level": "full", "valid_from": "2021-01-01",
        "valid_to": None,
    }  # fmt: skip
    assert len(answer.json()) == 20


def test_the_appointment_is_what_the_desk_prints(db: None) -> None:
    answer = APIClient().get(
        "/api/v1/procedures/2.000815/appointment/",
        {"received_at": "2026-03-05T15:30:00+07:00"},
    )
    assert answer.json() == {
        "received_at": "2026-03-05T15:30:00+07:00",
        "counted_from": "2026-03-06T07:00:00+07:00",
        "appointment_at": "2026-03-06T11:00:00+07:00",
    }


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("vi", "received_at phải có múi giờ (ví dụ +07:00)."),
        ("en", "received_at must carry a time zone offset (such as +07:00)."),
    ],
)
def test_an_appointment_without_an_offset_is_refused(db: None, language: str, detail: str) -> None:
    answer = APIClient().get(
        "/api/v1/procedures/2.000815/appointment/",
        {"received_at": "2026-03-05T15:30:00"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert (answer.status_code, answer.json()) == (400, {"detail": detail, "code": "no_offset"})


def test_the_public_lookup_carries_no_personal_data(territory: Territory) -> None:
    dossier = services.dossier_receive(
        procedure_code="1.001612", unit_code=territory.committee_cam_thanh.code,
        received_at=vietnam(2026, 3, 2, 8), channel="counter",
        applicant={"name": "Nguyễn Văn An", "id_number": "051090001234", "phone": "0905123456"},
    )  # fmt: skip
    answer = APIClient().get("/api/v1/dossiers/lookup/", {"code": dossier.code})
    body = answer.content.decode()
    assert answer.status_code == 200
    for secret in ("Nguyễn Văn An", "051090001234", "0905123456", "applicant"):
        assert secret not in body
    assert answer.json()["appointment_at"] == "2026-03-16T08:00:00+07:00"
    page = APIClient().get("/tra-cuu-ho-so/", {"ma": dossier.code}).content.decode()
    assert dossier.code in page and "Nguyễn Văn An" not in page and "0905123456" not in page


def test_the_staff_receive_and_act_through_the_api(
    territory: Territory, officer_a: User, officer_b: User
) -> None:
    staff = client_for(officer_a)
    received = staff.post(
        "/api/v1/staff/dossiers/",
        {"procedure_code": "1.001612", "receiving_unit": territory.committee_cam_thanh.code,
         "received_at": "2026-03-02T08:00:00+07:00", "channel": "online"},
        format="json",
    )  # fmt: skip
    assert received.status_code == 201
    code = received.json()["code"]
    assert code == "ubnd-21025-2025-260302-0001"
    outsider = client_for(officer_b).post(f"/api/v1/staff/dossiers/{code}/process/")
    assert outsider.status_code == 403
    assert Dossier.objects.get().status == "received"
    processed = staff.post(f"/api/v1/staff/dossiers/{code}/process/")
    assert (processed.status_code, processed.json()["status"]) == (200, "processing")
    assert DossierEvent.objects.count() == 2
    assert client_for(officer_b).get(f"/api/v1/staff/dossiers/{code}/").status_code == 403


def test_statistics_give_numerators_denominators_and_null_rates(
    territory: Territory, officer_a: User
) -> None:
    unit = territory.committee_cam_thanh.code
    finished = services.dossier_receive(procedure_code="1.001612", unit_code=unit,
                                        received_at=vietnam(2026, 3, 2, 8), channel="online")  # fmt: skip
    services.dossier_act(code=finished.code, action="result_ready", actor=officer_a,
                         at=vietnam(2026, 3, 20, 8))  # fmt: skip
    services.dossier_receive(procedure_code="1.001612", unit_code=unit,
                             received_at=vietnam(2026, 3, 3, 8), channel="counter")  # fmt: skip
    answer = APIClient().get(
        "/api/v1/dossiers/stats/", {"from": "2026-03-01", "to": "2026-03-31", "group_by": "unit"}
    )
    (row,) = answer.json()["results"]
    expected: dict[str, Any] = {
        "key": unit, "label": territory.committee_cam_thanh.name, "received": 2,
        "finished": 1, "early": 0, "on_time": 0, "late": 1, "in_progress_within": 0,
        "in_progress_overdue": 1, "paused": 0,
        "on_time_rate": {"numerator": 0, "denominator": 1, "value": 0.0},
        "online_rate": {"numerator": 1, "denominator": 2, "value": 0.5},
        "average_working_days": 14.0, "median_working_days": 14.0,
    }  # fmt: skip
    assert row == expected
    empty = APIClient().get(
        "/api/v1/dossiers/stats/", {"from": "2026-05-01", "to": "2026-05-31", "group_by": "month"}
    )
    assert empty.json() == {"results": [{
        "key": "2026-03", "label": "2026-03", "received": 0, "finished": 0, "early": 0,
        "on_time": 0, "late": 0, "in_progress_within": 0, "in_progress_overdue": 1, "paused": 0,
        "on_time_rate": {"numerator": 0, "denominator": 0, "value": None},
        "online_rate": {"numerator": 0, "denominator": 0, "value": None},
        "average_working_days": None, "median_working_days": None,
    }]}  # fmt: skip


def test_the_agencies_list(territory: Territory) -> None:
    answer = APIClient().get("/api/v1/agencies/")
    cam_thanh = next(row for row in answer.json() if row["code"] == "ubnd-21025-2025")
    assert cam_thanh == {
        "code": "ubnd-21025-2025", "name": "Ủy ban nhân dân Phường Cẩm Thành",
        "kind": "peoples_committee", "area_code": "21025", "valid_from": "2025-07-01",
        "valid_to": None,
    }  # fmt: skip
