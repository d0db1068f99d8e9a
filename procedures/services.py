"""Every write to procedures: receiving a dossier and each action of its life cycle.

Each action locks the dossier row (`select_for_update`), checks the state machine of
`procedures.workflow` and the actor's role in the unit that holds the dossier, then moves the
state, writes an event and keeps `DossierDailyTally` in the same transaction, so the statistics
never disagree with the dossiers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geoapp.clock import VIETNAM_TIME_ZONE, vietnam_now
from geoapp.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from geoapp.selectors import working_calendar
from geoapp.working_calendar import WorkingCalendar
from procedures import workflow
from procedures.models import (
    Dossier,
    DossierChannel,
    DossierEvent,
    DossierLeg,
    DossierPause,
    DossierStatus,
    PauseKind,
    Procedure,
)
from wards.models import Agency, AgencyMembership, Area
from wards.selectors import PointOutsideTerritory, agency_area_on, areas_containing_point

User = AbstractBaseUser | AnonymousUser

# One statement issues the next number: the upsert takes the counter row's lock, so concurrent
# receipts at one unit on one day queue on it; the number is issued inside the receiving
# transaction, so a receipt that fails gives its number back and the sequence has no gaps.
_NEXT_NUMBER_SQL = """
INSERT INTO procedures_dossiercounter (unit_id, day, last_number) VALUES (%s, %s, 1)
ON CONFLICT (unit_id, day)
DO UPDATE SET last_number = procedures_dossiercounter.last_number + 1
RETURNING last_number
"""

# The roll-up the statistics read, in one statement per change (see models.DossierDailyTally).
_TALLY_SQL = """
INSERT INTO procedures_dossierdailytally AS tally
    (unit_id, area_id, procedure_id, day, received, received_online, finished, early, on_time,
     late, working_days_sum)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (unit_id, area_id, procedure_id, day) DO UPDATE SET
    received = tally.received + EXCLUDED.received,
    received_online = tally.received_online + EXCLUDED.received_online,
    finished = tally.finished + EXCLUDED.finished,
    early = tally.early + EXCLUDED.early,
    on_time = tally.on_time + EXCLUDED.on_time,
    late = tally.late + EXCLUDED.late,
    working_days_sum = tally.working_days_sum + EXCLUDED.working_days_sum
