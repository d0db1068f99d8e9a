"""Pages of procedures: the public lookup, and the officers' desk, queue, dossier and statistics.

Thin: each parses the request, calls one service or selector and renders; domain errors are shown
on the page in the user's language and change nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from geoapp.clock import vietnam_now, vietnam_today
from geoapp.exceptions import DomainError, InvalidInput, NotFound
from geoapp.exceptions import PermissionDenied as DomainPermissionDenied
from procedures import selectors, services, workflow
from procedures.models import Dossier, DossierEvent, DossierStatus
from wards.models import AgencyMembership

STATISTICS_COLUMNS = (
    "key", "label", "received", "finished", "early", "on_time", "late", "in_progress_within",
    "in_progress_overdue", "paused", "average_working_days", "median_working_days",
)  # fmt: skip


def lookup_page(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("ma", "").strip()
    dossier, error = None, None
    if code:
        try:
            dossier = selectors.dossier_public(code=code)
        except DomainError as problem:
            error = problem.message
    return render(
        request, "procedures/lookup.html", {"code": code, "dossier": dossier, "error": error}
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _viewable(user: User, code: str) -> Dossier:
    """The dossier if this officer may see it: 404 for an unknown code, 403 for another unit's."""
    try:
        dossier = selectors.dossier_get(code=code)
        services.require_staff_view(actor=user, dossier=dossier)
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainPermissionDenied as refused:
        raise PermissionDenied(refused.message) from None
    return dossier


def _unit_ids(user: User) -> list[int]:
    return list(AgencyMembership.objects.filter(user=user).values_list("agency_id", flat=True))


@login_required
def queue_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        try:
            dossier = services.dossier_receive(
                procedure_code=request.POST.get("procedure_code", ""),
                unit_code=request.POST.get("receiving_unit", ""),
                received_at=vietnam_now(),
                channel=request.POST.get("channel", "counter"),
                actor=user,
                applicant={
                    "name": request.POST.get("applicant_name", ""),
                    "id_number": request.POST.get("applicant_id_number", ""),
                    "phone": request.POST.get("applicant_phone", ""),
                },
            )
        except DomainError as problem:
            messages.error(request, problem.message)
        else:
            messages.success(
                request,
                _("Đã tiếp nhận hồ sơ %(code)s, hẹn trả %(date)s.")
                % {"code": dossier.code, "date": f"{dossier.appointment_at:%d/%m/%Y %H:%M}"},
            )
            return redirect("procedures-staff-dossier", code=dossier.code)
    units = AgencyMembership.objects.filter(user=user).select_related("agency")
    area = request.GET.get("khu-vuc", "")
    area_id = int(area) if area.isdigit() else None
    return render(
        request,
        "procedures/queue.html",
        {
            "dossiers": selectors.unit_queue(unit_ids=_unit_ids(user), area_id=area_id),
            "area_id": area_id,
            "now": vietnam_now(),
            "units": [membership.agency for membership in units],
            "procedures": selectors.procedures_list(),
        },
    )


@login_required
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        try:
            new_appointment = request.POST.get("new_appointment_at", "")
            leg_days = request.POST.get("leg_days", "")
            services.dossier_act(
                code=code,
                action=request.POST.get("action", ""),
                actor=user,
                note=request.POST.get("note", ""),
                to_unit_code=request.POST.get("to_unit") or None,
                leg_days=int(leg_days) if leg_days.isdigit() else None,
                new_appointment_at=(
                    datetime.datetime.fromisoformat(new_appointment + "T17:00:00+07:00")
                    if new_appointment
                    else None
                ),
            )
        except (DomainError, ValueError) as problem:
            messages.error(
                request,
                problem.message if isinstance(problem, DomainError) else _("Ngày không hợp lệ."),
            )
        else:
            messages.success(request, _("Đã cập nhật hồ sơ."))
        return redirect("procedures-staff-dossier", code=code)
    dossier = _viewable(user, code)
    return render(
        request,
        "procedures/dossier.html",
        {
            "dossier": dossier,
            "actions": [
                (action, services.ACTION_LABELS[action])
                for action in workflow.allowed_actions(dossier.status)
            ],
            "events": _labelled(list(dossier.events.select_related("actor", "unit"))),
            "legs": dossier.legs.select_related("unit"),
        },
    )


@dataclass(frozen=True)
class EventLine:
    """An event as the dossier page shows it: action and statuses in the reader's language."""

    event: DossierEvent
    action_label: str
    from_label: str
    to_label: str


