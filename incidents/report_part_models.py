"""What hangs off a report besides its events: its photos, its supporters ("+1") and its
escalations past a deadline. Imported by `incidents.models`, which names every model of the app;
the reports are named by their label ("incidents.Incident") so that this module needs nothing
of that one."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Ảnh phản ánh")
    EVIDENCE = "evidence", _("Ảnh kết quả xử lý")


class IncidentPhoto(models.Model):
    """A photo re-encoded without any metadata; the EXIF position and time were read first."""

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("phản ánh"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    kind = models.CharField(
        _("loại ảnh"), max_length=10, choices=PhotoKind.choices, default=PhotoKind.REPORT
    )
    image = models.FileField(_("ảnh"), upload_to="incidents/photos/%Y/%m/")
    thumbnail = models.FileField(_("ảnh thu nhỏ"), upload_to="incidents/thumbnails/%Y/%m/")
    content_type = models.CharField(_("định dạng"), max_length=20)
    width = models.PositiveIntegerField(_("chiều rộng (px)"))
    height = models.PositiveIntegerField(_("chiều cao (px)"))
    # Read from the EXIF before stripping it; internal (public outputs never carry EXIF data).
    taken_at = models.DateTimeField(_("thời điểm chụp (EXIF)"), null=True, blank=True)
    exif_location = models.PointField(
        _("vị trí chụp (EXIF)"), srid=4326, null=True, blank=True, spatial_index=False
    )
    is_hidden = models.BooleanField(_("ẩn khỏi công khai"), default=False)
    hidden_reason = models.CharField(_("lý do ẩn"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("ảnh phản ánh")
        verbose_name_plural = _("ảnh phản ánh")
        ordering = ["incident", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.image.name}"


class IncidentSupporter(models.Model):
    """One "+1" on a report; the identity is a hash so no personal data is kept for it."""

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("phản ánh"),
        on_delete=models.CASCADE,
        related_name="supporters",
    )
    identity_hash = models.CharField(_("danh tính (băm)"), max_length=64)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("người ủng hộ")
        verbose_name_plural = _("người ủng hộ")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "identity_hash"], name="incident_supporter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.identity_hash[:8]}"


class EscalationStage(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Quá hạn tiếp nhận")
    RESOLVE = "resolve", _("Quá hạn giải quyết")


class IncidentEscalation(models.Model):
    """A report found past a deadline and reported to the parent unit and the leaders
    (`incidents/escalation.py`).

    Unique per report, stage and missed deadline: the job may run any number of times and a
    report is escalated once for each deadline it misses. A transfer or a reopening gives the
    report a new deadline; missing that one is a new lateness, of a new unit, and is escalated
    again.
    """

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("phản ánh"),
        on_delete=models.CASCADE,
        related_name="escalations",
    )
    stage = models.CharField(_("giai đoạn"), max_length=12, choices=EscalationStage.choices)
    deadline = models.DateTimeField(_("hạn đã lỡ"))
    escalated_at = models.DateTimeField(_("báo cáo lúc"))
    agency = models.ForeignKey(
        "wards.Agency",
        verbose_name=_("đơn vị để quá hạn"),
        on_delete=models.PROTECT,
        related_name="incident_escalations",
    )
    event = models.ForeignKey(
        "incidents.IncidentEvent",
        verbose_name=_("diễn biến ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notified_addresses = models.PositiveSmallIntegerField(_("số địa chỉ được báo"), default=0)

    class Meta:
        verbose_name = _("báo cáo quá hạn")
        verbose_name_plural = _("báo cáo quá hạn")
        ordering = ["-escalated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "stage", "deadline"],
                name="incident_escalation_once_per_stage_and_deadline",
            ),
        ]
        indexes = [models.Index(fields=["agency", "escalated_at"], name="escalation_agency")]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.stage} ({self.deadline.isoformat()})"