"""


def require_aware(moment: datetime.datetime, *, field: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(
            _("%(field)s phải có múi giờ (ví dụ +07:00).") % {"field": field}, code="no_offset"
        )
    return moment


def procedure_get(*, code: str) -> Procedure:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise NotFound(
            _("Không có thủ tục mã %(code)s.") % {"code": code}, code="unknown_procedure"
        )
    return procedure


def _unit(code: str) -> Agency:
    # Named in a request's body, not its address: an unknown code is bad input (400), not 404.
    unit = Agency.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise InvalidInput(_("Không có đơn vị mã %(code)s.") % {"code": code}, code="unknown_unit")
    return unit


def appointment_for(
    *,
    procedure: Procedure,
    received_at: datetime.datetime,
    channel: str,
    calendar: WorkingCalendar | None = None,
) -> workflow.Appointment:
    require_aware(received_at, field="received_at")
    online_limit = procedure.online_time_limit_value
    value = (
        online_limit
        if channel == DossierChannel.ONLINE and online_limit is not None
        else procedure.time_limit_value
    )
    return workflow.appointment_compute(
        calendar or working_calendar(),
        received_at=received_at,
        cutoff=procedure.cutoff_time,
        value=value if isinstance(value, Decimal) else Decimal(value),
        unit=procedure.time_limit_unit,
    )


def _tally(
    *,
    dossier: Dossier,
    day: datetime.date,
    received: int = 0,
    online: int = 0,
    finished: int = 0,
    outcome: str = "",
    working_days: int = 0,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _TALLY_SQL,
            [
                dossier.receiving_unit_id, dossier.area_id, dossier.procedure_id, day,
                received, online, finished,
                int(outcome == "early"), int(outcome == "on_time"), int(outcome == "late"),
                working_days,
            ],
        )  # fmt: skip


def _event(
    dossier: Dossier, *, actor: User | None, at: datetime.datetime, action: str,
    from_status: str, note: str = "", unit_id: int | None = None,
) -> None:  # fmt: skip
    DossierEvent.objects.create(
        dossier=dossier,
        actor=actor if isinstance(actor, AuthUser) else None,
        at=at, action=action, from_status=from_status, to_status=dossier.status,
        unit_id=unit_id or dossier.current_unit_id, note=note,
    )  # fmt: skip


def _route_area(*, location: Point | None, unit: Agency, on: datetime.date) -> Area | None:
    if location is not None:
        try:
            return areas_containing_point(point=location, on=on)[0]
        except PointOutsideTerritory as error:
            raise InvalidInput(error.message, code="outside_territory") from error
    return agency_area_on(agency_id=unit.id, on=on)


@transaction.atomic
def dossier_receive(
    *,
    procedure_code: str,
    unit_code: str,
    received_at: datetime.datetime,
    channel: str,
    actor: User | None = None,
    applicant: dict[str, str] | None = None,
    location: Point | None = None,
    external_code: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> Dossier:
    """Receive a dossier at the desk: issue its code, route it, compute its appointment."""
    if channel not in DossierChannel.values:
        raise InvalidInput(
            _("Kênh nộp không hợp lệ: %(channel)s.") % {"channel": channel}, code="bad_channel"
        )
    require_aware(received_at, field="received_at")
    procedure = Procedure.objects.filter(code=procedure_code).first()
    if procedure is None:
        # Named in the body of the receipt: bad input (400); procedure_get's 404 is for addresses.
        raise InvalidInput(
            _("Không có thủ tục mã %(code)s.") % {"code": procedure_code}, code="unknown_procedure"
        )
    unit = _unit(unit_code)
    local = received_at.astimezone(VIETNAM_TIME_ZONE)
    if actor is not None and not _member(actor, unit.id):
        raise PermissionDenied(_("Bạn không thuộc đơn vị tiếp nhận này."), code="not_member")
    area = _route_area(location=location, unit=unit, on=local.date())
    appointment = appointment_for(
        procedure=procedure, received_at=received_at, channel=channel, calendar=calendar
    )
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER_SQL, [unit.id, local.date()])
        (number,) = cursor.fetchone() or (0,)
    applicant = applicant or {}
    dossier = Dossier.objects.create(
        code=f"{unit.code}-{local:%y%m%d}-{number:04d}",
        external_code=external_code,
        procedure=procedure,
        applicant_name=applicant.get("name", ""),
        applicant_id_number=applicant.get("id_number", ""),
        applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""),
        applicant_address=applicant.get("address", ""),
        location=location,
        area=area,
        receiving_unit=unit,
        current_unit=unit,
        channel=channel,
        status=DossierStatus.RECEIVED,
        received_at=appointment.received_at,
        counted_from=appointment.counted_from,
        original_appointment_at=appointment.appointment_at,
        appointment_at=appointment.appointment_at,
    )
    _event(dossier, actor=actor, at=received_at, action="receive", from_status="")
    _tally(
        dossier=dossier, day=local.date(), received=1,
        online=int(channel == DossierChannel.ONLINE),
    )  # fmt: skip
    return dossier


def _member(actor: User, unit_id: int) -> bool:
    if not actor.is_authenticated:
        return False
    return AgencyMembership.objects.filter(user_id=actor.pk, agency_id=unit_id).exists()


def _locked(code: str) -> Dossier:
    dossier = Dossier.objects.select_for_update().filter(code=code).first()
    if dossier is None:
        raise NotFound(_("Không có hồ sơ mã %(code)s.") % {"code": code}, code="unknown_dossier")
    return dossier


def _check(dossier: Dossier, action: str, actor: User | None) -> str:
    sources, target = workflow.TRANSITIONS[action]
    if dossier.status not in sources:
        raise Conflict(
            _("Không thể %(action)s hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": dossier.get_status_display()},
            code="not_allowed_in_status",
        )
    if actor is not None and not _member(actor, dossier.current_unit_id):
        raise PermissionDenied(
            _("Đơn vị của bạn không giữ hồ sơ này."), code="unit_does_not_hold_dossier"
        )
    return target


ACTION_LABELS = {
    "process": gettext_lazy("xử lý"),
    "transfer": gettext_lazy("chuyển liên thông"),
    "finish_leg": gettext_lazy("hoàn thành liên thông"),
    "request_supplement": gettext_lazy("yêu cầu bổ sung"),
    "request_payment": gettext_lazy("yêu cầu thanh toán"),
    "resume": gettext_lazy("tiếp tục xử lý"),
    "extend": gettext_lazy("gia hạn"),
    "result_ready": gettext_lazy("ghi nhận kết quả"),
    "return_result": gettext_lazy("trả kết quả"),
    "refuse": gettext_lazy("từ chối"),
    "withdraw": gettext_lazy("rút"),
    "stop": gettext_lazy("dừng xử lý"),
}


def finish_tally(dossier: Dossier, at: datetime.datetime, calendar: WorkingCalendar) -> None:
    """Finish `dossier` at `at`: its outcome, and its count in the tally (the caller saves)."""
    dossier.finished_at = at
    dossier.outcome = workflow.outcome_of(at, dossier.appointment_at)
    _tally_finish(dossier, calendar, sign=1)


def finish_untally(dossier: Dossier, calendar: WorkingCalendar | None = None) -> None:
    """Take a finished dossier's count back out of the tally (an import that rewrites it)."""
    _tally_finish(dossier, calendar or working_calendar(), sign=-1)


