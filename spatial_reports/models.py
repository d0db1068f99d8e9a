"""The planners' report builder keeps one kind of row: a download too large to write during the
request (above SPATIAL_REPORTS_SYNC_MAX_ROWS reports), written by a Celery task.

The query is stored as the page's own parameters (the same text as the shareable URL), so the
task reads exactly what the planner saw, and the file says which query produced it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USE_PERMISSION = "spatial_reports.use_spatial_reports"


class ExportFormat(models.TextChoices):
    GEOJSON = "geojson", "GeoJSON"
    GEOPACKAGE = "gpkg", "GeoPackage"
    SHAPEFILE = "shp", _("Shapefile (zip)")
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("đang chờ")
    RUNNING = "running", _("đang tạo tệp")
    READY = "ready", _("sẵn sàng")
    FAILED = "failed", _("lỗi")


class SpatialReportExport(models.Model):
    """A download written in the background; its file is kept SPATIAL_REPORTS_KEEP_DAYS days,
    then left to the nightly sweep (spatial_reports/export_files.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    query = models.JSONField(_("truy vấn"))
    file_format = models.CharField(_("định dạng"), max_length=10, choices=ExportFormat.choices)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    row_count = models.PositiveIntegerField(_("số phản ánh"), null=True, blank=True)
    file = models.CharField(_("tệp"), max_length=255, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp báo cáo không gian")
        verbose_name_plural = _("tệp báo cáo không gian")
        ordering = ["-created_at"]
        permissions = [("use_spatial_reports", _("Dùng trang báo cáo không gian"))]

    def __str__(self) -> str:
        return f"{self.id} ({self.file_format}, {self.status})"
