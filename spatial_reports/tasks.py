"""Celery task of the report builder: thin, calls one service."""

from __future__ import annotations

from celery import shared_task

from spatial_reports import services


@shared_task(name="spatial_reports.write_export", acks_late=True)
def write_export(export_id: str) -> str:
    return services.export_run(export_id=export_id).status
