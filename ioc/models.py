"""The operations centre's own data: the weekly reports it has produced.

The reports are kept in the database (a workbook of some tens of kilobytes, a printable page and
its PDF of a few hundred), so they are backed up with everything else and need no file sweep.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WeeklyReport(models.Model):
    """The figures of one week (Monday to Sunday, Vietnam's days), as produced on `produced_at`."""

    week_start = models.DateField(_("tuần bắt đầu"), unique=True)
    produced_at = models.DateTimeField(_("lập lúc"))
    workbook = models.BinaryField(_("bảng tính XLSX"))
    printable_html = models.TextField(_("bản in HTML"))
    # Empty for a report produced before the PDF existed: producing its week again fills it.
    pdf = models.BinaryField(_("bản PDF"), default=b"", blank=True)

    class Meta:
        verbose_name = _("báo cáo tuần")
        verbose_name_plural = _("báo cáo tuần")
        ordering = ["-week_start"]
        permissions = [("view_operations_centre", _("Xem trung tâm điều hành"))]

    def __str__(self) -> str:
        return f"{self.week_start:%Y-%m-%d}"
