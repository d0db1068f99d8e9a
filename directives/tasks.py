"""Celery tasks of directives: thin interfaces over the services.

`directives.send_reminders` and `directives.create_occurrences` are in CELERY_BEAT_SCHEDULE
(geoapp/settings/base.py), hourly; the messages the first plans are sent by the notifications
app's own tasks.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from directives import recurrence, reminders


@shared_task(name="directives.send_reminders", ignore_result=True)
def directives_send_reminders() -> int:
    """Plan the reminders, overdue notices and digests due now, each once."""
    return len(reminders.directives_send_reminders(now=timezone.now()).planned)


@shared_task(name="directives.create_occurrences", ignore_result=True)
def directives_create_occurrences() -> int:
    """Create the next occurrences of recurring tasks that are due, each once."""
    return recurrence.directives_create_occurrences(now=timezone.now()).count
