"""Demo data for procedures: the catalogue and about two thousand dossiers from 2024 to 2026.

Dossiers lie on both sides of 1 July 2025 (received by the committees that existed on their
date), in every status, some with liên thông legs, some late with an apology. Every dossier goes
through the same services as the desk, so codes, appointments and the tally are the real ones.
Idempotent: nothing is loaded when dossiers exist.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from geoapp.clock import VIETNAM_TIME_ZONE, vietnam_now
from geoapp.selectors import working_calendar
from procedures import services
from procedures.catalogue import catalogue_rows
from procedures.models import Dossier, Procedure
from wards.models import Agency, AgencyKind

DOSSIER_COUNT = 2000
FIRST_DAY = datetime.date(2024, 1, 2)


def catalogue_load() -> int:
    created = 0
    for row in catalogue_rows():
        code = row.pop("code")
        _procedure, was_created = Procedure.objects.update_or_create(code=code, defaults=row)
        created += int(was_created)
    return created


def _committees_on(day: datetime.date) -> list[str]:
    return list(
        Agency.objects.filter(
            kind=AgencyKind.PEOPLES_COMMITTEE, is_active=True, jurisdiction__valid_from__lte=day
        )
        .exclude(jurisdiction__valid_to__lt=day)
        .values_list("code", flat=True)
        .distinct()
    )


@transaction.atomic
def demo_dossiers_load(count: int = DOSSIER_COUNT) -> int:
    """Load the catalogue and, when no dossier exists, `count` demo dossiers; return how many."""
    catalogue_load()
    if Dossier.objects.exists():
        return 0
    generator = random.Random(11)  # the same demo on every machine
    calendar = working_calendar()
    procedures = list(Procedure.objects.filter(level="commune").values_list("code", flat=True))
    today = vietnam_now().date()
    span = (today - FIRST_DAY).days
    committees: dict[tuple[int, int], list[str]] = {}
    loaded = 0
    for _index in range(count):
        day = FIRST_DAY + datetime.timedelta(days=generator.randrange(span))
        if not calendar.is_working_day(day):
            continue
        units = committees.setdefault((day.year, day.month * 100 + day.day), _committees_on(day))
        if not units:
            continue
        received_at = datetime.datetime.combine(
            day, datetime.time(7 + generator.randrange(9), generator.randrange(60)),
            VIETNAM_TIME_ZONE,
        )  # fmt: skip
        dossier = services.dossier_receive(
            procedure_code=generator.choice(procedures),
            unit_code=generator.choice(units),
            received_at=received_at,
            channel=generator.choice(["online", "online", "counter", "counter", "post"]),
            applicant={"name": "Người nộp mẫu", "phone": "0900000000"},
            calendar=calendar,
        )
        loaded += 1
        _advance(dossier, generator, units, today)
    return loaded


def _advance(
    dossier: Dossier, generator: random.Random, units: list[str], today: datetime.date
) -> None:
    """Move a demo dossier along its life cycle by a chosen fate."""
    fate = generator.random()
    start = dossier.counted_from
    act = services.dossier_act

    def at(hours: float) -> datetime.datetime:
        return start + datetime.timedelta(hours=hours)

    if at(400).date() > today:
        if fate < 0.3:
            act(code=dossier.code, action="request_supplement", actor=None, at=at(2))
        return
    if fate < 0.03:
        act(code=dossier.code, action="refuse", actor=None, at=at(1), note="Hồ sơ không đủ")
        return
    if fate < 0.05:
        act(code=dossier.code, action="withdraw", actor=None, at=at(20))
        return
    act(code=dossier.code, action="process", actor=None, at=at(1))
    if fate < 0.2 and len(units) > 1:
        other = generator.choice([unit for unit in units if unit != dossier.current_unit.code])
        act(code=dossier.code, action="transfer", actor=None, at=at(2), to_unit_code=other,
            leg_days=2)  # fmt: skip
        act(
            code=dossier.code,
            action="finish_leg",
            actor=None,
            at=at(24 * generator.randrange(1, 5)),
        )
    elif fate < 0.3:
        act(code=dossier.code, action="request_supplement", actor=None, at=at(3))
        act(code=dossier.code, action="resume", actor=None, at=at(72))
    finish_hours = (dossier.appointment_at - start).total_seconds() / 3600
    late = fate > 0.9
    if late:
        act(
            code=dossier.code, action="extend", actor=None, at=at(finish_hours - 1),
            new_appointment_at=dossier.appointment_at + datetime.timedelta(days=7),
            note="Thành thật xin lỗi ông/bà vì hồ sơ chậm so với ngày hẹn.",
        )  # fmt: skip
    finished = at(finish_hours * generator.uniform(0.3, 1.6 if late else 0.95))
    act(
        code=dossier.code,
        action="result_ready",
        actor=None,
        at=max(finished, at(100) if late else finished),
    )
    if fate < 0.85:
        act(code=dossier.code, action="return_result", actor=None,
            at=max(finished, at(100) if late else finished) + datetime.timedelta(hours=2))  # fmt: skip
