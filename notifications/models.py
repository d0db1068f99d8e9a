"""The outbox of messages, subscriptions to reports and areas, and the record of escalations.

`Notification` is an outbox: every message is a row written before anything is sent, so a broker
outage or a crashed worker loses nothing (the sweeper enqueues pending rows again) and its unique
`dedupe_key` makes every step idempotent (planning the same message twice writes one row; a sent
row is never sent again). The rows hold addresses (personal data): staff-only, like the reports.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")


class RecipientRole(models.TextChoices):
    REPORTER = "reporter", _("Người phản ánh")
    UNIT = "unit", _("Đơn vị xử lý")
    PARENT_UNIT = "parent_unit", _("Đơn vị cấp trên")
    LEADER = "leader", _("Lãnh đạo")
    FOLLOWER = "follower", _("Người theo dõi")


class NotificationKind(models.TextChoices):
    INCIDENT_RECEIVED = "incident_received", _("Xác nhận đã nhận phản ánh")
    INCIDENT_NEW_FOR_UNIT = "incident_new_for_unit", _("Phản ánh mới cho đơn vị")
    INCIDENT_TRANSFERRED_TO_UNIT = "incident_transferred_to_unit", _("Phản ánh được chuyển đến")
    INCIDENT_UPDATED = "incident_updated", _("Phản ánh có diễn biến mới")
    INCIDENT_MODERATED = "incident_moderated", _("Phản ánh bị ẩn một phần")
    INCIDENT_OVERDUE = "incident_overdue", _("Phản ánh quá hạn")
    FOLLOWED_INCIDENT_UPDATED = "followed_incident_updated", _("Phản ánh đang theo dõi")
    FOLLOWED_AREA_NEW_INCIDENT = "followed_area_new_incident", _("Phản ánh mới trong khu vực")
    FOLLOWED_AREA_INCIDENT_RESOLVED = (
        "followed_area_incident_resolved",
        _("Phản ánh trong khu vực đã giải quyết"),
    )
    SUBSCRIPTION_CONFIRMATION = "subscription_confirmation", _("Xác nhận theo dõi")


class Notification(models.Model):
    """One message to one address through one channel."""

    kind = models.CharField(_("loại thông báo"), max_length=40, choices=NotificationKind.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=NotificationChannel.choices)
    recipient_role = models.CharField(
        _("người nhận là"), max_length=20, choices=RecipientRole.choices
    )
    address = models.CharField(_("địa chỉ nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    headers = models.JSONField(
        _("tiêu đề thư bổ sung"),
        default=dict,
        blank=True,
        help_text=_("Ví dụ List-Unsubscribe cho thư gửi người theo dõi."),
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("phản ánh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    event = models.ForeignKey(
        "incidents.IncidentEvent",
        verbose_name=_("diễn biến"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    subscription = models.ForeignKey(
        "notifications.Subscription",
        verbose_name=_("đăng ký theo dõi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    # Names the message, not the row: e.g. "incident:123:event:456:reporter:email". Planning the
    # same message again finds this row instead of writing a second one.
    dedupe_key = models.CharField(_("khóa chống gửi trùng"), max_length=200, unique=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi lần gửi gần nhất"), blank=True)
    # A default rather than auto_now_add, so that tests of the sweeper can date a row in the past.
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("lần gửi gần nhất"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweeper's question: which messages are still pending, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="notification_pending_created",
            ),
            models.Index(fields=["incident", "created_at"], name="notification_incident"),
        ]

    def __str__(self) -> str:
        return self.dedupe_key


class Subscription(models.Model):
    """Someone follows a report or an area by email, once they confirmed it by a link.

    The confirm and unsubscribe links carry a token signed with SECRET_KEY over the row's id
    (`notifications/subscription_tokens.py`): nothing secret is stored, and a leaked database does
    not let anyone confirm or cancel other people's subscriptions.
    """

    email = models.EmailField(_("thư điện tử"))
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("phản ánh"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    area = models.ForeignKey(
        "wards.Area",
        verbose_name=_("khu vực"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    confirmation_requested_at = models.DateTimeField(_("gửi thư xác nhận lúc"))
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("hủy theo dõi lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đăng ký theo dõi")
        verbose_name_plural = _("đăng ký theo dõi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(incident__isnull=False, area__isnull=True)
                | Q(incident__isnull=True, area__isnull=False),
                name="subscription_follows_one_report_or_one_area",
            ),
            models.UniqueConstraint(
                fields=["email", "incident"],
                condition=Q(incident__isnull=False),
                name="subscription_unique_per_incident",
            ),
            models.UniqueConstraint(
                fields=["email", "area"],
                condition=Q(area__isnull=False),
                name="subscription_unique_per_area",
            ),
        ]

    def __str__(self) -> str:
        target = f"incident {self.incident_id}" if self.incident_id else f"area {self.area_id}"
        return f"{self.email} → {target}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class EscalationStage(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Quá hạn tiếp nhận")
    RESOLVE = "resolve", _("Quá hạn giải quyết")


class IncidentEscalation(models.Model):
    """A report found past a deadline and reported to the parent unit and the leaders.

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
