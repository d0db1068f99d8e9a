"""The outbox of messages and the subscriptions to what people follow, of any app.

`Notification` is an outbox: every message is a row written before anything is sent, so a broker
outage or a crashed worker loses nothing (the sweeper enqueues pending rows again) and its unique
`dedupe_key` makes every step idempotent (planning the same message twice writes one row; a sent
row is never sent again). The rows hold addresses (personal data): staff-only, like the reports.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
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
    # Claimed by a worker, whose call to the provider is under way (see notification_send).
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")


class RecipientRole(models.TextChoices):
    REPORTER = "reporter", _("Người phản ánh")
    UNIT = "unit", _("Đơn vị xử lý")
    PARENT_UNIT = "parent_unit", _("Đơn vị cấp trên")
    LEADER = "leader", _("Lãnh đạo")
    FOLLOWER = "follower", _("Người theo dõi")


class NotificationKind(models.TextChoices):
    """The kinds of message this app writes itself; every other kind is defined by the app
    that plans the message (citizen feedback: `incidents/notice_texts.py`)."""

    SUBSCRIPTION_CONFIRMATION = "subscription_confirmation", _("Xác nhận theo dõi")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def about(self, instance: models.Model) -> NotificationQuerySet:
        """The messages about one row (a report, an area...), whatever its model."""
        return self.filter(
            about_type=ContentType.objects.get_for_model(instance), about_id=instance.pk
        )

    def occasioned_by(self, instance: models.Model) -> NotificationQuerySet:
        """The messages one row (an event of a report's history...) occasioned."""
        return self.filter(
            occasion_type=ContentType.objects.get_for_model(instance), occasion_id=instance.pk
        )


class Notification(models.Model):
    """One message to one address through one channel."""

    # Plain text: the kinds are defined by the apps that plan messages (NotificationKind holds
    # this app's own).
    kind = models.CharField(_("loại thông báo"), max_length=40)
    channel = models.CharField(_("kênh"), max_length=10, choices=NotificationChannel.choices)
    recipient_role = models.CharField(
        _("người nhận là"), max_length=20, choices=RecipientRole.choices
    )
    address = models.CharField(_("địa chỉ nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    # Empty while the message waits to be composed when it is sent, by the app that planned it
    # (notifications/message_composers.py); the words are stored here when they are.
    body = models.TextField(_("nội dung"), blank=True)
    headers = models.JSONField(
        _("tiêu đề thư bổ sung"),
        default=dict,
        blank=True,
        help_text=_("Ví dụ List-Unsubscribe cho thư gửi người theo dõi."),
    )
    # What the message is about (a report, an area) and what occasioned it (an event of the
    # report's history), named generically: the app that plans a message knows its subjects,
    # this one only keeps the reference.
    about_type = models.ForeignKey(
        ContentType,
        verbose_name=_("loại đối tượng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    about_id = models.PositiveBigIntegerField(_("mã đối tượng"), null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    occasion_type = models.ForeignKey(
        ContentType,
        verbose_name=_("loại sự việc"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    occasion_id = models.PositiveBigIntegerField(_("mã sự việc"), null=True, blank=True)
    occasion = GenericForeignKey("occasion_type", "occasion_id")
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

    objects = NotificationQuerySet.as_manager()

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
            # The sweeper's other question: which sends were interrupted (a worker died).
            models.Index(
                fields=["last_attempt_at"],
                condition=Q(status="sending"),
                name="notification_sending_attempt",
            ),
            models.Index(
                fields=["about_type", "about_id", "created_at"], name="notification_about"
            ),
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
    # What is followed (a report, an area): the app that offers the following knows its
    # subjects and how to describe them (`notifications/subjects.py`).
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name=_("loại đối tượng"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    subject_id = models.PositiveBigIntegerField(_("mã đối tượng"))
    subject = GenericForeignKey("subject_type", "subject_id")
    confirmation_requested_at = models.DateTimeField(_("gửi thư xác nhận lúc"))
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("hủy theo dõi lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đăng ký theo dõi")
        verbose_name_plural = _("đăng ký theo dõi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "subject_type", "subject_id"],
                name="subscription_unique_per_subject",
            ),
        ]
        indexes = [
            # The followers of one subject.
            models.Index(fields=["subject_type", "subject_id"], name="subscription_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.subject_type_id}:{self.subject_id}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None
