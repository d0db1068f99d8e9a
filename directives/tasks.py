"""Celery tasks of directives: thin interfaces over the services.

`directives.send_reminders` is in CELERY_BEAT_SCHEDULE (geoapp/settings/base.py), hourly; the
messages it plans are sent by the notifications app's own tasks.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from directives import reminders


@shared_task(name="directives.send_reminders", ignore_result=True)
def directives_send_reminders() -> int:
    """Plan the reminders, overdue notices and digests due now, each once."""
    return len(reminders.directives_send_reminders(now=timezone.now()).planned)
