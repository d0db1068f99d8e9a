"""Celery tasks of citizen feedback: thin interfaces over the services.

`incidents_escalate_overdue` is in CELERY_BEAT_SCHEDULE (geoapp/settings/base.py), every five
minutes. The messages it plans are sent by the notifications app's own tasks.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from incidents import escalation


@shared_task(name="incidents.escalate_overdue", ignore_result=True)
def incidents_escalate_overdue() -> int:
    """Mark and escalate overdue reports, once per report, stage and deadline."""
    return len(escalation.incidents_escalate_overdue(now=timezone.now()).escalated)
