"""Celery tasks of indicators: the nightly refresh of the computed operational indicators."""

from __future__ import annotations

from celery import shared_task

from geoapp.clock import vietnam_today
from indicators.services.computed import computed_indicators_refresh, months_to_refresh


@shared_task(name="indicators.refresh_computed")
def refresh_computed() -> dict[str, int]:
    """Refresh the previous and the current month; returns what changed, for the worker's log."""
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for month in months_to_refresh(vietnam_today()):
        report = computed_indicators_refresh(month=month)
        totals["created"] += report.created
        totals["updated"] += report.updated
        totals["unchanged"] += report.unchanged
    return totals
