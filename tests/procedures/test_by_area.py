"""Dossiers per area on a date (API and map page) and the printable appointment slip."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from procedures import services
from procedures.models import Dossier
from tests.conftest import Territory
from tests.procedures.conftest import vietnam
from wards.models import Agency

pytestmark = pytest.mark.usefixtures("catalogue")
LAND, COPIES, BIRTH = "1.001612", "2.000815", "1.001193"


def receive(unit: Agency, at: datetime, procedure: str, name: str = "Lê Thị Hoa") -> Dossier:
    return services.dossier_receive(
        procedure_code=procedure, unit_code=unit.code, received_at=at, channel="counter",
        applicant={"name": name, "id_number": "051090001234", "phone": "0905123456"},
    )  # fmt: skip


def finish(dossier: Dossier, at: datetime) -> None:
    services.dossier_act(code=dossier.code, action="result_ready", actor=None, at=at)


@pytest.fixture
def day_of_dossiers(territory: Territory) -> None:
    """Phường Cẩm Thành's dossiers around Thu 5 March 2026."""
    unit = territory.committee_cam_thanh
    receive(unit, vietnam(2026, 3, 2, 8), LAND)  # due 16 Mar: open, within
    finish(receive(unit, vietnam(2026, 3, 4, 8), COPIES), vietnam(2026, 3, 5, 10))  # late on 5th
    receive(unit, vietnam(2026, 3, 5, 9), BIRTH)  # received on the 5th, open, within
    receive(unit, vietnam(2026, 3, 3, 8), COPIES)  # due 3 Mar 12:00: open, overdue
    # Received on the 5th, due 12:00, finished on the 6th: open and overdue at the end of the 5th.
    finish(receive(unit, vietnam(2026, 3, 5, 8), COPIES), vietnam(2026, 3, 6, 9))
    finish(receive(unit, vietnam(2026, 2, 27, 9), COPIES), vietnam(2026, 2, 27, 11))  # before
    receive(unit, vietnam(2026, 3, 6, 8), LAND)  # after


def test_counts_and_share_late_per_area_on_a_date_without_personal_data(
    territory: Territory, day_of_dossiers: None
) -> None:
    answer = APIClient().get("/api/v1/dossiers/by-area/", {"on": "2026-03-05"})
    assert answer.status_code == 200
    body = answer.json()
    assert body == {
        "on": "2026-03-05",
        "results": [
            {
                "area_id": territory.cam_thanh.id, "area_code": "21025",
                "area_name": territory.cam_thanh.name, "area_valid_from": "2025-07-01",
                "valid_on_date": True, "received": 2, "finished": 1, "finished_late": 1,
                "open": 4, "open_overdue": 2,
                "late_rate": {"numerator": 3, "denominator": 5, "value": 0.6},
            },
            {
                "area_id": territory.an_phu.id, "area_code": "21034",
                "area_name": territory.an_phu.name, "area_valid_from": "2025-07-01",
                "valid_on_date": True, "received": 0, "finished": 0, "finished_late": 0,
                "open": 0, "open_overdue": 0,
                "late_rate": {"numerator": 0, "denominator": 0, "value": None},
            },
        ],
    }  # fmt: skip
    text = answer.content.decode()
    assert "Lê Thị Hoa" not in text and "051090001234" not in text and "0905123456" not in text


def test_outlines_come_on_request_and_a_dossier_of_a_former_area_is_not_dropped(
    territory: Territory,
) -> None:
    receive(territory.committee_nguyen_nghiem, vietnam(2025, 6, 30, 9), LAND)
    answer = APIClient().get("/api/v1/dossiers/by-area/", {"on": "2025-07-02", "outlines": "1"})
    rows = {
        row["area_code"] + "@" + row["area_valid_from"]: row for row in answer.json()["results"]
    }
    assert sorted(rows) == ["21025@2014-04-01", "21025@2025-07-01", "21034@2025-07-01"]
    former = rows["21025@2014-04-01"]
    assert (former["valid_on_date"], former["open"], former["open_overdue"]) == (False, 1, 0)
    assert rows["21025@2025-07-01"]["outline"]["type"] == "MultiPolygon"


@pytest.mark.parametrize(
    ("query", "language", "detail"),
    [
        ({"on": "05/03/2026"}, "vi", "on phải là ngày dạng YYYY-MM-DD."),
        ({}, "en", "on must be a date as YYYY-MM-DD."),
        ({"on": "2026-03-05", "outlines": "yes"}, "vi",
         "Tham số outlines “yes” không hợp lệ; dùng một trong: 0, 1."),
    ],
)  # fmt: skip
def test_a_bad_date_is_refused_in_the_readers_language(
    db: None, query: dict[str, str], language: str, detail: str
) -> None:
    answer = APIClient().get("/api/v1/dossiers/by-area/", query, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 400
    assert answer.json()["detail"] == detail


def test_the_map_page_and_the_queue_filtered_to_an_area(
    territory: Territory, officer_a: User, day_of_dossiers: None
) -> None:
    client = Client()
    client.force_login(officer_a)
    page = client.get("/can-bo/ho-so/ban-do/", {"ngay": "2026-03-05"})
    assert page.status_code == 200
    assert 'data-on="2026-03-05"' in page.content.decode()
    everything = client.get("/can-bo/ho-so/").context["dossiers"]
    assert len(everything) == 4  # received up to the 6th, not finished
    assert client.get("/can-bo/ho-so/", {"khu-vuc": territory.an_phu.id}).context["dossiers"] == []
    assert Client().get("/can-bo/ho-so/ban-do/").status_code == 302


def test_the_appointment_slip_prints_what_the_desk_computed(
    territory: Territory, officer_a: User, officer_b: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 5, 15, 30), COPIES)
    client = Client()
    client.force_login(officer_a)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/giay-hen/", HTTP_ACCEPT_LANGUAGE="vi")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
    assert f"<strong>{dossier.code}</strong>" in text
    assert '<dd data-field="received_at">15:30 05/03/2026</dd>' in text
    assert '<dd data-field="counted_from">07:00 06/03/2026</dd>' in text
    assert '<dd data-field="appointment_at"><strong>11:00 06/03/2026</strong></dd>' in text
    assert "Lê Thị Hoa" in text
    other = Client()
    other.force_login(officer_b)
    assert other.get(f"/can-bo/ho-so/{dossier.code}/giay-hen/").status_code == 403


def test_another_units_dossier_page_is_forbidden_and_an_unknown_one_not_found(
    territory: Territory, officer_b: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 5, 9), LAND)
    client = Client()
    client.force_login(officer_b)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 403
    assert client.get("/can-bo/ho-so/khong-co/").status_code == 404
    assert client.get("/can-bo/ho-so/khong-co/giay-hen/").status_code == 404
