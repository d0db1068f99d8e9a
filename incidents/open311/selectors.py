"""Reads for Open311 GeoReport v2: services, service definitions and public service requests.

Each function returns the specification's records (dicts in the specification's field order), in
the language asked for (Vietnamese, or English where an English text exists), ready for
`incidents.open311.formats`.

Status mapping (GeoReport v2 knows only "open" and "closed"):

| Open311 | internal statuses                                                         |
|---------|---------------------------------------------------------------------------|
| open    | new, acknowledged, in_progress, information_requested, answered           |
| closed  | resolved, closed, rejected (spam, duplicate, outside the scope)           |

"answered" stays open: the unit has replied but the problem is not yet settled. `status_notes`
carries the detailed status, and the public answer or the reason for a rejection.

Privacy: only public reports are listed (the core's public rule: `is_public` and not rejected as
spam); no reporter name, phone, email, device or account is ever read here; a hidden text gives a
null description and the area's name for the address; only photos not hidden are linked, through
the app's own photo view (which checks on every request that the photo and its report are still
public), never by the storage's fixed path; a link the submitter typed (`Incident.media_url`) is
kept for the unit, not published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, FloatField, Func, OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput, NotFound
from incidents.models import (
    LIST_DATATYPES,
    AttributeDatatype,
    Category,
    CategoryAttribute,
    Incident,
    IncidentPhoto,
    IncidentPriority,
    IncidentStatus,
    PhotoKind,
    RejectionReason,
)
from incidents.open311.formats import FORMAT_MIME_TYPES, w3c_datetime
from incidents.tracking_codes import tracking_code_normalize

STATUS_OPEN = "open"
STATUS_CLOSED = "closed"
CLOSED_STATUSES = frozenset(
    {IncidentStatus.RESOLVED, IncidentStatus.CLOSED, IncidentStatus.REJECTED}
)
# The specification's response volume: "a span of 90 days or first 1000 requests returned,
# whichever is smallest"; a requested span may not exceed 90 days either.
MAX_REQUESTS = 1000
MAX_WINDOW = timedelta(days=90)
SERVICE_TYPE = "realtime"  # the report and its tracking code are created within the request

Language = str  # "vi" or "en"


def open311_status(status: str) -> str:
    return STATUS_CLOSED if status in CLOSED_STATUSES else STATUS_OPEN


def internal_statuses(open311_statuses: Sequence[str]) -> list[str]:
    """The internal statuses behind Open311 `open` and/or `closed`."""
    wanted = set(open311_statuses)
    return [status for status in IncidentStatus.values if open311_status(status) in wanted]


def _in_language(vietnamese: str, english: str, language: Language) -> str:
    return english if language == "en" and english else vietnamese


def jurisdiction_check(jurisdiction_id: str | None) -> None:
    """One jurisdiction is served, so the argument is optional; a different one is not found."""
    if jurisdiction_id is None or not str(jurisdiction_id).strip():
        return
    if str(jurisdiction_id).strip().lower() != settings.OPEN311_JURISDICTION_ID.lower():
        raise NotFound(
            _("Không tìm thấy jurisdiction_id “%(given)s”; hệ thống này phục vụ “%(served)s”.")
            % {"given": jurisdiction_id, "served": settings.OPEN311_JURISDICTION_ID},
            code="jurisdiction_not_found",
        )


# Discovery

SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2"


def discovery(*, endpoint_url: str) -> dict[str, Any]:
    """The Service Discovery document: one production (or test) GeoReport v2 endpoint."""
    return {
        "changeset": settings.OPEN311_CHANGESET,
        "contact": settings.OPEN311_CONTACT
        or _("Liên hệ quản trị viên hệ thống phản ánh, kiến nghị của tỉnh Quảng Ngãi."),
        "key_service": settings.OPEN311_KEY_SERVICE
        or _(
            "Khóa API (api_key) do quản trị viên hệ thống cấp, trong trang quản trị (Ứng dụng "
            "tích hợp) hoặc bằng lệnh manage.py open311_issue_key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION_URL,
                "url": endpoint_url,
                "changeset": settings.OPEN311_CHANGESET,
                "type": settings.OPEN311_ENDPOINT_TYPE,
                "formats": list(FORMAT_MIME_TYPES),
            }
        ],
    }


# Services


def service_list(*, language: Language) -> list[dict[str, Any]]:
    """Every active category as an Open311 service; `metadata` is true when it has questions."""
    categories = Category.objects.filter(is_active=True).order_by("order", "code")
    with_questions = set(
        CategoryAttribute.objects.filter(category__is_active=True)
        .values_list("category_id", flat=True)
        .distinct()
    )
    return [
        {
            "service_code": category.code,
            "service_name": _in_language(category.name, category.name_en, language),
            "description": _in_language(category.description, category.description_en, language),
            "metadata": category.id in with_questions,
            "type": SERVICE_TYPE,
            "keywords": category.keywords,
            "group": _in_language(category.group, category.group_en, language),
        }
        for category in categories
    ]


def service_get(*, service_code: str) -> Category:
    """An active category by its code; NotFound (the specification's 404) otherwise."""
    code = str(service_code or "").strip()
    category = Category.objects.filter(code=code, is_active=True).first() if code else None
    if category is None:
        raise NotFound(
            _("Không tìm thấy service_code “%(code)s”; xem danh sách tại services.xml.")
            % {"code": service_code},
            code="service_not_found",
        )
    return category


def _datatype_description(datatype: str) -> str | None:
    if datatype == AttributeDatatype.NUMBER:
        return _("Một số, ví dụ 3 hoặc 2.5.")
    if datatype == AttributeDatatype.DATETIME:
        return _("Ngày giờ ISO 8601, ví dụ 2025-07-01T08:30:00+07:00.")
    if datatype == AttributeDatatype.MULTI_VALUE_LIST:
        return _("Chọn một hoặc nhiều giá trị: gửi attribute[mã][]=khóa cho mỗi giá trị.")
    return None


def service_definition(*, service_code: str, language: Language) -> dict[str, Any]:
    """The category's extra questions as Open311 attributes.

    `order` is the question's position counted from 1: the specification wants distinct positive
    integers, while the stored order may start at 0 or repeat (ties are broken by the code).
    """
    category = service_get(service_code=service_code)
    questions = CategoryAttribute.objects.filter(category=category).order_by("order", "code")
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": question.variable,
                "code": question.code,
                "datatype": question.datatype,
                "required": question.required,
                "datatype_description": _datatype_description(question.datatype),
                "order": position,
                "description": _in_language(
                    question.description, question.description_en, language
                ),
                "values": [
                    {
                        "key": str(choice["key"]),
                        "name": _in_language(
                            str(choice.get("name", choice["key"])),
                            str(choice.get("name_en") or ""),
                            language,
                        ),
                    }
                    for choice in (question.values or [])
                ]
                if question.datatype in LIST_DATATYPES
                else [],
            }
            for position, question in enumerate(questions, start=1)
        ],
    }


