"""Every write to procedures: receiving a dossier and each action of its life cycle.

Each action locks the dossier row (`select_for_update`), checks the state machine of
`procedures.workflow` and the actor's role in the unit that holds the dossier, then moves the
state, writes an event and keeps `DossierDailyTally` in the same transaction, so the statistics
never disagree with the dossiers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Final

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
from wards.selectors import AGENCY_AREA_ON_SQL, PointOutsideTerritory, areas_containing_point

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


def _route_area(*, location: Point, on: datetime.date) -> Area:
    """The area of the place the dossier concerns (without one, the unit's area, which
    _RECEIPT_LOOKUP_SQL reads)."""
    try:
        return areas_containing_point(point=location, on=on)[0]
    except PointOutsideTerritory as error:
        raise InvalidInput(error.message, code="outside_territory") from error


# Everything a receipt reads, in one round trip: the procedure's clock rules, the unit, the area
# it serves on the receipt date (wards.selectors.AGENCY_AREA_ON_SQL) and whether the actor is one
# of its members. A LEFT JOIN each, so an unknown procedure or unit comes back as NULLs and the
# error can name which. (A receipt cost nine round trips; on a loaded machine each is milliseconds.)
_RECEIPT_LOOKUP_SQL: Final = f"""
SELECT p.id, p.time_limit_value, p.time_limit_unit, p.online_time_limit_value, p.cutoff_time,
       g.id, g.code, {AGENCY_AREA_ON_SQL.format(agency="g.id")},
       EXISTS (SELECT 1 FROM wards_agencymembership m
               WHERE m.agency_id = g.id AND m.user_id = %(actor)s)
FROM (SELECT 1) AS one
LEFT JOIN procedures_procedure p ON p.code = %(procedure)s
LEFT JOIN wards_agency g ON g.code = %(unit)s AND g.is_active
"""

# Everything a receipt writes, in one statement, so it is atomic by itself (and joins the
# caller's transaction when there is one, as in the import): the next number of the unit's day
# (the counter row's lock queues concurrent receipts at one unit on one day; the number is
# issued in the statement that uses it, so a receipt that fails gives it back: no gaps, no
# duplicates), the dossier with its code, its first event and its count in the tally.
_RECEIPT_WRITE_SQL: Final = f"""
WITH number AS (
    {_NEXT_NUMBER_SQL.replace("VALUES (%s, %s, 1)", "VALUES (%(unit)s, %(day)s, 1)")}
), dossier AS (
    INSERT INTO procedures_dossier (
        code, external_code, procedure_id, applicant_name, applicant_id_number, applicant_phone,
        applicant_email, applicant_address, location, area_id, receiving_unit_id,
        current_unit_id, current_step, channel, status, received_at, counted_from,
        original_appointment_at, appointment_at, outcome, apology_letter)
    SELECT %(prefix)s || lpad(n.last_number::text, greatest(4, length(n.last_number::text)), '0'),
           %(external_code)s, %(procedure)s, %(name)s, %(id_number)s, %(phone)s, %(email)s,
           %(address)s, ST_GeomFromEWKB(%(location)s), %(area)s, %(unit)s, %(unit)s, 'receive',
           %(channel)s, 'received', %(received_at)s, %(counted_from)s, %(appointment_at)s,
           %(appointment_at)s, '', ''
    FROM number n
    RETURNING id, code
), event AS (
    INSERT INTO procedures_dossierevent
        (dossier_id, actor_id, at, action, from_status, to_status, unit_id, note)
    SELECT id, %(actor)s, %(at)s, 'receive', '', 'received', %(unit)s, '' FROM dossier
), tally AS (
    {
    _TALLY_SQL.replace(
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        "VALUES (%(unit)s, %(area)s, %(procedure)s, %(day)s, 1, %(online)s, 0, 0, 0, 0, 0)",
    )
}
)
SELECT id, code FROM dossier
"""


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
    """Receive a dossier at the desk: issue its code, route it, compute its appointment.

    Two statements (one read, one write); no transaction of its own: the write is one statement.
    """
    if channel not in DossierChannel.values:
        raise InvalidInput(
            _("Kênh nộp không hợp lệ: %(channel)s.") % {"channel": channel}, code="bad_channel"
        )
    require_aware(received_at, field="received_at")
    local = received_at.astimezone(VIETNAM_TIME_ZONE)
    day = local.date()
    actor_id = actor.pk if isinstance(actor, AuthUser) else None
    with connection.cursor() as cursor:
        cursor.execute(
            _RECEIPT_LOOKUP_SQL,
            {"procedure": procedure_code, "unit": unit_code, "on": day, "actor": actor_id},
        )
        row = cursor.fetchone()
    assert row is not None  # FROM (SELECT 1): always one row
    procedure_id, limit, limit_unit, online_limit, cutoff, unit_id, unit, area_id, member = row
    if procedure_id is None:
        # Named in the body of the receipt: bad input (400); procedure_get's 404 is for addresses.
        raise InvalidInput(
            _("Không có thủ tục mã %(code)s.") % {"code": procedure_code}, code="unknown_procedure"
        )
    if unit_id is None:
        raise InvalidInput(
            _("Không có đơn vị mã %(code)s.") % {"code": unit_code}, code="unknown_unit"
        )
    if actor is not None and not (actor.is_authenticated and member):
        raise PermissionDenied(_("Bạn không thuộc đơn vị tiếp nhận này."), code="not_member")
    if location is not None:
        area_id = _route_area(location=location, on=day).id
        if location.srid is None:  # as the model field takes it: in the field's SRID
            location = Point(location.x, location.y, srid=4326)
        elif location.srid != 4326:
            transformed = location.transform(4326, clone=True)
            assert isinstance(transformed, Point)
            location = transformed
    value = online_limit if channel == DossierChannel.ONLINE and online_limit is not None else limit
    appointment = workflow.appointment_compute(
        calendar or working_calendar(), received_at=received_at, cutoff=cutoff, value=value,
        unit=limit_unit,
    )  # fmt: skip
    applicant = applicant or {}
    fields: dict[str, Any] = {
        "external_code": external_code,
        "applicant_name": applicant.get("name", ""),
        "applicant_id_number": applicant.get("id_number", ""),
        "applicant_phone": applicant.get("phone", ""),
        "applicant_email": applicant.get("email", ""),
        "applicant_address": applicant.get("address", ""),
        "channel": channel,
        "received_at": appointment.received_at,
        "counted_from": appointment.counted_from,
        "original_appointment_at": appointment.appointment_at,
        "appointment_at": appointment.appointment_at,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _RECEIPT_WRITE_SQL,
            {
                **{key.removeprefix("applicant_"): value for key, value in fields.items()},
                "prefix": f"{unit}-{local:%y%m%d}-", "procedure": procedure_id, "unit": unit_id,
                "area": area_id, "day": day, "online": int(channel == DossierChannel.ONLINE),
                "location": None if location is None else bytes(location.ewkb),
                "actor": actor_id, "at": received_at,
            },
        )  # fmt: skip
        written = cursor.fetchone()
    assert written is not None  # INSERT … SELECT FROM number: the counter always gives one row
    dossier_id, code = written
    # The dossier as the statement wrote it, without reading it back.
    dossier = Dossier(
        id=dossier_id, code=str(code), procedure_id=procedure_id, location=location,
        area_id=area_id,
        receiving_unit_id=unit_id, current_unit_id=unit_id, status=DossierStatus.RECEIVED,
        **fields,
    )  # fmt: skip
    dossier._state.adding = False
    dossier._state.db = connection.alias
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
