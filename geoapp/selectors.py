"""Reads of the platform's shared data: the working-day calendar as the deployment configured it."""

from __future__ import annotations

import functools
import logging
from datetime import date
from time import monotonic
from typing import Final

from django.core.cache import cache

from geoapp.models import CalendarDay, CalendarDayKind
from geoapp.working_calendar import WorkingCalendar

logger = logging.getLogger(__name__)

# The version in the key changes whenever the cached value changes shape, so that a deployment
# never reads what an older release wrote.
WORKING_CALENDAR_CACHE_KEY: Final = "geoapp:working_calendar:v1"
WORKING_CALENDAR_CACHE_SECONDS: Final = 5 * 60

# In front of the shared cache, each process keeps the configuration it last read for this
# long: a Redis round trip for every deadline cost more than the deadline itself (filing a
# report computes two). This is the staleness bound of a change: the process that makes it
# clears its own copy at once, every other process sees it within this many seconds.
WORKING_CALENDAR_PROCESS_SECONDS: Final = 5.0

# (extra days off, make-up working days), each sorted: small, picklable and hashable.
CalendarConfiguration = tuple[tuple[date, ...], tuple[date, ...]]

# (monotonic moment it expires, configuration); replaced whole, so threads never see half of it.
_process_copy: tuple[float, CalendarConfiguration] | None = None


def working_calendar() -> WorkingCalendar:
    """The working-day calendar: national holidays plus the `CalendarDay` rows.

    The rows are cached for five minutes in the shared cache, and for
    WORKING_CALENDAR_PROCESS_SECONDS in each process; services clear both when they change
    them. The caches hold the configuration rather than the calendar itself so that every
    process keeps one calendar per configuration, with its year tables already built, instead of
    unpickling a cold copy on every deadline it computes.
    """
    global _process_copy
    now = monotonic()
    copy = _process_copy
    if copy is not None and now < copy[0]:
        return _calendar_for(copy[1])
    configuration = _cached_configuration()
    if configuration is None:
        configuration = _configuration_from_database()
        _cache_configuration(configuration)
    _process_copy = (now + WORKING_CALENDAR_PROCESS_SECONDS, configuration)
    return _calendar_for(configuration)


def working_calendar_cache_clear() -> None:
    """Forget the cached configuration, so the next `working_calendar()` reads the rows again.

    Other processes' own copies expire within WORKING_CALENDAR_PROCESS_SECONDS.
    """
    global _process_copy
    _process_copy = None
    try:
        cache.delete(WORKING_CALENDAR_CACHE_KEY)
    except Exception:
        # Runs after commit, where raising would report a failure for a change that was saved;
        # the stale entry expires on its own within WORKING_CALENDAR_CACHE_SECONDS.
        logger.exception("could not clear the cached working calendar")


def _cached_configuration() -> CalendarConfiguration | None:
    try:
        cached: CalendarConfiguration | None = cache.get(WORKING_CALENDAR_CACHE_KEY)
    except Exception:
        # Deadlines are computed while a report is created, and a report must be saved even when
        # the cache server is down; the database has the answer, only slower.
        logger.warning("working calendar cache unavailable, reading the database", exc_info=True)
        return None
    return cached


def _cache_configuration(configuration: CalendarConfiguration) -> None:
    try:
        cache.set(WORKING_CALENDAR_CACHE_KEY, configuration, WORKING_CALENDAR_CACHE_SECONDS)
    except Exception:
        logger.warning("could not cache the working calendar", exc_info=True)


def _configuration_from_database() -> CalendarConfiguration:
    rows = list(CalendarDay.objects.order_by("day").values_list("day", "kind"))
    extra_days_off = tuple(day for day, kind in rows if kind == CalendarDayKind.DAY_OFF)
    makeup_working_days = tuple(day for day, kind in rows if kind == CalendarDayKind.WORKING_DAY)
    return extra_days_off, makeup_working_days


@functools.lru_cache(maxsize=8)
def _calendar_for(configuration: CalendarConfiguration) -> WorkingCalendar:
    extra_days_off, makeup_working_days = configuration
    return WorkingCalendar(extra_days_off=extra_days_off, makeup_working_days=makeup_working_days)