# Service requests


@dataclass(frozen=True)
class RequestFilters:
    """GET requests' arguments, parsed. `service_request_ids` overrides every other argument."""

    service_request_ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()  # "open" and/or "closed"


def requested_window(
    *, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The span searched: the most recent 90 days by default; 90 days from a lone start_date, or
    up to a lone end_date; a given span may not exceed 90 days."""
    if start is None and end is None:
        return now - MAX_WINDOW, now
    if end is None:
        assert start is not None
        return start, start + MAX_WINDOW
    if start is None:
        return end - MAX_WINDOW, end
    if start > end:
        raise InvalidInput(_("start_date phải trước end_date."), code="start_after_end")
    if end - start > MAX_WINDOW:
        raise InvalidInput(
            _("Khoảng từ start_date đến end_date không được quá %(days)d ngày.")
            % {"days": MAX_WINDOW.days},
            code="window_too_long",
        )
    return start, end


_REQUEST_COLUMNS = (
    "id",
    "tracking_code",
    "status",
    "priority",
    "public_answer",
    "rejection_reason",
    "public_original_code",
    "category_id",
    "category__code",
    "category__name",
    "category__name_en",
    "category__acknowledge_within_hours",
    "category__urgent_acknowledge_within_hours",
    "category__urgent_resolve_within_hours",
    "category__normal_resolve_within_days",
    "category__complex_resolve_within_days",
    "description",
    "description_hidden",
    "agency__name",
    "agency__name_en",
    "reported_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "rejected_at",
    "resolve_by",
    "address",
    "area__name",
    "latitude",
    "longitude",
    "photo_id",
)


def _public_requests() -> Any:
    first_public_photo = (
        IncidentPhoto.objects.filter(
            incident=OuterRef("pk"), is_hidden=False, kind=PhotoKind.REPORT
        )
        .order_by("created_at", "id")
        .values("id")[:1]
    )
    # The original of a duplicate only while the public may see it (it may be hidden later).
    public_original_code = Incident.objects.public().filter(pk=OuterRef("duplicate_of_id"))
    return Incident.objects.public().annotate(
        public_original_code=Subquery(public_original_code.values("tracking_code")[:1]),
        latitude=Func(F("location"), function="ST_Y", output_field=FloatField()),
        longitude=Func(F("location"), function="ST_X", output_field=FloatField()),
        photo_id=Subquery(first_public_photo),
    )


def service_requests(
    *,
    filters: RequestFilters,
    language: Language,
    media_url_of: Callable[[str, int], str],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Public reports, newest first, at most 1,000, in one query (plus none per row).

    `media_url_of` turns a report's code and its photo's id into the absolute URL of the public
    photo view given to clients.
    """
    queryset = _public_requests()
    if filters.service_request_ids:
        codes = {tracking_code_normalize(code) for code in filters.service_request_ids}
        queryset = queryset.filter(tracking_code__in=[code for code in codes if code])
    else:
        start, end = requested_window(
            start=filters.start, end=filters.end, now=now or timezone.now()
        )
        queryset = queryset.filter(reported_at__gte=start, reported_at__lte=end)
        if filters.service_codes:
            queryset = queryset.filter(category__code__in=filters.service_codes)
        if filters.statuses:
            queryset = queryset.filter(status__in=internal_statuses(filters.statuses))
    rows = queryset.order_by("-reported_at", "-id").values(*_REQUEST_COLUMNS)[:MAX_REQUESTS]
    return _service_request_records(rows, language=language, media_url_of=media_url_of)


def service_request(
    *, service_request_id: str, language: Language, media_url_of: Callable[[str, int], str]
) -> list[dict[str, Any]]:
    """One public report as the specification's list of one; NotFound otherwise."""
    code = tracking_code_normalize(service_request_id)
    rows = _public_requests().filter(tracking_code=code).values(*_REQUEST_COLUMNS) if code else []
    records = _service_request_records(rows, language=language, media_url_of=media_url_of)
    if not records:
        raise NotFound(
            _("Không tìm thấy phản ánh có mã “%(code)s”.") % {"code": service_request_id},
            code="service_request_not_found",
        )
    return records


def service_request_id_for_token(*, token: str) -> list[dict[str, Any]]:
    """Reports are created within the POST, so a token is the tracking code itself: a client
    that asks for one gets the code back if such a public report exists."""
    code = tracking_code_normalize(token)
    exists = code is not None and Incident.objects.public().filter(tracking_code=code).exists()
    if not exists:
        raise NotFound(
            _("Không tìm thấy token “%(token)s”.") % {"token": token}, code="token_not_found"
        )
    return [{"service_request_id": code, "token": token}]


def handling_norm(
    *,
    priority: str,
    acknowledge_within_hours: int,
    urgent_acknowledge_within_hours: int,
    urgent_resolve_within_hours: int,
    normal_resolve_within_days: int,
    complex_resolve_within_days: int,
) -> str:
    """The category's norm for a priority, in words: the `service_notice` of an open request."""
    if priority == IncidentPriority.URGENT:
        return _(
            "Tiếp nhận trong %(acknowledge)d giờ làm việc; giải quyết trong %(resolve)d giờ "
            "làm việc."
        ) % {"acknowledge": urgent_acknowledge_within_hours, "resolve": urgent_resolve_within_hours}
    days = (
        complex_resolve_within_days
        if priority == IncidentPriority.COMPLEX
        else normal_resolve_within_days
    )
    return _(
        "Tiếp nhận trong %(acknowledge)d giờ làm việc; giải quyết trong %(resolve)d ngày làm việc."
    ) % {"acknowledge": acknowledge_within_hours, "resolve": days}


def service_notice_for_created(*, incident: Incident, language: Language) -> str:
    """What the POST answers in `service_notice`: the norm, the unit and the resolve deadline."""
    category = incident.category
    norm = handling_norm(
        priority=incident.priority,
        acknowledge_within_hours=category.acknowledge_within_hours,
        urgent_acknowledge_within_hours=category.urgent_acknowledge_within_hours,
        urgent_resolve_within_hours=category.urgent_resolve_within_hours,
        normal_resolve_within_days=category.normal_resolve_within_days,
        complex_resolve_within_days=category.complex_resolve_within_days,
    )
    deadline = formats.date_format(
        incident.resolve_by.astimezone(VIETNAM_TIME_ZONE), "SHORT_DATETIME_FORMAT"
    )
    unit = _in_language(incident.agency.name, incident.agency.name_en, language)
    return f"{norm} " + _("Đơn vị xử lý: %(agency)s; hạn giải quyết: %(deadline)s.") % {
        "agency": unit,
        "deadline": deadline,
    }


def _service_request_records(
    rows: Any, *, language: Language, media_url_of: Callable[[str, int], str]
) -> list[dict[str, Any]]:
    # Labels are translated once per request, not once per row: 1,000 rows stay a plain loop.
    status_labels = {status.value: str(status.label) for status in IncidentStatus}
    rejection_labels = {reason.value: str(reason.label) for reason in RejectionReason}
    norms: dict[tuple[int, str], str] = {}
    records = []
    for row in rows:
        status = row["status"]
        closed = status in CLOSED_STATUSES
        if status == IncidentStatus.REJECTED:
            detail = rejection_labels.get(row["rejection_reason"], "")
            if row["public_original_code"]:
                detail = f"{detail} ({row['public_original_code']})"
        else:
            detail = row["public_answer"]
        notes = status_labels[status] + (f": {detail}" if detail else "")
        if closed:
            notice = None
            updated = (
                max(
                    moment
                    for moment in (row["closed_at"], row["resolved_at"], row["rejected_at"], None)
                    if moment is not None
                )
                if (row["closed_at"] or row["resolved_at"] or row["rejected_at"])
                else row["updated_at"]
            )
        else:
            key = (row["category_id"], row["priority"])
            notice = norms.get(key)
            if notice is None:
                notice = norms[key] = handling_norm(
                    priority=row["priority"],
                    acknowledge_within_hours=row["category__acknowledge_within_hours"],
                    urgent_acknowledge_within_hours=row[
                        "category__urgent_acknowledge_within_hours"
                    ],
                    urgent_resolve_within_hours=row["category__urgent_resolve_within_hours"],
                    normal_resolve_within_days=row["category__normal_resolve_within_days"],
                    complex_resolve_within_days=row["category__complex_resolve_within_days"],
                )
            updated = row["updated_at"]
        records.append(
            {
                "service_request_id": row["tracking_code"],
                "status": STATUS_CLOSED if closed else STATUS_OPEN,
                "status_notes": notes,
                "service_name": _in_language(
                    row["category__name"], row["category__name_en"], language
                ),
                "service_code": row["category__code"],
                "description": None if row["description_hidden"] else row["description"],
                "agency_responsible": _in_language(
                    row["agency__name"], row["agency__name_en"], language
                ),
                "service_notice": notice,
                "requested_datetime": w3c_datetime(row["reported_at"]),
                "updated_datetime": w3c_datetime(updated),
                "expected_datetime": w3c_datetime(row["resolve_by"]),
                # A hidden text hides the address the reporter typed too; the area stays.
                "address": (None if row["description_hidden"] else row["address"])
                or row["area__name"],
                "address_id": None,
                "zipcode": None,
                "lat": row["latitude"],
                "long": row["longitude"],
                # The first public photo sent with the report, at the view that checks it is
                # still public. Not the link a submitter typed: no moderation reaches it.
                "media_url": media_url_of(row["tracking_code"], row["photo_id"])
                if row["photo_id"]
                else None,
            }
        )
    return records
