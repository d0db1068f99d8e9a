"""The government's clock: dates and moments in Vietnam, whatever zone the server runs in."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

VIETNAM_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_now() -> datetime.datetime:
    return timezone.now().astimezone(VIETNAM_TIME_ZONE)


def vietnam_today() -> datetime.date:
    return vietnam_now().date()


def start_of_vietnam_day(day: datetime.date) -> datetime.datetime:
    """Midnight in Vietnam at the start of `day`."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=VIETNAM_TIME_ZONE)
