"""Celery tasks of the notifications app: thin interfaces over the services.

`send_notification` is enqueued on commit by `notification_enqueue` (by its name,
`services.SEND_TASK_NAME`); the sweeper is in CELERY_BEAT_SCHEDULE (geoapp/settings/base.py),
every five minutes.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications import services

# Backoff of 30 s, 60 s, 120 s... capped at 5 minutes: always shorter than the sweeper's delay
# (NOTIFICATION_SWEEP_AFTER_MINUTES), so the sweeper does not enqueue a row awaiting its retry.
RETRY_BACKOFF_SECONDS = 30
RETRY_BACKOFF_MAX_SECONDS = 300


@shared_task(
    name=services.SEND_TASK_NAME,
    ignore_result=True,
    autoretry_for=(services.DeliveryWillBeRetried,),
    retry_backoff=RETRY_BACKOFF_SECONDS,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=settings.NOTIFICATION_MAX_ATTEMPTS - 1,
)
def send_notification(notification_id: int) -> str | None:
    """Send one message of the outbox; idempotent (a sent or locked row is left alone)."""
    status = services.notification_send(notification_id=notification_id)
    return str(status) if status is not None else None


@shared_task(name="notifications.sweep", ignore_result=True)
def notifications_sweep() -> int:
    """Enqueue again the messages that a broker outage left pending."""
    return len(services.notifications_sweep(now=timezone.now()))
