"""Leaders' directives and the tasks they assign to agencies (issue 15).

A directive (a conclusion notice, a decision, an official letter) holds tasks; each task has a lead
agency, coordinating agencies, a deadline date and a status moved only by `directives.services`.
Every step writes a `TaskEvent`. Reminders and digests leave a sent-marker whose unique
constraint makes each message go out once, however often the beat task runs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wards.models import Agency, Area


class DirectiveKind(models.TextChoices):
    CONCLUSION_NOTICE = "conclusion_notice", _("Thông báo kết luận")
    DECISION = "decision", _("Quyết định")
    OFFICIAL_LETTER = "official_letter", _("Công văn")


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Đã giao")
    ACCEPTED = "accepted", _("Đã nhận")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")
    CANCELLED = "cancelled", _("Đã hủy")


OPEN_STATUSES = frozenset({TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS})


class TaskRecurrence(models.TextChoices):
    NONE = "", _("Không định kỳ")
    MONTHLY = "monthly", _("Báo cáo hằng tháng")
    QUARTERLY = "quarterly", _("Báo cáo hằng quý")


class TaskPriority(models.TextChoices):
    NORMAL = "normal", _("Bình thường")
    HIGH = "high", _("Quan trọng")
    URGENT = "urgent", _("Khẩn")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    GRANTED = "granted", _("Đồng ý gia hạn")
    REFUSED = "refused", _("Không đồng ý")


class TaskAction(models.TextChoices):
    ASSIGNED = "assigned", _("Giao nhiệm vụ")
    ACCEPTED = "accepted", _("Nhận nhiệm vụ")
    PROGRESS_REPORTED = "progress_reported", _("Báo cáo tiến độ")
    EXTENSION_REQUESTED = "extension_requested", _("Đề nghị gia hạn")
    EXTENSION_GRANTED = "extension_granted", _("Đồng ý gia hạn")
    EXTENSION_REFUSED = "extension_refused", _("Không đồng ý gia hạn")
    COMPLETED = "completed", _("Hoàn thành")
    CANCELLED = "cancelled", _("Hủy nhiệm vụ")
    UPDATED = "updated", _("Cập nhật từ hệ thống văn bản")


class ReminderKind(models.TextChoices):
    BEFORE_DEADLINE = "before_deadline", _("Nhắc trước hạn")
    OVERDUE_AGENCY_HEAD = "overdue_agency_head", _("Quá hạn: báo thủ trưởng đơn vị")
    OVERDUE_SIGNER = "overdue_signer", _("Quá hạn: báo lãnh đạo ký")


class Directive(models.Model):
    external_id = models.CharField(
        _("mã văn bản trên hệ thống văn bản"), max_length=100, unique=True, null=True, blank=True
    )
    number = models.CharField(_("số hiệu"), max_length=100)
    issued_on = models.DateField(_("ngày ban hành"))
    kind = models.CharField(_("loại văn bản"), max_length=30, choices=DirectiveKind.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_directives",
    )
    signer_name = models.CharField(_("người ký (họ tên, chức vụ)"), max_length=200)
    subject = models.CharField(_("trích yếu"), max_length=500)
    text = models.TextField(_("nội dung"), blank=True)
    attachment = models.FileField(_("tệp văn bản"), upload_to="directives/%Y/", blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("văn bản chỉ đạo")
        verbose_name_plural = _("văn bản chỉ đạo")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"


class Task(models.Model):
    directive = models.ForeignKey(
        Directive, verbose_name=_("văn bản"), on_delete=models.CASCADE, related_name="tasks"
    )
    external_id = models.CharField(
        _("mã nhiệm vụ trên hệ thống văn bản"), max_length=100, unique=True, null=True, blank=True
    )
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị chủ trì"),
        on_delete=models.PROTECT,
        related_name="directive_tasks",
    )
    coordinating_agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("đơn vị phối hợp"),
        blank=True,
        related_name="coordinated_directive_tasks",
    )
    content = models.TextField(_("nội dung nhiệm vụ"))
    field = models.CharField(_("lĩnh vực"), max_length=100, blank=True)
    deadline = models.DateField(_("hạn hoàn thành"))
    original_deadline = models.DateField(_("hạn ban đầu"))
    recurrence = models.CharField(
        _("định kỳ"), max_length=20, choices=TaskRecurrence.choices, blank=True, default=""
    )
    # A recurring task (monthly or quarterly reports) is a series: its first task, with
    # `series` empty and `occurrence` 1, and the occurrences `directives/recurrence.py` creates
    # for the following periods, each pointing to the first and numbered 2, 3, …
    series = models.ForeignKey(
        "self",
        verbose_name=_("nhiệm vụ gốc của chuỗi định kỳ"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    # A default in the database too: loaders that insert rows by SQL (benchmarks) name no series.
    occurrence = models.PositiveSmallIntegerField(_("kỳ thứ"), default=1, db_default=1)
    # Kept when the deadline was given as working days from the directive, so that each
    # occurrence's deadline counts the same working days from the start of its own period.
    deadline_working_days = models.PositiveSmallIntegerField(
        _("số ngày làm việc của hạn"), null=True, blank=True
    )
    recurs_until = models.DateField(_("định kỳ đến ngày"), null=True, blank=True)
    priority = models.CharField(
        _("mức độ"), max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    place = models.PointField(_("vị trí"), srid=4326, null=True, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directive_tasks",
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED
    )
    progress_percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("số lần gia hạn"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["deadline", "id"]
        permissions = [
            ("view_all_tasks", _("Xem mọi nhiệm vụ (lãnh đạo)")),
            ("manage_all_tasks", _("Quản lý mọi nhiệm vụ (quản trị viên)")),
        ]
        indexes = [
            # The board and the on-time rate read tasks by agency and deadline.
            models.Index(fields=["lead_agency", "deadline"], name="task_agency_deadline"),
            models.Index(fields=["deadline"], name="task_deadline"),
            models.Index(fields=["directive", "deadline"], name="task_directive_deadline"),
            # The boards' first page: open tasks in deadline order (overdue ones first).
            models.Index(
                fields=["deadline", "id"],
                condition=Q(status__in=["assigned", "accepted", "in_progress"]),
                name="task_open_deadline",
            ),
            # The hourly recurrence run reads the first tasks of the series (a hundredth of the
            # tasks): without it, a scan of every task whose cost estimate set off JIT
            # compilation (550 ms of 650 ms at 100,000 tasks). The condition is the query's own,
            # so that the planner can prove it.
            models.Index(
                fields=["id"],
                condition=Q(series__isnull=True, recurrence__in=["monthly", "quarterly"]),
                name="task_recurring_series",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="task_progress_at_most_100"
            ),
            # The recurrence task creates an occurrence only once: two runs at the same hour
            # that both passed the check would collide here rather than duplicate a report.
            models.UniqueConstraint(
                fields=["series", "occurrence"],
                condition=Q(series__isnull=False),
                name="task_series_occurrence_once",
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True, occurrence=1)
                | Q(series__isnull=False, occurrence__gte=2),
                name="task_occurrence_numbers_the_series",
            ),
            models.CheckConstraint(
                condition=Q(status="done", completed_on__isnull=False)
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="task_completed_on_iff_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.directive.number} — {self.content[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TaskEvent(models.Model):
    """The audit trail of a task: who did what, when, from which status to which."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=30, choices=TaskAction.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    progress_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    from_deadline = models.DateField(null=True, blank=True)
    to_deadline = models.DateField(null=True, blank=True)
    attachment = models.FileField(upload_to="directives/progress/%Y/", blank=True)

    class Meta:
        verbose_name = _("sự kiện nhiệm vụ")
        verbose_name_plural = _("sự kiện nhiệm vụ")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action} {self.created_at:%Y-%m-%d}"


class ExtensionRequest(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_deadline = models.DateField(_("hạn đề nghị"))
    reason = models.TextField(_("lý do"))
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        constraints = [
            # One pending request per task: a second one while the first awaits the leader
            # would leave two decisions about the same deadline.
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status="pending"),
                name="extension_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.requested_deadline} ({self.status})"


class TaskReminder(models.Model):
    """The marker of a reminder sent: one per task, kind and deadline (a new deadline after an
    extension earns a new reminder; the same deadline never a second one)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    deadline = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "deadline"], name="task_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.deadline}"


class AgencyDigest(models.Model):
    """The marker of an agency's daily digest: one per agency and day."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="agency_digest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}"
