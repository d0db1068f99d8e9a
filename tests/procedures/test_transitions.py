"""The closing transitions (refuse at intake, withdraw, stop) with exact outcomes, and every
refusal of the life cycle in English with nothing changed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from geoapp.exceptions import DomainError
from procedures import selectors, services
from procedures.models import Dossier, DossierDailyTally, DossierEvent, DossierLeg, DossierPause
from tests.conftest import Territory
from tests.procedures.conftest import vietnam
from wards.models import Agency

pytestmark = pytest.mark.usefixtures("catalogue")
LAND = "1.001612"  # 10 working days


def receive(unit: Agency, at: datetime.datetime) -> Dossier:
    return services.dossier_receive(
        procedure_code=LAND, unit_code=unit.code, received_at=at, channel="counter"
    )


def test_refused_withdrawn_and_stopped_dossiers_close_without_a_finish(
    territory: Territory, officer_a: User
) -> None:
    unit = territory.committee_cam_thanh
    refused, withdrawn, stopped = (receive(unit, vietnam(2026, 3, 2, 8, n)) for n in range(3))
    act = services.dossier_act
    act(code=refused.code, action="refuse", actor=officer_a, at=vietnam(2026, 3, 2, 9),
        note="Thiếu giấy tờ")  # fmt: skip
    act(code=withdrawn.code, action="process", actor=officer_a, at=vietnam(2026, 3, 3, 8))
    act(code=withdrawn.code, action="withdraw", actor=officer_a, at=vietnam(2026, 3, 4, 8))
    act(code=stopped.code, action="request_supplement", actor=officer_a, at=vietnam(2026, 3, 3, 8))
    act(code=stopped.code, action="stop", actor=officer_a, at=vietnam(2026, 3, 5, 8))
    assert list(Dossier.objects.order_by("code").values_list(
        "status", "finished_at", "outcome", "working_days"
    )) == [
        ("refused", None, "", None), ("withdrawn", None, "", None), ("stopped", None, "", None)
    ]  # fmt: skip
    assert list(
        DossierEvent.objects.exclude(action="receive")
        .order_by("at", "id")
        .values_list("dossier__code", "action", "from_status", "to_status", "note")
    ) == [
        (refused.code, "refuse", "received", "refused", "Thiếu giấy tờ"),
        (withdrawn.code, "process", "received", "processing", ""),
        (stopped.code, "request_supplement", "received", "supplement_requested", ""),
        (withdrawn.code, "withdraw", "processing", "withdrawn", ""),
        (stopped.code, "stop", "supplement_requested", "stopped", ""),
    ]
    # Received, never finished, no longer in progress: counted as received only.
    assert list(DossierDailyTally.objects.values_list("received", "finished")) == [(3, 0)]
    (row,) = selectors.dossier_statistics(
        date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 3, 31), group_by="unit"
    )
    assert (row["received"], row["finished"], row["in_progress_within"],
            row["in_progress_overdue"], row["paused"]) == (3, 0, 0, 0, 0)  # fmt: skip
    assert row["on_time_rate"] == {"numerator": 0, "denominator": 0, "value": None}
    assert selectors.unit_queue(unit_ids=[unit.id]) == []


def _transferred(dossier: Dossier, officer: User, territory: Territory) -> None:
    services.dossier_act(
        code=dossier.code, action="transfer", actor=officer, at=vietnam(2026, 3, 3, 8),
        to_unit_code=territory.committee_an_phu.code, leg_days=2,
    )  # fmt: skip


REFUSALS: list[tuple[str, str, dict[str, Any], str]] = [
    ("", "return_result", {}, "Cannot return the result of a dossier whose status is “In progress”."),
    ("", "resume", {}, "Cannot resume a dossier whose status is “In progress”."),
    ("refuse", "process", {}, "Cannot process a dossier whose status is “Refused at intake”."),
    ("", "fly", {}, "Unknown action: fly."),
    ("", "transfer", {"to_unit_code": "ubnd-21034-2025"},
     "A transfer needs the receiving unit and the working days of the leg."),
    ("", "transfer", {"to_unit_code": "ubnd-21025-2025", "leg_days": 2},
     "A dossier cannot be transferred to the unit that holds it."),
    ("", "transfer", {"to_unit_code": "khong-co", "leg_days": 2}, "There is no unit khong-co."),
    ("", "extend", {"new_appointment_at": vietnam(2026, 3, 20, 8)},
     "An extension needs a new appointment date and an apology letter."),
    ("", "extend", {"new_appointment_at": vietnam(2026, 3, 5, 8), "note": "Xin lỗi"},
     "The new appointment must be later than the current one."),
    ("supplement", "resume", {"at": vietnam(2026, 3, 2, 9)},
     "The clock cannot resume before it was paused."),
    ("other unit", "request_supplement", {}, "Your unit does not hold this dossier."),
]  # fmt: skip


def _state() -> tuple[object, ...]:
    return (
        list(Dossier.objects.values_list("status", "current_unit_id", "appointment_at",
                                         "paused_since", "apology_letter")),
        DossierEvent.objects.count(), DossierLeg.objects.count(), DossierPause.objects.count(),
        list(DossierDailyTally.objects.values_list("received", "finished")),
    )  # fmt: skip


@pytest.mark.parametrize(("before", "action", "arguments", "message"), REFUSALS)
def test_every_refusal_is_in_english_and_changes_nothing(
    territory: Territory, officer_a: User, officer_b: User, before: str, action: str,
    arguments: dict[str, Any], message: str,
) -> None:  # fmt: skip
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 2, 8))
    if before == "refuse":
        services.dossier_act(code=dossier.code, action="refuse", actor=officer_a)
    else:
        services.dossier_act(code=dossier.code, action="process", actor=officer_a,
                             at=vietnam(2026, 3, 2, 9))  # fmt: skip
    if before == "supplement":
        services.dossier_act(code=dossier.code, action="request_supplement", actor=officer_a,
                             at=vietnam(2026, 3, 3, 8))  # fmt: skip
    actor = officer_b if before == "other unit" else officer_a
    state = _state()
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.dossier_act(code=dossier.code, action=action, actor=actor, **arguments)
    assert error.value.message == message
    assert _state() == state


def test_a_leg_never_sent_and_an_unknown_dossier_are_refused_in_english(
    territory: Territory, officer_a: User
) -> None:
    dossier = receive(territory.committee_cam_thanh, vietnam(2026, 3, 2, 8))
    state = _state()
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.dossier_act(code=dossier.code, action="finish_leg", actor=officer_a)
    assert error.value.message == (
        "Cannot finish the transfer of a dossier whose status is “Received”."
    )
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.dossier_act(code="ubnd-x-260302-0001", action="process", actor=officer_a)
    assert error.value.message == "There is no dossier ubnd-x-260302-0001."
    assert _state() == state
