"""Data shared by every domain: the days the government adds to or removes from the working week."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Widths of the columns that services check before saving, to answer in words instead of a
# database error; named here so the check and the column cannot drift apart.
CALENDAR_DAY_NOTE_MAX_LENGTH = 255
API_CLIENT_NAME_MAX_LENGTH = 200


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm bù")


class CalendarDay(models.Model):
    """A day announced by the government that differs from the national holiday rules.

    The `holidays` package knows the statutory holidays and the swaps it has been taught; each year
    the government also announces swaps and extra days off that the package may not know yet. Those
    are rows here, read by `geoapp.selectors.working_calendar`, and they win over the package.
    """

    day = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(
        _("loại"),
        max_length=16,
        choices=CalendarDayKind.choices,
        help_text=_(
            "Ngày nghỉ: ngày thường được nghỉ thêm theo thông báo. Ngày làm bù: ngày được tính là "
            "ngày làm việc, kể cả thứ Bảy hoặc Chủ nhật."
        ),
    )
    note = models.CharField(
        _("ghi chú"),
        max_length=CALENDAR_DAY_NOTE_MAX_LENGTH,
        blank=True,
        help_text=_("Ví dụ: văn bản công bố lịch nghỉ."),
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("ngày nghỉ hoặc làm bù")
        verbose_name_plural = _("lịch nghỉ và làm bù")
        constraints = [
            # Rows may be written by SQL or a data migration; an unknown kind would otherwise be
            # read as neither a day off nor a working day and silently ignored.
            models.CheckConstraint(
                condition=models.Q(kind__in=CalendarDayKind.values),
                name="calendar_day_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} ({self.get_kind_display()})"


class ApiClient(models.Model):
    """An integration client (an Open311 app, a hotline system) that files reports with a key.

    Only the key's SHA-256 is stored, with its first characters to recognise it in lists: the raw
    key is shown once, when it is issued, and a copy of the database cannot be used to submit in
    a client's name. See `geoapp/api_keys.py`.
    """

    name = models.CharField(_("tên ứng dụng"), max_length=API_CLIENT_NAME_MAX_LENGTH, unique=True)
    key_prefix = models.CharField(
        _("đầu khóa"),
        max_length=12,
        help_text=_("Vài ký tự đầu của khóa, để nhận ra khóa; không đủ để dùng."),
    )
    key_hash = models.CharField(_("khóa (băm SHA-256)"), max_length=64, unique=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    agency = models.ForeignKey(
        "wards.Agency",
        verbose_name=_("đơn vị sử dụng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ứng dụng tích hợp (khóa API)")
        verbose_name_plural = _("ứng dụng tích hợp (khóa API)")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"