def _labelled(events: list[DossierEvent]) -> list[EventLine]:
    statuses = dict(DossierStatus.choices)
    labels = {**_ACTION_EXTRA, **services.ACTION_LABELS}
    return [
        EventLine(
            event=event,
            action_label=str(labels.get(event.action, event.action)),
            from_label=str(statuses.get(event.from_status, event.from_status)),
            to_label=str(statuses.get(event.to_status, event.to_status)),
        )
        for event in events
    ]


_ACTION_EXTRA = {
    "receive": gettext_lazy("tiếp nhận"),
    "import": gettext_lazy("nhập từ hệ thống khác"),
}


@login_required
def dossier_map_page(request: HttpRequest) -> HttpResponse:
    """The choropleth of dossiers per area on a day: the page reads the by-area API (counts
    only) and links each area to the queue filtered to it."""
    try:
        on = datetime.date.fromisoformat(request.GET.get("ngay") or vietnam_today().isoformat())
    except ValueError:
        on = vietnam_today()
        messages.error(request, _("Ngày không hợp lệ."))
    labels = {
        "received": _("Tiếp nhận trong ngày"), "finished": _("Giải quyết trong ngày"),
        "finished_late": _("Giải quyết trễ hạn"), "open": _("Đang xử lý cuối ngày"),
        "open_overdue": _("Đang xử lý quá hạn"), "late_rate": _("Tỷ lệ trễ hạn"),
        "no_data": _("Không có hồ sơ"), "dossiers": _("Xem hồ sơ của địa bàn"),
        "elsewhere": _("Hồ sơ ở địa bàn không còn hiệu lực ngày này"),
    }  # fmt: skip
    return render(
        request,
        "procedures/dossier_map.html",
        {"on": on, "labels": labels, "classes": LATE_CLASSES},
    )


# The map's classes of the share late, half-open (lower, upper]; the first is exactly 0.
LATE_CLASSES = [
    {"lower": None, "upper": 0.0, "colour": "#1a9850", "label": "0 %"},
    {"lower": 0.0, "upper": 0.1, "colour": "#a6d96a", "label": "(0 – 10 %]"},
    {"lower": 0.1, "upper": 0.25, "colour": "#fee08b", "label": "(10 – 25 %]"},
    {"lower": 0.25, "upper": 0.5, "colour": "#fc8d59", "label": "(25 – 50 %]"},
    {"lower": 0.5, "upper": 1.0, "colour": "#d73027", "label": "(50 – 100 %]"},
]


@login_required
def appointment_slip_page(request: HttpRequest, code: str) -> HttpResponse:
    """The appointment slip (giấy tiếp nhận và hẹn trả kết quả), printable from the browser."""
    dossier = _viewable(_user(request), code)
    return render(request, "procedures/appointment_slip.html", {"dossier": dossier})


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    today = vietnam_today()
    try:
        date_from = datetime.date.fromisoformat(request.GET.get("from") or f"{today.year}-01-01")
        date_to = datetime.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        date_from, date_to = datetime.date(today.year, 1, 1), today
        messages.error(request, _("Ngày không hợp lệ."))
    group_by = request.GET.get("group_by", "unit")
    try:
        rows = selectors.dossier_statistics(date_from=date_from, date_to=date_to, group_by=group_by)
    except InvalidInput as problem:
        messages.error(request, problem.message)
        rows = []
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(rows, export)
    return render(
        request,
        "procedures/statistics.html",
        {"rows": rows, "date_from": date_from, "date_to": date_to, "group_by": group_by,
         "groupings": selectors.GROUPINGS},
    )  # fmt: skip


def _export(rows: list[dict[str, object]], kind: str) -> HttpResponse:
    """Counts and rates only: the statistics never carry a dossier, so no personal data."""
    header = [*STATISTICS_COLUMNS, "on_time_numerator", "on_time_denominator", "on_time_rate",
              "online_numerator", "online_denominator", "online_rate"]  # fmt: skip
    table = [
        [
            *(row[column] for column in STATISTICS_COLUMNS),
            *(row["on_time_rate"][part] for part in ("numerator", "denominator", "value")),  # type: ignore[index]
            *(row["online_rate"][part] for part in ("numerator", "denominator", "value")),  # type: ignore[index]
        ]
        for row in rows
    ]
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(table)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(header)
        for line in table:
            sheet.append(line)
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="thong-ke-ho-so.{kind}"'
    return response
