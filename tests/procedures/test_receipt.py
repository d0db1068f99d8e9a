"""A receipt is two statements (one read, one write): what it returns is what it stored, its
routing is wards' rule, and its refusals change nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geoapp.exceptions import PermissionDenied
from geoapp.selectors import working_calendar
from procedures import services
from procedures.models import Dossier, DossierCounter, DossierDailyTally, DossierEvent
from tests.conftest import Territory
from tests.procedures.conftest import vietnam
from wards.models import Agency
from wards.selectors import AGENCY_AREA_ON_SQL, agency_area_on

pytestmark = pytest.mark.usefixtures("catalogue")
LAND = "1.001612"


def stored(dossier: Dossier) -> dict[str, Any]:
    return {
        field.attname: getattr(dossier, field.attname) for field in Dossier._meta.concrete_fields
    }


def test_the_dossier_returned_is_the_row_stored_and_its_event_names_the_actor(
    territory: Territory, officer_a: User
) -> None:
    place = Point(108.80, 15.05, srid=4326)
    working_calendar()  # read once per process, not per receipt
    with CaptureQueriesContext(connection) as queries:
        dossier = services.dossier_receive(
            procedure_code=LAND, unit_code=territory.committee_cam_thanh.code,
            received_at=datetime.datetime(2026, 3, 2, 1, 30, tzinfo=datetime.UTC),
            channel="online", actor=officer_a, location=place, external_code="E-1",
            applicant={"name": "Lê Văn C", "id_number": "051", "phone": "09", "email": "c@x.vn",
                       "address": "1 Hùng Vương"},
        )  # fmt: skip
    # The lookup, the area containing the place (a place was given), the write.
    assert len(queries.captured_queries) == 3
    assert stored(dossier) == stored(Dossier.objects.get())
    assert (dossier.code, dossier.received_at, dossier.appointment_at) == (
        "ubnd-21025-2025-260302-0001", vietnam(2026, 3, 2, 8, 30), vietnam(2026, 3, 16, 8, 30)
    )  # fmt: skip
    assert dossier.area_id == territory.cam_thanh.id
    assert list(DossierEvent.objects.values_list("dossier_id", "actor_id", "action", "to_status")) == [
        (dossier.id, officer_a.id, "receive", "received")
    ]  # fmt: skip
    assert list(DossierDailyTally.objects.values_list("received", "received_online")) == [(1, 1)]
    # The instance is a stored row: saving it updates, never inserts a second one.
    dossier.save()
    assert Dossier.objects.count() == 1


def test_a_receipt_without_a_place_is_two_statements(territory: Territory) -> None:
    working_calendar()  # read once per process, not per receipt
    with CaptureQueriesContext(connection) as queries:
        services.dossier_receive(
            procedure_code=LAND, unit_code=territory.committee_cam_thanh.code,
            received_at=vietnam(2026, 3, 2, 9), channel="counter",
        )  # fmt: skip
    assert len(queries.captured_queries) == 2


def test_the_routing_in_sql_is_wards_rule_on_either_side_of_the_reform(
    territory: Territory, district_committee: Agency
) -> None:
    units = [district_committee, territory.committee_cam_thanh, territory.committee_an_phu]
    days = [datetime.date(2025, 6, 30), datetime.date(2025, 7, 1), datetime.date(2026, 3, 2)]
    sql = f"SELECT {AGENCY_AREA_ON_SQL.format(agency='%(agency)s')}"
    for unit in units:
        for day in days:
            with connection.cursor() as cursor:
                cursor.execute(sql, {"agency": unit.id, "on": day})
                (in_sql,) = cursor.fetchone() or (None,)
            area = agency_area_on(agency_id=unit.id, on=day)
            assert in_sql == (area.id if area else None), (unit.code, day)
    dossier = services.dossier_receive(
        procedure_code=LAND, unit_code=district_committee.code,
        received_at=vietnam(2025, 6, 30, 9), channel="counter",
    )  # fmt: skip
    assert dossier.area_id == territory.district.id


def test_a_receipt_by_someone_outside_the_unit_is_refused_and_changes_nothing(
    territory: Territory, officer_b: User
) -> None:
    with pytest.raises(PermissionDenied) as error:
        services.dossier_receive(
            procedure_code=LAND, unit_code=territory.committee_cam_thanh.code,
            received_at=vietnam(2026, 3, 2, 9), channel="counter", actor=officer_b,
        )  # fmt: skip
    assert error.value.code == "not_member"
    assert (Dossier.objects.count(), DossierEvent.objects.count()) == (0, 0)
    assert (DossierCounter.objects.count(), DossierDailyTally.objects.count()) == (0, 0)


def test_the_ten_thousandth_dossier_of_a_day_has_five_digits(territory: Territory) -> None:
    unit = territory.committee_cam_thanh
    DossierCounter.objects.create(unit=unit, day=datetime.date(2026, 3, 2), last_number=9999)
    dossier = services.dossier_receive(
        procedure_code=LAND, unit_code=unit.code, received_at=vietnam(2026, 3, 2, 9),
        channel="counter",
    )  # fmt: skip
    assert dossier.code == "ubnd-21025-2025-260302-10000"
