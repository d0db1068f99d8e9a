"""The dossier life cycle: codes, appointments, pauses, legs, outcomes, roles, bad input."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import translation

from geoapp.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from procedures import services
from procedures.models import (
    Dossier,
    DossierDailyTally,
    DossierEvent,
    DossierLeg,
    DossierStatus,
)
from tests.conftest import Territory
from tests.procedures.conftest import vietnam
from wards.models import Agency

pytestmark = pytest.mark.usefixtures("catalogue")
LAND = "1.001612"  # 10 working days
COPIES = "2.000815"  # 4 working hours, cut-off 15:00


def receive(
    unit: Agency, at: datetime, procedure: str = LAND, location: Point | None = None
) -> Dossier:
    return services.dossier_receive(
        procedure_code=procedure,
        unit_code=unit.code,
        received_at=at,
        channel="counter",
        location=location,
    )


def test_the_code_is_the_unit_the_date_and_a_daily_sequence(territory: Territory) -> None:
    unit = territory.committee_cam_thanh
    first = receive(unit, vietnam(2026, 3, 5, 9))
    second = receive(unit, vietnam(2026, 3, 5, 10))
    next_day = receive(unit, vietnam(2026, 3, 6, 9))
    assert [first.code, second.code, next_day.code] == [
        "ubnd-21025-2025-260305-0001",
        "ubnd-21025-2025-260305-0002",
        "ubnd-21025-2025-260306-0001",
    ]


def test_a_receipt_after_the_cutoff_counts_from_the_next_working_day(territory: Territory) -> None:
    before = receive(territory.committee_cam_thanh, vietnam(2026, 3, 5, 14), COPIES)
    after = receive(territory.committee_cam_thanh, vietnam(2026, 3, 5, 15, 30), COPIES)
    assert (before.counted_from, before.appointment_at) == (
        vietnam(2026, 3, 5, 14),
        vietnam(2026, 3, 6, 8),
    )
    assert (after.counted_from, after.appointment_at) == (
        vietnam(2026, 3, 6, 7),
        vietnam(2026, 3, 6, 11),
    )


def test_a_supplement_pause_across_tet_2026_pushes_the_appointment_by_the_working_time_paused(
    territory: Territory, officer_a: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 2, 10, 9))
    assert dossier.appointment_at == vietnam(2026, 3, 3, 9)
    services.dossier_act(
        code=dossier.code, action="request_supplement", actor=officer_a, at=vietnam(2026, 2, 11, 9)
    )
    resumed = services.dossier_act(
        code=dossier.code, action="resume", actor=officer_a, at=vietnam(2026, 2, 23, 9)
    )
    # Paused: Wed 11 Feb 6 h, Thu 12 and Fri 13 8 h each, Tết 16-20 Feb none, Mon 23 2 h = 3 days.
    assert resumed.status == DossierStatus.PROCESSING
    assert resumed.appointment_at == vietnam(2026, 3, 6, 9)
    assert resumed.original_appointment_at == vietnam(2026, 3, 3, 9)
    assert list(resumed.pauses.values_list("started_at", "ended_at")) == [
        (vietnam(2026, 2, 11, 9), vietnam(2026, 2, 23, 9))
    ]


def test_a_leg_that_finishes_late_is_late_and_the_dossier_returns_to_its_unit(
    territory: Territory, officer_a: User, officer_b: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 2, 8))
    services.dossier_act(
        code=dossier.code, action="transfer", actor=officer_a, at=vietnam(2026, 3, 3, 8),
        to_unit_code=territory.committee_an_phu.code, leg_days=2,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.dossier_act(code=dossier.code, action="finish_leg", actor=officer_a)
    back = services.dossier_act(
        code=dossier.code, action="finish_leg", actor=officer_b, at=vietnam(2026, 3, 6, 10)
    )
    leg = DossierLeg.objects.get()
    assert (leg.deadline_at, leg.finished_at, leg.outcome) == (
        vietnam(2026, 3, 5, 8), vietnam(2026, 3, 6, 10), "late"
    )  # fmt: skip
    assert (back.status, back.current_unit_id) == ("processing", territory.committee_cam_thanh.id)


def test_a_district_dossier_received_before_the_reform_and_finished_after_it(
    territory: Territory, district_committee: Agency, district_officer: User
) -> None:
    dossier = receive(district_committee, vietnam(2025, 6, 25, 8))
    assert dossier.area_id == territory.district.id
    assert dossier.appointment_at == vietnam(2025, 7, 9, 8)
    ready = services.dossier_act(
        code=dossier.code, action="result_ready", actor=district_officer, at=vietnam(2025, 7, 9, 16)
    )
    assert (ready.outcome, ready.finished_at, ready.working_days) == (
        "on_time", vietnam(2025, 7, 9, 16), 10
    )  # fmt: skip
    tally = DossierDailyTally.objects.order_by("day")
    assert list(
        tally.values_list("day", "received", "finished", "on_time", "working_days_sum")
    ) == [
        (vietnam(2025, 6, 25).date(), 1, 0, 0, 0),
        (vietnam(2025, 7, 9).date(), 0, 1, 1, 10),
    ]


def test_early_and_late_compare_dates_and_an_extension_records_the_apology(
    territory: Territory, officer_a: User
) -> None:
    unit = territory.committee_cam_thanh
    early = receive(unit, vietnam(2026, 3, 2, 8))
    services.dossier_act(code=early.code, action="result_ready", actor=officer_a,
                         at=vietnam(2026, 3, 13, 16))  # fmt: skip
    late = receive(unit, vietnam(2026, 3, 2, 9))
    extended = services.dossier_act(
        code=late.code, action="extend", actor=officer_a, at=vietnam(2026, 3, 16, 8),
        new_appointment_at=vietnam(2026, 3, 20, 17), note="Xin lỗi ông/bà vì chậm trễ.",
    )  # fmt: skip
    assert extended.apology_letter == "Xin lỗi ông/bà vì chậm trễ."
    finished = services.dossier_act(
        code=late.code, action="result_ready", actor=officer_a, at=vietnam(2026, 3, 20, 10)
    )
    assert Dossier.objects.get(code=early.code).outcome == "early"  # due 16 March
    assert finished.outcome == "on_time"
    assert finished.original_appointment_at == vietnam(2026, 3, 16, 9)


def test_returning_a_result_twice_is_refused_and_changes_nothing(
    territory: Territory, officer_a: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 2, 8))
    services.dossier_act(code=dossier.code, action="result_ready", actor=officer_a,
                         at=vietnam(2026, 3, 3, 8))  # fmt: skip
    services.dossier_act(code=dossier.code, action="return_result", actor=officer_a,
                         at=vietnam(2026, 3, 3, 9))  # fmt: skip
    events = DossierEvent.objects.count()
    with translation.override("en"), pytest.raises(Conflict) as error:
        services.dossier_act(code=dossier.code, action="return_result", actor=officer_a)
    assert error.value.code == "not_allowed_in_status"
    assert DossierEvent.objects.count() == events == 3
    assert Dossier.objects.get().status == "result_returned"


def test_resuming_a_dossier_that_is_not_paused_is_refused(
    territory: Territory, officer_a: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 2, 8))
    with pytest.raises(Conflict):
        services.dossier_act(code=dossier.code, action="resume", actor=officer_a)
    assert Dossier.objects.get().status == "received"


def test_a_pause_that_ends_before_it_starts_is_refused(
    territory: Territory, officer_a: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 2, 8))
    services.dossier_act(code=dossier.code, action="request_payment", actor=officer_a,
                         at=vietnam(2026, 3, 3, 8))  # fmt: skip
    with pytest.raises(InvalidInput) as error:
        services.dossier_act(code=dossier.code, action="resume", actor=officer_a,
                             at=vietnam(2026, 3, 2, 9))  # fmt: skip
    assert error.value.message == "Thời điểm tiếp tục phải sau thời điểm tạm dừng."
    assert Dossier.objects.get().status == "payment_requested"


def test_a_unit_that_does_not_hold_the_dossier_cannot_act(
    territory: Territory, officer_b: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 2, 8))
    with pytest.raises(PermissionDenied):
        services.dossier_act(code=dossier.code, action="process", actor=officer_b)
    assert Dossier.objects.get().status == "received"
    assert DossierEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "procedure", "unit", "at", "message"),
    [
        ("vi", "9.999999", None, vietnam(2026, 3, 2, 8), "Không có thủ tục mã 9.999999."),
        ("en", "9.999999", None, vietnam(2026, 3, 2, 8), "There is no procedure 9.999999."),
        ("vi", LAND, "khong-co", vietnam(2026, 3, 2, 8), "Không có đơn vị mã khong-co."),
        ("en", LAND, None, vietnam(2026, 3, 2, 8).replace(tzinfo=None),
         "received_at must carry a time zone offset (such as +07:00)."),
    ],
)  # fmt: skip
def test_bad_receipts_are_refused_in_the_users_language_and_change_nothing(
    territory: Territory,
    language: str,
    procedure: str,
    unit: str | None,
    at: datetime,
    message: str,
) -> None:
    with translation.override(language), pytest.raises((InvalidInput, NotFound)) as error:
        services.dossier_receive(
            procedure_code=procedure, unit_code=unit or territory.committee_cam_thanh.code,
            received_at=at, channel="counter",
        )  # fmt: skip
    assert error.value.message == message
    assert (Dossier.objects.count(), DossierEvent.objects.count()) == (0, 0)
    assert DossierDailyTally.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_get_distinct_codes_without_gaps(territory: Territory) -> None:
    unit = territory.committee_cam_thanh
    codes: list[str] = []
    errors: list[BaseException] = []

    def desk() -> None:
        try:
            for minute in range(5):
                codes.append(receive(unit, vietnam(2026, 3, 5, 9, minute)).code)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes) == [f"ubnd-21025-2025-260305-{n:04d}" for n in range(1, 41)]


def test_a_failed_receipt_gives_its_number_back(territory: Territory) -> None:
    unit = territory.committee_cam_thanh
    receive(unit, vietnam(2026, 3, 5, 9))
    with pytest.raises(InvalidInput):
        receive(unit, vietnam(2026, 3, 5, 9), location=Point(106.70, 10.78, srid=4326))
    assert receive(unit, vietnam(2026, 3, 5, 10)).code.endswith("-0002")
    assert Dossier.objects.count() == 2
