"""Citizen feedback (phản ánh, kiến nghị): reports, photos, events, supporters, escalations (the
categories and their questions are in `incidents.category_models`, the summaries in
`incidents.summary_models`; both are imported here, so `incidents.models` names every model).

A report (`Incident`) moves through a small state machine. Every move is a service in
`incidents/services.py` that locks the row, checks the actor's role and the current state, and
writes an `IncidentEvent`; nothing here changes state on its own.

| action                  | from                                                   | to                    | who                           |
|-------------------------|--------------------------------------------------------|-----------------------|-------------------------------|
| create                  | (none)                                                 | new                   | anyone (anonymous allowed)    |
| acknowledge             | new                                                    | acknowledged          | officer of the unit, admin    |
| assign                  | new, acknowledged, in_progress, information_requested  | (unchanged)           | officer of the unit, admin    |
| start                   | acknowledged                                           | in_progress           | officer of the unit, admin    |
| request information     | acknowledged, in_progress                              | information_requested | officer of the unit, admin    |
| provide information     | information_requested                                  | in_progress           | reporter (reporter token)     |
| transfer                | new, acknowledged, in_progress, information_requested  | new (at the new unit) | officer of the unit, admin    |
| answer                  | acknowledged, in_progress, information_requested       | answered              | officer of the unit, admin    |
| resolve                 | acknowledged, in_progress, answered                    | resolved              | officer of the unit, admin    |
| close                   | resolved                                               | closed                | officer of the unit, admin    |
| reject                  | new, acknowledged, in_progress, information_requested  | rejected              | officer of the unit, admin    |
| mark duplicate          | new, acknowledged, in_progress, information_requested  | rejected (duplicate)  | officer of the unit, admin    |
| reopen                  | resolved, closed (within INCIDENT_REOPEN_DAYS)         | in_progress           | reporter (reporter token)     |

Support (+1), rating, priority changes, internal notes and moderation (hiding a report, its
description or a photo, and showing it again) do not change the status. Leaders (permission
`incidents.view_all_incidents`) read every report and act on none.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Iterable

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.category_models import LIST_DATATYPES, AttributeDatatype, Category, CategoryAttribute

DESCRIPTION_MAX_LENGTH = 4000
# The public map shows the start of a description; the whole text is in the report's detail.
PUBLIC_SUMMARY_LENGTH = 140


class JsonText(models.Func):
    """A text as a JSON string, quotes and escapes included: `to_json(text)::text`, through the
    IMMUTABLE wrapper of migration 0006, which a generated column needs (to_json is STABLE for
    every type; for text it depends on nothing but its argument)."""

    function = "incidents_json_text"
    output_field = models.TextField()


class VietnamMomentText(models.Func):
    """A moment as ISO 8601 in Vietnam's time to the second, "2025-10-10T09:00:00+07:00":
    to_char through the IMMUTABLE wrapper of migration 0006 (to_char is STABLE because of
    its locale-dependent patterns, which this fixed pattern does not use)."""

    function = "incidents_vietnam_moment_text"
    output_field = models.TextField()


class IncidentStatus(models.TextChoices):
    NEW = "new", _("Mới")
    ACKNOWLEDGED = "acknowledged", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    INFORMATION_REQUESTED = "information_requested", _("Chờ bổ sung thông tin")
    ANSWERED = "answered", _("Đã trả lời")
    RESOLVED = "resolved", _("Đã giải quyết")
    CLOSED = "closed", _("Đã đóng")
    REJECTED = "rejected", _("Từ chối")


# Reports a unit still has to work on; duplicates may only point at one of these.
OPEN_STATUSES = frozenset(
    {
        IncidentStatus.NEW,
        IncidentStatus.ACKNOWLEDGED,
        IncidentStatus.IN_PROGRESS,
        IncidentStatus.INFORMATION_REQUESTED,
        IncidentStatus.ANSWERED,
    }
)


class IncidentPriority(models.TextChoices):
    URGENT = "urgent", _("Khẩn")
    NORMAL = "normal", _("Thông thường")
    COMPLEX = "complex", _("Phức tạp")


class IncidentChannel(models.TextChoices):
    WEB = "web", _("Trang web")
    API = "api", _("Ứng dụng (API)")
    OPEN311 = "open311", _("Open311")
    HOTLINE = "hotline", _("Đường dây nóng")
    COUNTER = "counter", _("Trực tiếp tại bộ phận tiếp nhận")


class RejectionReason(models.TextChoices):
    SPAM = "spam", _("Tin rác, nội dung không phù hợp")
    DUPLICATE = "duplicate", _("Trùng với phản ánh khác")
    OUTSIDE_SCOPE = "outside_scope", _("Không thuộc phạm vi xử lý")


def any_status_of(statuses: Iterable[str]) -> Q:
    """A partial index's condition on the status, written as equalities joined by OR rather than
    IN: PostgreSQL stores IN as an array of casts that its own pg_get_indexdef does not read back
    to the same definition, so the benchmark loader's rebuild of the index (which recreates it
    from that text) would differ from the migration's. The planner proves an IN filter implies it."""
    return functools.reduce(operator.or_, (Q(status=status) for status in sorted(statuses)))


