"""Administrative procedures: the catalogue, dossiers, their legs (liên thông), pauses and events.

Single-row invariants only; every write goes through `procedures.services`. The statistics read
`DossierDailyTally`, a roll-up the services keep in the same transaction as the dossier it counts,
so that grouping a year of a million dossiers reads thousands of rows, not a million.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wards.models import Agency, Area, AreaLevel


class TimeLimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    INFORMATION = "information", _("Cung cấp thông tin")


class Procedure(models.Model):
    """A procedure of the national catalogue (thủ tục hành chính) as this province applies it."""

    code = models.CharField(_("mã thủ tục"), max_length=30, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    field = models.CharField(_("lĩnh vực"), max_length=120)
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=AreaLevel.choices)
    time_limit_value = models.DecimalField(_("thời hạn"), max_digits=7, decimal_places=2)
    time_limit_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=15, choices=TimeLimitUnit.choices
    )
    online_time_limit_value = models.DecimalField(
        _("thời hạn khi nộp trực tuyến"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    cutoff_time = models.TimeField(_("giờ tiếp nhận cuối"), null=True, blank=True)
    supplement_pauses_clock = models.BooleanField(_("bổ sung tạm dừng thời hạn"), default=True)
    payment_pauses_clock = models.BooleanField(_("thanh toán tạm dừng thời hạn"), default=True)
    fee = models.DecimalField(_("phí, lệ phí"), max_digits=12, decimal_places=0, default=0)
    online_level = models.CharField(_("mức trực tuyến"), max_length=12, choices=OnlineLevel.choices)
    # [{"step": "receive", "name": "...", "budget_hours": 4}, ...]: the time budget of each step.
    steps = models.JSONField(_("các bước"), default=list, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DossierStatus(models.TextChoices):
    SUBMITTED_ONLINE = "submitted_online", _("Đã nộp trực tuyến")
    # A dossier is "received"; a citizen's report with the same Vietnamese word "acknowledged".
    RECEIVED = "received", pgettext_lazy("dossier status", "Đã tiếp nhận")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    PAYMENT_REQUESTED = "payment_requested", _("Chờ thanh toán")
    TRANSFERRED = "transferred", _("Liên thông")
    RESULT_READY = "result_ready", _("Có kết quả")
    RESULT_RETURNED = "result_returned", _("Đã trả kết quả")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")


class DossierChannel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp")
    POST = "post", _("Bưu chính")


class Outcome(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class DossierCounter(models.Model):
    """The last number issued by a unit on a day; its row lock serialises concurrent receipts."""

    unit = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="dossier_counter_unit_day"),
        ]


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=90, unique=True)
    external_code = models.CharField(
        _("mã hệ thống ngoài"), max_length=100, unique=True, null=True, blank=True
    )
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    applicant_name = models.CharField(_("người nộp"), max_length=200, blank=True)
    applicant_id_number = models.CharField(_("số định danh"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    location = models.PointField(_("vị trí"), srid=4326, null=True, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiving_unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    current_unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    current_step = models.CharField(_("bước hiện tại"), max_length=40, default="receive")
    channel = models.CharField(_("kênh"), max_length=10, choices=DossierChannel.choices)
    status = models.CharField(
        _("trạng thái"), max_length=25, choices=DossierStatus.choices, db_index=True
    )
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    counted_from = models.DateTimeField(_("tính thời hạn từ"))
    original_appointment_at = models.DateTimeField(_("ngày hẹn ban đầu"))
    appointment_at = models.DateTimeField(_("ngày hẹn trả"))
    paused_since = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # Processing time of a finished dossier: working days from the day its clock started to the
    # day it finished (services.finish_tally); the statistics' median reads it.
    working_days = models.PositiveIntegerField(_("số ngày làm việc xử lý"), null=True, blank=True)
    apology_letter = models.TextField(_("thư xin lỗi"), blank=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["current_unit", "appointment_at"], name="dossier_queue"),
            # The median of a period reads the finished dossiers by their finishing moment, with
            # every grouping column in the index: an index-only scan, never the table.
            models.Index(
                fields=["finished_at"],
                include=["receiving_unit", "area", "procedure", "working_days"],
                condition=models.Q(working_days__isnull=False),
                name="dossier_finished_days",
            ),
            # The dossiers in progress by area, with what "within / past the appointment" reads:
            # the operations centre counts them by an index-only scan (issue 13), not by reading
            # each from the table (at a million dossiers, tens of thousands are open).
            models.Index(
                fields=["area"],
                name="dossier_in_progress_area",
                include=["received_at", "appointment_at"],
                condition=models.Q(
                    status__in=[
                        "received",
                        "processing",
                        "transferred",
                        "supplement_requested",
                        "payment_requested",
                    ]
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class DossierLeg(models.Model):
    """A part of a dossier handed to another agency or level (liên thông), with its own clock."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="legs")
    unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    from_unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["sent_at", "id"]


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Bổ sung hồ sơ")
    PAYMENT = "payment", _("Thanh toán")


class DossierPause(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=10, choices=PauseKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="dossier_pause_ends_after_start",
            )
        ]


class DossierEvent(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=25, blank=True)
    to_status = models.CharField(max_length=25)
    unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class DossierDailyTally(models.Model):
    """Counts per (receiving unit, area, procedure, day in Vietnam), kept by the services.

    `received*` count on the day of receipt, `finished` and its outcomes on the day of finishing;
    `working_days_sum` adds the processing time of the finished ones (for the average).
    """

    unit = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, null=True, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    early = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    working_days_sum = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "area", "procedure", "day"],
                name="dossier_tally_key",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["day"], name="dossier_tally_day")]
