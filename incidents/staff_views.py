"""The officials' pages: the unit's queue, one report with its actions, and the unit's map.

Thin views: they parse the request with the forms of `incidents.staff_forms`, read with the
selectors of each page (`incidents.staff_queue_selectors`, `staff_report_selectors`,
`staff_map_selectors`) and the core's, and write only through `incidents.services`. A refused action (a DomainError) is shown with the service's own message
and has changed nothing, since every service checks before it writes.

A report outside the officer's units answers 404, like a code that does not exist, so that an
officer of another unit cannot learn which codes exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from geoapp.exceptions import DomainError, ErrorKind, NotFound
from incidents import (
    permissions,
    selectors,
    services,
    staff_map_selectors,
    staff_queue_selectors,
    staff_report_selectors,
)
from incidents.models import Incident, IncidentStatus
from incidents.staff_forms import (
    AnswerForm,
    AssignForm,
    InternalNoteForm,
    MarkDuplicateForm,
    ModerationForm,
    NoteForm,
    PhotoModerationForm,
    PhotoUnhideForm,
    PriorityForm,
    QueueFilterForm,
    RejectForm,
    RequestInformationForm,
    ResolveForm,
    TransferForm,
    UnhideForm,
)
from incidents.staff_queue_selectors import StaffScope
from incidents.staff_report_selectors import StaffReport
from wards.models import Agency

View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """The request a staff page receives: `login_required` has let only a signed-in user through,
    and `staff_page` has read the user's scope once and attached it."""

    user: User
    staff_scope: StaffScope