# Taking a count back is an UPDATE of the row that holds it: PostgreSQL checks the columns'
# CHECK (>= 0) on the proposed row of an INSERT ... ON CONFLICT before it sees the conflict.
_UNTALLY_SQL = """
UPDATE procedures_dossierdailytally SET
    finished = finished - 1, early = early - %s, on_time = on_time - %s, late = late - %s,
    working_days_sum = working_days_sum - %s
WHERE unit_id = %s AND area_id IS NOT DISTINCT FROM %s AND procedure_id = %s AND day = %s
"""


def _tally_finish(dossier: Dossier, calendar: WorkingCalendar, *, sign: int) -> None:
    assert dossier.finished_at is not None
    local_finish = dossier.finished_at.astimezone(VIETNAM_TIME_ZONE)
    local_start = dossier.counted_from.astimezone(VIETNAM_TIME_ZONE)
    days = calendar.working_days_between(local_start.date(), local_finish.date())
    dossier.working_days = days if sign > 0 else None
    early, on_time, late = (int(dossier.outcome == kind) for kind in ("early", "on_time", "late"))
    with connection.cursor() as cursor:
        if sign < 0:
            cursor.execute(
                _UNTALLY_SQL,
                [early, on_time, late, days, dossier.receiving_unit_id, dossier.area_id,
                 dossier.procedure_id, local_finish.date()],
            )  # fmt: skip
            return
        cursor.execute(
            _TALLY_SQL,
            [dossier.receiving_unit_id, dossier.area_id, dossier.procedure_id,
             local_finish.date(), 0, 0, 1, early, on_time, late, days],
        )  # fmt: skip


