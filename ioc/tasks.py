"""The operations centre's Celery tasks: thin, they call the service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from geoapp.clock import vietnam_today
from ioc.services import week_before, weekly_report_produce


@shared_task(name="ioc.produce_weekly_report", acks_late=True, max_retries=3)
def produce_weekly_report() -> str:
    """The report of last week (beat: Mondays at 07:00, Asia/Ho_Chi_Minh). Idempotent: the
    week's report is replaced if it exists."""
    report = weekly_report_produce(week_start=week_before(vietnam_today()), now=timezone.now())
    return report.week_start.isoformat()