def staff_page(view: View) -> View:
    """Signed-in staff only: others are sent to the login page; an account with no role on any
    report (no unit, not a leader or administrator) is told so (403)."""

    @login_required
    @wraps(view)
    def guarded(request: StaffRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Read once per request: the views pass it on to the selectors.
        request.staff_scope = staff_queue_selectors.staff_scope(user=request.user)
        if not request.staff_scope.is_staff:
            return render(request, "incidents/staff/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return guarded


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "incidents/staff/not_found.html", {"message": message}, status=404)


# The queue


@require_GET
@staff_page
def queue(request: StaffRequest) -> HttpResponse:
    """The reports of the officer's units, most urgent first, with filters and counts."""
    scope = request.staff_scope
    choices = staff_queue_selectors.staff_queue_choices(user=request.user, scope=scope)
    form = QueueFilterForm(request.GET, choices=choices)
    filters = form.filters()
    result = staff_queue_selectors.staff_queue(
        user=request.user,
        filters=filters,
        page_number=request.GET.get("page") or 1,
        cursor=form.page_cursor(),
        scope=scope,
    )
    without_page = request.GET.copy()
    without_page.pop("page", None)
    without_page.pop("cursor", None)
    without_status = without_page.copy()
    without_status.pop("status", None)
    return render(
        request,
        "incidents/staff/queue.html",
        {
            "form": form,
            "filters": filters,
            "queue": result,
            "page": result.page,
            "counts": result.counts,
            "status_counts": [
                (value, label, result.counts.by_status[value])
                for value, label in IncidentStatus.choices
            ],
            "query_without_page": without_page.urlencode(),
            "query_without_status": without_status.urlencode(),
            "agencies": choices.agencies,
        },
        status=400 if form.errors else 200,
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@staff_page
def queue_acknowledge(request: StaffRequest) -> HttpResponse:
    """Acknowledge the ticked reports, one service call each; every failure is reported with the
    report's code and the service's reason, and does not stop the others."""
    codes = staff_queue_selectors.tracking_codes_in(request.POST.getlist("codes"))
    back = _safe_next(request, reverse("staff-queue"))
    if not codes:
        messages.warning(request, _("Chưa chọn phản ánh nào để tiếp nhận."))
        return HttpResponseRedirect(back)
    acknowledged: list[str] = []
    for code in codes:
        try:
            incident = selectors.incident_get_for_staff(user=request.user, tracking_code=code)
            services.incident_acknowledge(actor=request.user, incident=incident)
        except DomainError as refusal:
            messages.error(
                request,
                _("%(code)s: %(reason)s") % {"code": code, "reason": refusal.message},
            )
        else:
            acknowledged.append(code)
    if acknowledged:
        messages.success(
            request,
            ngettext(
                "Đã tiếp nhận %(count)d phản ánh: %(codes)s.",
                "Đã tiếp nhận %(count)d phản ánh: %(codes)s.",
                len(acknowledged),
            )
            % {"count": len(acknowledged), "codes": ", ".join(acknowledged)},
        )
    return HttpResponseRedirect(back)


# One report


@dataclass(frozen=True)
class ActionSpec:
    slug: str
    title: Any
    form_class: type[forms.Form]
    accepts_files: bool = False
    # Rejections and moderation are shown apart from the everyday actions.
    is_final: bool = False


ACTIONS: dict[str, ActionSpec] = {
    "acknowledge": ActionSpec("tiep-nhan", gettext_lazy("Tiếp nhận"), NoteForm),
    "assign": ActionSpec("giao-xu-ly", gettext_lazy("Giao cán bộ xử lý"), AssignForm),
    "start": ActionSpec("bat-dau-xu-ly", gettext_lazy("Bắt đầu xử lý"), NoteForm),
    "request_information": ActionSpec(
        "de-nghi-bo-sung", gettext_lazy("Đề nghị bổ sung thông tin"), RequestInformationForm
    ),
    "answer": ActionSpec("tra-loi", gettext_lazy("Trả lời"), AnswerForm),
    "resolve": ActionSpec(
        "giai-quyet-xong", gettext_lazy("Giải quyết xong"), ResolveForm, accepts_files=True
    ),
    "transfer": ActionSpec("chuyen-don-vi", gettext_lazy("Chuyển đơn vị"), TransferForm),
    "mark_duplicate": ActionSpec(
        "danh-dau-trung", gettext_lazy("Đánh dấu trùng"), MarkDuplicateForm, is_final=True
    ),
    # "Từ chối" alone is also the status "Rejected": the button needs the verb.
    "reject": ActionSpec(
        "tu-choi", pgettext_lazy("thao tác", "Từ chối"), RejectForm, is_final=True
    ),
    "close": ActionSpec("dong", gettext_lazy("Đóng phản ánh"), NoteForm),
    "set_priority": ActionSpec("doi-muc-do", gettext_lazy("Đổi mức độ"), PriorityForm),
    "add_note": ActionSpec("ghi-chu", gettext_lazy("Ghi chú nội bộ"), InternalNoteForm),
    "hide": ActionSpec(
        "an-phan-anh", gettext_lazy("Ẩn phản ánh khỏi công khai"), ModerationForm, is_final=True
    ),
    "hide_text": ActionSpec(
        "an-noi-dung", gettext_lazy("Ẩn nội dung khỏi công khai"), ModerationForm, is_final=True
    ),
    "hide_photo": ActionSpec(
        "an-anh", gettext_lazy("Ẩn ảnh khỏi công khai"), PhotoModerationForm, is_final=True
    ),
    "unhide": ActionSpec(
        "hien-lai-phan-anh", gettext_lazy("Hiện lại phản ánh"), UnhideForm, is_final=True
    ),
    "unhide_text": ActionSpec(
        "hien-lai-noi-dung", gettext_lazy("Hiện lại nội dung"), UnhideForm, is_final=True
    ),
    "unhide_photo": ActionSpec(
        "hien-lai-anh", gettext_lazy("Hiện lại ảnh"), PhotoUnhideForm, is_final=True
    ),
}
ACTION_OF_SLUG = {spec.slug: action for action, spec in ACTIONS.items()}

SUCCESS_MESSAGES = {
    "acknowledge": gettext_lazy("Đã tiếp nhận phản ánh %(code)s."),
    "assign": gettext_lazy("Đã giao phản ánh %(code)s cho cán bộ xử lý."),
    "start": gettext_lazy("Đã bắt đầu xử lý phản ánh %(code)s."),
    "request_information": gettext_lazy("Đã gửi đề nghị bổ sung thông tin của phản ánh %(code)s."),
    "answer": gettext_lazy("Đã gửi trả lời phản ánh %(code)s."),
    "resolve": gettext_lazy("Phản ánh %(code)s đã được ghi nhận là giải quyết xong."),
    "transfer": gettext_lazy("Đã chuyển phản ánh %(code)s."),
    "mark_duplicate": gettext_lazy("Đã đánh dấu phản ánh %(code)s là trùng."),
    "reject": gettext_lazy("Đã từ chối phản ánh %(code)s."),
    "close": gettext_lazy("Đã đóng phản ánh %(code)s."),
    "set_priority": gettext_lazy("Đã đổi mức độ của phản ánh %(code)s."),
    "add_note": gettext_lazy("Đã thêm ghi chú nội bộ vào phản ánh %(code)s."),
    "hide": gettext_lazy("Phản ánh %(code)s đã được ẩn khỏi công khai."),
    "hide_text": gettext_lazy("Nội dung phản ánh %(code)s đã được ẩn khỏi công khai."),
    "hide_photo": gettext_lazy("Ảnh của phản ánh %(code)s đã được ẩn khỏi công khai."),
    "unhide": gettext_lazy("Phản ánh %(code)s đã được hiện lại trên trang công khai."),
    "unhide_text": gettext_lazy(
        "Nội dung phản ánh %(code)s đã được hiện lại trên trang công khai."
    ),
    "unhide_photo": gettext_lazy(
        "Ảnh của phản ánh %(code)s đã được hiện lại trên trang công khai."
    ),
}


def _form_for(action: str, report: StaffReport, data: Any = None, files: Any = None) -> forms.Form:
    spec = ACTIONS[action]
    incident = report.incident
    keyword: dict[str, Any] = {"prefix": action}
    if action == "assign":
        keyword["officers"] = staff_report_selectors.unit_officers(agency_id=incident.agency_id)
    elif action == "transfer":
        keyword["agencies"] = staff_report_selectors.transfer_targets(incident=incident)
    elif action == "hide_photo":
        keyword["photos"] = incident.photos.order_by("created_at", "id")
    elif action == "unhide_photo":
        keyword["photos"] = incident.photos.filter(is_hidden=True).order_by("created_at", "id")
    elif action == "resolve" and data is None:
        keyword["initial"] = {"answer": incident.public_answer}
    elif action == "mark_duplicate" and data is None and report.duplicate_search:
        found = report.duplicate_search.found
        keyword["initial"] = {"original": found.tracking_code if found else ""}
    if spec.accepts_files:
        return spec.form_class(data, files, **keyword)
    return spec.form_class(data, **keyword)


def _perform(
    action: str, *, request: StaffRequest, incident: Incident, values: dict[str, Any]
) -> Incident:
    """Call the one service behind `action`; its refusal (DomainError) propagates."""
    actor = request.user
    if action == "acknowledge":
        return services.incident_acknowledge(actor=actor, incident=incident, note=values["note"])
    if action == "start":
        return services.incident_start(actor=actor, incident=incident, note=values["note"])
    if action == "close":
        return services.incident_close(actor=actor, incident=incident, note=values["note"])
    if action == "assign":
        return services.incident_assign(actor=actor, incident=incident, assignee=values["assignee"])
    if action == "request_information":
        return services.incident_request_information(
            actor=actor, incident=incident, question=values["question"]
        )
    if action == "answer":
        return services.incident_answer(actor=actor, incident=incident, answer=values["answer"])
    if action == "resolve":
        return services.incident_resolve(
            actor=actor,
            incident=incident,
            answer=values["answer"],
            evidence_photo=values["evidence_photo"] or None,
        )
    if action == "transfer":
        return services.incident_transfer(
            actor=actor, incident=incident, reason=values["reason"], to_agency=values["to_agency"]
        )
    if action == "mark_duplicate":
        original = staff_report_selectors.duplicate_original_get(
            user=actor, incident=incident, tracking_code=values["original"]
        )
        return services.incident_mark_duplicate(
            actor=actor, incident=incident, original=original, note=values["note"]
        )
    if action == "reject":
        return services.incident_reject(
            actor=actor, incident=incident, reason=values["reason"], note=values["note"]
        )
    if action == "set_priority":
        return services.incident_set_priority(
            actor=actor, incident=incident, priority=values["priority"], note=values["note"]
        )
    if action == "add_note":
        return services.incident_note_add(actor=actor, incident=incident, note=values["note"])
    if action == "hide":
        return services.incident_hide(actor=actor, incident=incident, reason=values["reason"])
    if action == "hide_text":
        return services.incident_text_hide(actor=actor, incident=incident, reason=values["reason"])
    if action == "hide_photo":
        services.photo_hide(actor=actor, photo=values["photo"], reason=values["reason"])
        return incident
    if action == "unhide":
        return services.incident_unhide(actor=actor, incident=incident, reason=values["reason"])
    if action == "unhide_text":
        return services.incident_text_unhide(
            actor=actor, incident=incident, reason=values["reason"]
        )
    if action == "unhide_photo":
        services.photo_unhide(actor=actor, photo=values["photo"], reason=values["reason"])
        return incident
    raise ValueError(f"unknown action {action}")


@dataclass(frozen=True)
class ActionPanel:
    action: str
    title: Any
    url: str
    form: forms.Form
    error: str
    is_open: bool
    is_final: bool
    accepts_files: bool


# What a refusal answers: the kind of DomainError decides the status of the re-rendered page.
# A report or photo named in the form that does not exist is a mistake in the input (400).
REFUSAL_STATUS = {
    ErrorKind.INVALID: 400,
    ErrorKind.NOT_FOUND: 400,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.CONFLICT: 409,
}


def _render_report(
    request: HttpRequest,
    report: StaffReport,
    *,
    failed_action: str = "",
    failed_form: forms.Form | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    code = report.incident.tracking_code
    panels = []
    for action in report.actions:
        spec = ACTIONS[action]
        failed = action == failed_action
        panels.append(
            ActionPanel(
                action=action,
                title=spec.title,
                url=reverse("staff-report-action", args=[code, spec.slug]),
                form=failed_form
                if failed and failed_form is not None
                else _form_for(action, report),
                error=error if failed else "",
                is_open=failed or (action == "mark_duplicate" and bool(report.duplicate_search)),
                is_final=spec.is_final,
                accepts_files=spec.accepts_files,
            )
        )
    return render(
        request,
        "incidents/staff/report.html",
        {
            "report": report,
            "incident": report.incident,
            "everyday_panels": [panel for panel in panels if not panel.is_final],
            "final_panels": [panel for panel in panels if panel.is_final],
            "refusal": error if failed_action and failed_form is not None else "",
        },
        status=status,
    )


@require_GET
@staff_page
def report(request: StaffRequest, tracking_code: str) -> HttpResponse:
    try:
        staff_report = staff_report_selectors.staff_report(
            user=request.user,
            tracking_code=tracking_code,
            duplicate_query=request.GET.get("duplicate", ""),
            scope=request.staff_scope,
        )
    except NotFound as missing:
        return _not_found(request, missing.message)
    return _render_report(request, staff_report)


@require_POST
@staff_page
def report_action(request: StaffRequest, tracking_code: str, action_slug: str) -> HttpResponse:
    """One action on one report, through its service; on success back to the report (or to the
    queue when the report left the officer's units), on a refusal the page with the reason."""
    action = ACTION_OF_SLUG.get(action_slug)
    try:
        staff_report = staff_report_selectors.staff_report(
            user=request.user, tracking_code=tracking_code, scope=request.staff_scope
        )
    except NotFound as missing:
        return _not_found(request, missing.message)
    if action is None:
        return _not_found(request, _("Không có thao tác này."))
    incident = staff_report.incident
    form = _form_for(action, staff_report, request.POST, request.FILES)
    if not form.is_valid():
        return _render_report(
            request,
            staff_report,
            failed_action=action,
            failed_form=form,
            error=_("Vui lòng kiểm tra lại các trường được đánh dấu."),
            status=400,
        )
    try:
        changed = _perform(action, request=request, incident=incident, values=form.cleaned_data)
    except DomainError as refusal:
        # The service refused before writing anything: the page is shown as it is now, unless
        # the report has meanwhile left the officer's units (another officer transferred it).
        try:
            current = staff_report_selectors.staff_report(
                user=request.user, tracking_code=tracking_code, scope=request.staff_scope
            )
        except NotFound:
            return _not_found(request, refusal.message)
        return _render_report(
            request,
            current,
            failed_action=action,
            failed_form=form,
            error=refusal.message,
            status=REFUSAL_STATUS[refusal.kind],
        )
    messages.success(request, SUCCESS_MESSAGES[action] % {"code": incident.tracking_code})
    if not permissions.can_view(request.user, changed):
        return redirect("staff-queue")
    return redirect("staff-report", tracking_code=incident.tracking_code)


@require_GET
@staff_page
def photo(request: StaffRequest, photo_id: int, size: str = "full") -> HttpResponseBase:
    """A photo of a report the user may see, hidden ones included (they are marked on the page);
    served by the app so that photos hidden from the public are never at a public address."""
    try:
        found = staff_report_selectors.photo_for_staff(user=request.user, photo_id=photo_id)
    except NotFound as missing:
        return _not_found(request, missing.message)
    stored = found.thumbnail if size == "thumbnail" else found.image
    content_type = "image/jpeg" if size == "thumbnail" else found.content_type
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# The unit's map


@require_GET
@staff_page
def area_map(request: StaffRequest) -> HttpResponse:
    scope = request.staff_scope
    return render(
        request,
        "incidents/staff/area_map.html",
        {
            "agencies": Agency.objects.filter(pk__in=scope.agency_ids).order_by("name"),
            "sees_everything": scope.sees_everything,
            "status_choices": IncidentStatus.choices,
        },
    )


@require_GET
@staff_page
def area_map_areas(request: StaffRequest) -> HttpResponse:
    return HttpResponse(
        staff_map_selectors.staff_map_areas(user=request.user, scope=request.staff_scope),
        content_type="application/geo+json",
    )


@require_GET
@staff_page
def area_map_reports(request: StaffRequest) -> HttpResponse:
    """The open reports inside the map's bounding box (`bbox=minlon,minlat,maxlon,maxlat`,
    required: the map never asks for the whole table)."""
    try:
        bbox = selectors.parse_bbox(request.GET.get("bbox"))
        if bbox is None:
            raise DomainError(_("Thiếu bbox (minlon,minlat,maxlon,maxlat)."), code="missing_bbox")
    except DomainError as invalid:
        return HttpResponse(invalid.message, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(
        staff_map_selectors.staff_map_reports(
            user=request.user,
            bbox=bbox,
            report_url_prefix=reverse("staff-queue"),
            scope=request.staff_scope,
        ),
        content_type="application/geo+json",
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("staff-queue")