@transaction.atomic
def dossier_act(
    *,
    code: str,
    action: str,
    actor: User | None,
    at: datetime.datetime | None = None,
    note: str = "",
    to_unit_code: str | None = None,
    leg_days: int | None = None,
    new_appointment_at: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> Dossier:
    """Apply one action of the life cycle (workflow.TRANSITIONS) to the dossier `code`."""
    if action not in workflow.TRANSITIONS:
        raise InvalidInput(_("Thao tác không hợp lệ: %(a)s.") % {"a": action}, code="bad_action")
    at = require_aware(at, field="at") if at is not None else vietnam_now()
    calendar = calendar or working_calendar()
    dossier = _locked(code)
    target = _check(dossier, action, actor)
    previous = dossier.status
    acting_unit = dossier.current_unit_id
    changes: dict[str, Any] = {}
    if action == "transfer":
        if to_unit_code is None or not leg_days or leg_days < 1:
            raise InvalidInput(
                _("Cần đơn vị nhận và số ngày làm việc của bước liên thông."), code="bad_leg"
            )
        to_unit = _unit(to_unit_code)
        if to_unit.id == dossier.current_unit_id:
            raise InvalidInput(
                _("Không thể chuyển cho chính đơn vị đang giữ hồ sơ."), code="same_unit"
            )
        DossierLeg.objects.create(
            dossier=dossier, unit=to_unit, from_unit_id=dossier.current_unit_id, sent_at=at,
            deadline_at=calendar.add_working_days(at, leg_days), note=note,
        )  # fmt: skip
        changes["current_unit"] = to_unit
    elif action == "finish_leg":
        leg = dossier.legs.filter(finished_at__isnull=True).order_by("-sent_at").first()
        if leg is None:
            raise Conflict(_("Hồ sơ không có bước liên thông đang mở."), code="no_open_leg")
        leg.finished_at = at
        leg.outcome = workflow.outcome_of(at, leg.deadline_at)
        leg.save(update_fields=["finished_at", "outcome"])
        changes["current_unit_id"] = leg.from_unit_id
    elif action in ("request_supplement", "request_payment"):
        kind = PauseKind.SUPPLEMENT if action == "request_supplement" else PauseKind.PAYMENT
        pauses = (
            dossier.procedure.supplement_pauses_clock
            if kind == PauseKind.SUPPLEMENT
            else dossier.procedure.payment_pauses_clock
        )
        if pauses:
            DossierPause.objects.create(dossier=dossier, kind=kind, started_at=at)
            changes["paused_since"] = at
    elif action == "resume":
        if dossier.paused_since is not None:
            if at < dossier.paused_since:
                raise InvalidInput(
                    _("Thời điểm tiếp tục phải sau thời điểm tạm dừng."),
                    code="pause_ends_before_start",
                )
            # The appointment moves by the working time the clock stood still.
            paused = calendar.working_time_between(dossier.paused_since, at)
            DossierPause.objects.filter(dossier=dossier, ended_at__isnull=True).update(ended_at=at)
            changes["appointment_at"] = calendar.add_working_time(dossier.appointment_at, paused)
            changes["paused_since"] = None
    elif action == "extend":
        if new_appointment_at is None or not note.strip():
            raise InvalidInput(
                _("Gia hạn cần ngày hẹn mới và thư xin lỗi."), code="extension_needs_apology"
            )
        require_aware(new_appointment_at, field="new_appointment_at")
        if new_appointment_at <= dossier.appointment_at:
            raise InvalidInput(_("Ngày hẹn mới phải sau ngày hẹn cũ."), code="extension_earlier")
        changes["appointment_at"] = new_appointment_at
        changes["apology_letter"] = note
        target = dossier.status
    elif action == "result_ready" and dossier.legs.filter(finished_at__isnull=True).exists():
        raise Conflict(_("Còn bước liên thông chưa hoàn thành."), code="open_leg")
    for field, value in changes.items():
        setattr(dossier, field, value)
    dossier.status = target
    if action == "result_ready":
        finish_tally(dossier, at, calendar)
    dossier.save()
    _event(dossier, actor=actor, at=at, action=action, from_status=previous, note=note,
           unit_id=acting_unit)  # fmt: skip
    return dossier


def procedure_create(**fields: Any) -> Procedure:
    procedure = Procedure(**fields)
    procedure.full_clean()
    procedure.save()
    return procedure


def require_staff_view(*, actor: User, dossier: Dossier) -> None:
    """Staff see a dossier (and its applicant) when their unit received, holds or had a leg of
    it; leaders and administrators (groups) see every dossier."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Bạn không có quyền xem hồ sơ này."), code="not_allowed")
    if getattr(actor, "is_superuser", False) or (
        isinstance(actor, AuthUser)
        and actor.groups.filter(name__in=["Lãnh đạo", "Quản trị viên"]).exists()
    ):
        return
    units = {dossier.receiving_unit_id, dossier.current_unit_id}
    units |= set(dossier.legs.values_list("unit_id", flat=True))
    if not AgencyMembership.objects.filter(user_id=actor.pk, agency_id__in=units).exists():
        raise PermissionDenied(_("Bạn không có quyền xem hồ sơ này."), code="not_allowed")