def public_incidents_condition() -> Q:
    """The one rule for what the public may see: a report marked public that was not rejected as
    spam. Every public output (pages, API, Open311, feeds, exports) filters through it."""
    return Q(is_public=True) & ~Q(
        status=IncidentStatus.REJECTED, rejection_reason=RejectionReason.SPAM
    )


def public_incidents_sql(alias: str) -> str:
    """`public_incidents_condition` for hand-written SQL over the table aliased `alias`."""
    return (
        f"{alias}.is_public AND NOT ({alias}.status = '{IncidentStatus.REJECTED.value}' "
        f"AND {alias}.rejection_reason = '{RejectionReason.SPAM.value}')"
    )


def current_deadline_sql(alias: str) -> str:
    """SQL for `IncidentQuerySet.with_current_deadline` over the table aliased `alias`, for the
    hand-written statements (see `incident_current_deadline`)."""
    return f"{alias}.current_deadline"


class IncidentQuerySet(models.QuerySet["Incident"]):
    def public(self) -> IncidentQuerySet:
        """Reports the public may see (`public_incidents_condition`)."""
        return self.filter(public_incidents_condition())

    def with_current_deadline(self) -> IncidentQuerySet:
        """Annotate `current_deadline`: the deadline the unit works against now (see
        `incident_current_deadline`), null once the report is finished.

        The column is stored now (`Incident.current_deadline`, issue 10), so this only keeps the
        callers that ask for it reading as before."""
        return self

    def overdue(self, *, at: datetime.datetime) -> IncidentQuerySet:
        """Open reports whose current deadline passed before `at`: the one overdue rule of the
        queue, the staff API and the map (escalation judges each stage by the same deadlines)."""
        return self.filter(current_deadline__lt=at)


def incident_current_deadline(incident: Incident) -> datetime.datetime | None:
    """Acknowledging while the report is new (again, after a transfer), resolving while it is
    open; none once it is finished."""
    if incident.status == IncidentStatus.NEW:
        return incident.acknowledge_by
    if incident.status in OPEN_STATUSES:
        return incident.resolve_by
    return None


