"""Which background download files are still wanted: the report builder's declaration to the
nightly sweep of unreferenced files (geoapp/file_sweep.py, named in FILES_SWEEPERS).

A file is wanted while its download is younger than SPATIAL_REPORTS_KEEP_DAYS days; after that
(or when its row is gone) the sweep removes it once older than its grace period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from django.conf import settings
from django.utils import timezone

from geoapp.file_sweep import FileSweeper
from spatial_reports.models import SpatialReportExport

EXPORT_DIRECTORY: Final = "spatial_reports/exports"


def export_files_referenced(names: Sequence[str]) -> set[str]:
    kept_since = timezone.now() - timedelta(days=int(settings.SPATIAL_REPORTS_KEEP_DAYS))
    return set(
        SpatialReportExport.objects.filter(file__in=names, created_at__gt=kept_since).values_list(
            "file", flat=True
        )
    )


EXPORT_FILES_SWEEPER: Final = FileSweeper(
    name="spatial_reports.exports",
    directories=(EXPORT_DIRECTORY,),
    referenced=export_files_referenced,
)
