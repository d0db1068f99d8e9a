"""Celery beat tasks of the open-data app: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from opendata import services


@shared_task(name="opendata.refresh_report_grid")
def refresh_report_grid() -> str:
    return services.report_grid_refresh()


@shared_task(name="opendata.write_files")
def write_files() -> int:
    metadata = services.open_data_files_write()
    count = metadata["report_count"]
    assert isinstance(count, int)
    return count
