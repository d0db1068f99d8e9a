"""Writes to the platform's shared data: the days the government adds to or removes from work."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from geoapp.models import CALENDAR_DAY_NOTE_MAX_LENGTH, CalendarDay, CalendarDayKind
from geoapp.selectors import working_calendar_cache_clear

NOTE_MAX_LENGTH = CALENDAR_DAY_NOTE_MAX_LENGTH


@transaction.atomic
def calendar_day_set(*, day: date, kind: CalendarDayKind | str, note: str = "") -> CalendarDay:
    """Declare `day` an extra day off or a make-up working day, replacing any earlier declaration."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise InvalidInput(_("Ngày phải là một ngày, không kèm giờ."), code="invalid_calendar_day")
    if kind not in CalendarDayKind.values:
        raise InvalidInput(
            _("Loại ngày “%(kind)s” không hợp lệ; chọn ngày nghỉ hoặc ngày làm bù.")
            % {"kind": kind},
            code="invalid_calendar_day_kind",
        )
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            _("Ghi chú dài tối đa %(limit)d ký tự.") % {"limit": NOTE_MAX_LENGTH},
            code="calendar_day_note_too_long",
        )
    # update_or_create locks an existing row and retries on the unique day if two administrators
    # declare the same new day at once, so the last declaration wins instead of failing.
    calendar_day, _created = CalendarDay.objects.update_or_create(
        day=day, defaults={"kind": kind, "note": note}
    )
    # After commit only: clearing earlier would let a concurrent reader cache the old rows again
    # for five minutes, and a rolled-back change must not reach the cache at all.
    transaction.on_commit(working_calendar_cache_clear)
    return calendar_day


@transaction.atomic
def calendar_day_remove(*, day: date) -> None:
    """Return `day` to the national rules; removing a day that was never declared does nothing."""
    deleted, _by_model = CalendarDay.objects.filter(day=day).delete()
    if deleted:
        transaction.on_commit(working_calendar_cache_clear)