class Incident(models.Model):
    """One citizen report, routed to the area it fell in on its date and the responsible unit."""

    tracking_code = models.CharField(_("mã tra cứu"), max_length=12, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="incidents"
    )
    description = models.TextField(
        _("nội dung"), validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)]
    )
    description_hidden = models.BooleanField(_("ẩn nội dung khỏi công khai"), default=False)
    description_hidden_reason = models.CharField(_("lý do ẩn nội dung"), max_length=500, blank=True)
    location = models.PointField(_("vị trí"), srid=4326)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    # A link the submitter gave to a photo kept elsewhere (Open311 `media_url`): stored as text
    # and never fetched, since the server works offline and must not be made to reach out.
    media_url = models.URLField(_("đường dẫn ảnh bên ngoài"), max_length=1000, blank=True)
    reported_at = models.DateTimeField(_("thời điểm phản ánh"))
    area = models.ForeignKey(
        "wards.Area",
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    agency = models.ForeignKey(
        "wards.Agency",
        verbose_name=_("đơn vị xử lý"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ được giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_incidents",
    )
    status = models.CharField(
        _("trạng thái"), max_length=24, choices=IncidentStatus.choices, default=IncidentStatus.NEW
    )
    priority = models.CharField(
        _("mức độ"),
        max_length=10,
        choices=IncidentPriority.choices,
        default=IncidentPriority.NORMAL,
    )
    channel = models.CharField(_("kênh tiếp nhận"), max_length=10, choices=IncidentChannel.choices)
    attributes = models.JSONField(_("thông tin bổ sung"), default=dict, blank=True)

    # Personal data: shown only to staff with a role on the report, never in public outputs.
    reporter_name = models.CharField(_("họ tên người phản ánh"), max_length=200, blank=True)
    reporter_phone = models.CharField(_("điện thoại người phản ánh"), max_length=30, blank=True)
    reporter_email = models.EmailField(_("thư điện tử người phản ánh"), blank=True)
    reporter_may_be_contacted = models.BooleanField(_("đồng ý được liên hệ"), default=False)
    # SHA-256 of the secret handed to the reporter once, on creation: a leaked database does not
    # let anyone rate or reopen reports in the reporters' names.
    reporter_token_hash = models.CharField(_("mã bí mật của người phản ánh (băm)"), max_length=64)
    # SHA-256 of who submitted (account, API key or network address): the scope of idempotency keys.
    client_fingerprint = models.CharField(_("dấu vết nguồn gửi (băm)"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("khóa chống gửi trùng"), max_length=100, blank=True)

    is_public = models.BooleanField(_("công khai"), default=True)
    hidden_reason = models.CharField(_("lý do ẩn phản ánh"), max_length=500, blank=True)

    deadlines_from = models.DateTimeField(
        _("thời điểm bắt đầu tính hạn"),
        help_text=_(
            "Thời điểm phản ánh; sau khi chuyển đơn vị hoặc mở lại là thời điểm chuyển hoặc mở lại."
        ),
    )
    acknowledge_by = models.DateTimeField(_("hạn tiếp nhận"))
    resolve_by = models.DateTimeField(_("hạn giải quyết"))
    acknowledged_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    started_at = models.DateTimeField(_("thời điểm bắt đầu xử lý"), null=True, blank=True)
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("thời điểm giải quyết xong"), null=True, blank=True)
    closed_at = models.DateTimeField(_("thời điểm đóng"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("thời điểm từ chối"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("thời điểm mở lại"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("số lần mở lại"), default=0)
    transferred_count = models.PositiveSmallIntegerField(_("số lần chuyển đơn vị"), default=0)

    rejection_reason = models.CharField(
        _("lý do từ chối"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("trùng với"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    supporters_count = models.PositiveIntegerField(_("số người ủng hộ"), default=0)
    public_answer = models.TextField(_("trả lời công khai"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("đánh giá"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("nhận xét của người phản ánh"), blank=True)
    rated_at = models.DateTimeField(_("thời điểm đánh giá"), null=True, blank=True)

    # Stamped by the services with the moment they act at (now, or a step replayed from
    # history), not by auto_now: see incidents/services/__init__.py.
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    # The report's feature on the public map, as GeoJSON text in two parts around its category's
    # code (which lives in another table): the map list (`incidents_public_feature_collection`)
    # only joins the parts of 10,000 reports instead of formatting each one. PostgreSQL keeps
    # them (GENERATED … STORED): recomputed by every INSERT and UPDATE of the row, whatever
    # writes it, so they cannot fall out of step with the columns they show.
    map_feature_head = models.GeneratedField(
        verbose_name=_("đối tượng trên bản đồ công khai (phần đầu)"),
        expression=Concat(
            Value('{"type":"Feature","id":'),
            JsonText("tracking_code"),
            Value(',"geometry":'),
            models.Func(
                F("location"), Value(6), function="ST_AsGeoJSON", output_field=models.TextField()
            ),
            Value(',"properties":{"tracking_code":'),
            JsonText("tracking_code"),
            Value(',"category":'),
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    map_feature_tail = models.GeneratedField(
        verbose_name=_("đối tượng trên bản đồ công khai (phần cuối)"),
        expression=Concat(
            # Statuses are held to their CHECK constraint: no character to escape.
            Value(',"status":"'),
            F("status"),
            Value('","reported_at":"'),
            VietnamMomentText("reported_at"),
            Value('","summary":'),
            models.Case(
                models.When(description_hidden=True, then=Value("null")),
                default=JsonText(Left("description", PUBLIC_SUMMARY_LENGTH)),
                output_field=models.TextField(),
            ),
            Value(',"supporters_count":'),
            F("supporters_count"),
            Value("}}"),
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    # The deadline the unit works against now (`incident_current_deadline`): acknowledging while
    # the report is new, resolving while it is open, none once it is finished. Stored by
    # PostgreSQL (GENERATED … STORED) so that the queues can sort by it through an index and
    # read 50 rows at any size, instead of computing it for every report and sorting them all.
    current_deadline = models.GeneratedField(
        verbose_name=_("hạn xử lý hiện tại"),
        expression=models.Case(
            models.When(status=IncidentStatus.NEW, then=F("acknowledge_by")),
            models.When(status__in=sorted(OPEN_STATUSES), then=F("resolve_by")),
            default=None,
            output_field=models.DateTimeField(),
        ),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("phản ánh")
        verbose_name_plural = _("phản ánh")
        ordering = ["-reported_at", "-id"]
        permissions = [
            ("view_all_incidents", _("Xem mọi phản ánh (lãnh đạo)")),
            ("manage_all_incidents", _("Xử lý mọi phản ánh (quản trị viên)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client_fingerprint", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="incident_idempotency_key_unique_per_client",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="incident_rating_between_1_and_5",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IncidentStatus.values), name="incident_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")), name="incident_not_duplicate_of_itself"
            ),
        ]
        indexes = [
            # The public map and lists read newest first: with this index a page that is a small
            # part of the table is read in order, without sorting the whole table.
            models.Index(fields=["-reported_at", "-id"], name="incident_newest_first"),
            models.Index(fields=["agency", "status"], name="incident_agency_status"),
            models.Index(fields=["status", "reported_at"], name="incident_status_reported"),
            models.Index(fields=["category", "reported_at"], name="incident_category_reported"),
            models.Index(fields=["area", "reported_at"], name="incident_area_reported"),
            # The home page's latest answers, newest first: without it every answered report
            # is sorted (430 ms at 1,000,000 reports).
            models.Index(
                F("answered_at").desc(),
                F("id").desc(),
                name="incident_latest_answers",
                condition=Q(answered_at__isnull=False),
            ),
            # Open reports whose deadline has not passed: the summaries count every open
            # report, and "overdue" is that count less these: the reports filed, transferred or
            # reopened within their deadline, which grow with the flow of reports, not with the
            # table. The columns the counts read are included so that they are index-only scans
            # (at 1,000,000 reports, 148,000 such rows read from the table took seconds).
            models.Index(
                fields=["resolve_by"],
                name="incident_open_resolve_by",
                include=["status", "is_public", "rejection_reason", "category", "location"],
                condition=any_status_of(OPEN_STATUSES),
            ),
            # The staff's current deadline of open reports, by unit: acknowledging while new,
            # resolving after. Two plain partial indexes rather than one on the CASE expression,
            # which the benchmark loader cannot rebuild to the same definition.
            models.Index(
                fields=["agency", "acknowledge_by"],
                name="incident_new_acknowledge_by",
                condition=Q(status=IncidentStatus.NEW),
            ),
            models.Index(
                fields=["agency", "resolve_by"],
                name="incident_working_resolve_by",
                condition=any_status_of(OPEN_STATUSES - {IncidentStatus.NEW}),
            ),
            # The queues (incidents/queue_keyset.py, docs/staff_queues.md): one index per sort, in
            # the sort's order, so a page is the next 50 entries of an index. Most urgent first
            # covers the open reports only (finished ones have no deadline); a unit's newest
            # (and oldest, read backwards) covers every report of the unit.
            models.Index(
                fields=["agency", "current_deadline", "reported_at", "id"],
                name="incident_unit_urgency",
                condition=Q(current_deadline__isnull=False),
            ),
            models.Index(
                fields=["current_deadline", "reported_at", "id"],
                name="incident_urgency",
                condition=Q(current_deadline__isnull=False),
            ),
            models.Index(fields=["agency", "reported_at", "id"], name="incident_unit_reported"),
        ]

    objects = IncidentQuerySet.as_manager()

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_publicly_visible(self) -> bool:
        return self.is_public and not (
            self.status == IncidentStatus.REJECTED and self.rejection_reason == RejectionReason.SPAM
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # Hiding the text (`description_hidden`) hides everything the reporter wrote: the
    # description, the address and the free-text answers (`public_answer_shown`); every public
    # output reads them through these.
    @property
    def public_description(self) -> str | None:
        return None if self.description_hidden else self.description

    @property
    def public_address(self) -> str:
        return "" if self.description_hidden else self.address

    def public_answer_shown(self, datatype: str) -> bool:
        """Whether the answer to a question of `datatype` may be shown to the public: a choice
        from the question's list always; what the reporter typed only while the text is shown."""
        return datatype in LIST_DATATYPES or not self.description_hidden

    @property
    def public_original(self) -> Incident | None:
        """The report this one duplicates, if the public may see it now: an original hidden
        after the marking must not stay linked from the duplicate's public outputs."""
        original = self.duplicate_of
        return original if original is not None and original.is_publicly_visible else None


class IncidentAction(models.TextChoices):
    CREATED = "created", _("Gửi phản ánh")
    ACKNOWLEDGED = "acknowledged", _("Tiếp nhận")
    ASSIGNED = "assigned", _("Giao cán bộ xử lý")
    STARTED = "started", _("Bắt đầu xử lý")
    INFORMATION_REQUESTED = "information_requested", _("Đề nghị bổ sung thông tin")
    INFORMATION_PROVIDED = "information_provided", _("Người phản ánh bổ sung thông tin")
    TRANSFERRED = "transferred", _("Chuyển đơn vị xử lý")
    CORRECTED = "corrected", _("Điều chỉnh vị trí hoặc lĩnh vực")
    ANSWERED = "answered", _("Trả lời")
    RESOLVED = "resolved", _("Giải quyết xong")
    CLOSED = "closed", _("Đóng")
    REJECTED = "rejected", _("Từ chối")
    MARKED_DUPLICATE = "marked_duplicate", _("Đánh dấu trùng")
    DUPLICATE_RECEIVED = "duplicate_received", _("Nhận phản ánh trùng")
    REOPENED = "reopened", _("Mở lại")
    PRIORITY_CHANGED = "priority_changed", _("Thay đổi mức độ")
    RATED = "rated", _("Đánh giá")
    NOTE_ADDED = "note_added", _("Ghi chú nội bộ")
    ESCALATED = "escalated", _("Báo cáo cấp trên do quá hạn")
    HIDDEN = "hidden", _("Ẩn phản ánh")
    TEXT_HIDDEN = "text_hidden", _("Ẩn nội dung")
    PHOTO_HIDDEN = "photo_hidden", _("Ẩn ảnh")
    UNHIDDEN = "unhidden", _("Hiện lại phản ánh")
    TEXT_UNHIDDEN = "text_unhidden", _("Hiện lại nội dung")
    PHOTO_UNHIDDEN = "photo_unhidden", _("Hiện lại ảnh")


class IncidentEvent(models.Model):
    """One change of a report: who, when, from and to which status, and a note.

    `note` is shown publicly only when `is_public`; `data` holds internal details (reasons,
    previous and new units and deadlines) and is never public.
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("phản ánh"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incident_events",
        help_text=_("Để trống khi người dân hoặc hệ thống thực hiện."),
    )
    actor_label = models.CharField(_("hiển thị người thực hiện"), max_length=255)
    action = models.CharField(_("hành động"), max_length=30, choices=IncidentAction.choices)
    from_status = models.CharField(
        _("từ trạng thái"), max_length=24, choices=IncidentStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("sang trạng thái"), max_length=24, choices=IncidentStatus.choices, blank=True
    )
    note = models.TextField(_("ghi chú"), blank=True)
    is_public = models.BooleanField(_("công khai"), default=False)
    data = models.JSONField(_("chi tiết nội bộ"), default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("diễn biến xử lý")
        verbose_name_plural = _("diễn biến xử lý")
        ordering = ["incident", "created_at", "id"]
        indexes = [
            models.Index(fields=["incident", "created_at"], name="incident_event_timeline"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.action}"


# The summaries and the parts of a report are models of this app, kept in modules of their own;
# importing them here registers them when Django loads the app's models.
from incidents.report_part_models import (  # noqa: E402
    EscalationStage,
    IncidentEscalation,
    IncidentPhoto,
    IncidentSupporter,
    PhotoKind,
)
from incidents.summary_models import (  # noqa: E402
    IncidentDailySummary,
    IncidentHotspotCell,
    IncidentMapCell,
    IncidentMapChange,
    IncidentMapOverviewCell,
    IncidentUnitSummary,
)

__all__ = [
    "LIST_DATATYPES",
    "EscalationStage",
    "IncidentEscalation",
    "IncidentPhoto",
    "IncidentSupporter",
    "PhotoKind",
    "AttributeDatatype",
    "Category",
    "CategoryAttribute",
    "IncidentDailySummary",
    "IncidentHotspotCell",
    "IncidentMapCell",
    "IncidentMapChange",
    "IncidentMapOverviewCell",
    "IncidentUnitSummary",
]
