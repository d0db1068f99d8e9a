"""The operations centre's pages, under /dieu-hanh/ (điều hành: direction).

Thin views: they parse the URL with `ioc.selectors.filters_parse`, check `ioc.permissions` and
render what the selectors read. Bad input (an unknown area or category, a future or malformed
period) answers 400 or 404 with the reason in the user's language; a user without the right
answers 403, an anonymous one is sent to sign in.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from geoapp.clock import vietnam_today
from geoapp.exceptions import DomainError, NotFound
from incidents.operations_selectors import hotspot_hexagons
from incidents.page_selectors import categories_for_pages
from ioc import charts, permissions, selectors, services
from ioc.models import WeeklyReport

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAYER_LABELS = {
    "hotspots": gettext_lazy("Điểm nóng phản ánh"),
    "on_time": gettext_lazy("Tỷ lệ giải quyết đúng hạn"),
    "satisfaction": gettext_lazy("Tỷ lệ hài lòng"),
    "overdue": gettext_lazy("Phản ánh quá hạn"),
    "filed": gettext_lazy("Phản ánh mới"),
}


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = 404 if isinstance(error, NotFound) else 400
    return render(request, "ioc/refused.html", {"message": error.message}, status=status)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "ioc/forbidden.html", status=403)


def _area_link(outline: selectors.CommuneOutline, filters: selectors.Filters) -> str:
    query = filters.query(area="", layer="")
    return f"{reverse('ioc-area', args=[outline.code])}?{query}"


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not permissions.sees_everything(request.user):
        return _forbidden(request)
    try:
        filters = selectors.filters_parse(query=request.GET, today=vietnam_today())
    except DomainError as error:
        return _refused(request, error)
    data = selectors.dashboard(filters=filters, now=timezone.now())
    context = _charts(data.weekly, data.monthly, data.dossier_months) | {
        "dashboard": data,
        "filters": filters,
        "layers": [
            (key, str(label), filters.query(layer=key)) for key, label in LAYER_LABELS.items()
        ],
        "categories": categories_for_pages(),
        "communes": data.map_outlines,
        "map": charts.area_map(
            outlines=data.map_outlines,
            title=str(LAYER_LABELS[filters.layer]),
            link=lambda outline: _area_link(outline, filters),
            choropleth=data.map_layer,
            hexagons=data.hexagons,
        ),
        "reports": WeeklyReport.objects.only("week_start", "produced_at")[:12],
    }
    return render(request, "ioc/dashboard.html", context)


def _charts(
    weekly: list[Any], monthly: list[Any], dossier_months: list[dict[str, Any]]
) -> dict[str, Any]:
    dossier_rates = {row["key"]: row["on_time_rate"]["value"] for row in dossier_months}
    month_labels = [point.start.strftime("%m/%Y") for point in monthly]
    return {
        "weekly_chart": charts.bar_chart(
            labels=[point.start.strftime("%d/%m") for point in weekly],
            values=[point.filed for point in weekly],
            title=_("Phản ánh mới theo tuần"),
        ),
        "monthly_chart": charts.percent_chart(
            labels=month_labels,
            series=[
                charts.Series(
                    _("Phản ánh đúng hạn"),
                    [p.resolved_on_time / p.resolved if p.resolved else None for p in monthly],
                    "feedback-on-time",
                ),
                charts.Series(
                    _("Hồ sơ đúng hạn"),
                    [dossier_rates.get(p.start.strftime("%Y-%m")) for p in monthly],
                    "dossier-on-time",
                ),
            ],
            title=_("Tỷ lệ đúng hạn theo tháng"),
        ),
    }


@require_GET
@login_required
def area_page(request: HttpRequest, code: str) -> HttpResponse:
    query = request.GET.copy()
    query["area"] = code
    try:
        filters = selectors.filters_parse(query=query, today=vietnam_today())
    except DomainError as error:
        if not permissions.sees_everything(request.user) and isinstance(error, NotFound):
            # Whether an area exists is no secret, but a user with no page to see learns
            # nothing more from a 404 than from a 403.
            return _forbidden(request)
        return _refused(request, error)
    assert filters.area is not None
    if not permissions.sees_area(request.user, filters.area):
        return _forbidden(request)
    page = selectors.area_page(filters=filters, now=timezone.now())
    history = charts.bar_chart(
        labels=[point.start.strftime("%m/%y") for point in page.history],
        values=[point.filed for point in page.history],
        title=_("Phản ánh theo tháng, gồm các đơn vị trước sắp xếp"),
    )
    return render(
        request,
        "ioc/area.html",
        {
            "page": page,
            "filters": filters,
            "history_chart": history,
            "sees_everything": permissions.sees_everything(request.user),
        },
    )


@require_GET
@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    """The hotspot layer as GeoJSON, with the dashboard's filters (`from`, `to`, `area`,
    `category`)."""
    if not permissions.sees_everything(request.user):
        return JsonResponse(
            {"detail": _("Bạn không có quyền xem trung tâm điều hành."), "code": "forbidden"},
            status=403,
        )
    try:
        filters = selectors.filters_parse(query=request.GET, today=vietnam_today())
    except DomainError as error:
        status = 404 if isinstance(error, NotFound) else 400
        return JsonResponse({"detail": error.message, "code": error.code}, status=status)
    hexagons = hotspot_hexagons(
        date_from=filters.date_from,
        date_to=filters.date_to,
        category_id=filters.category_id,
        area_ids=filters.scope().area_ids,
    )
    return JsonResponse(charts.hexagons_geojson(hexagons))


def _report_or_404(week: str) -> WeeklyReport:
    try:
        day = datetime.date.fromisoformat(week)
    except ValueError:
        raise Http404(_("Không có báo cáo tuần này.")) from None
    report = WeeklyReport.objects.filter(week_start=day).first()
    if report is None:
        raise Http404(_("Không có báo cáo tuần này."))
    return report


@require_GET
@login_required
def weekly_report_download(request: HttpRequest, week: str) -> HttpResponse:
    if not permissions.sees_everything(request.user):
        return _forbidden(request)
    report = _report_or_404(week)
    response = HttpResponse(bytes(report.workbook), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-tuan-{week}.xlsx"'
    return response


@require_GET
@login_required
def weekly_report_page(request: HttpRequest, week: str) -> HttpResponse:
    """The printable page (print it to PDF from the browser)."""
    if not permissions.sees_everything(request.user):
        return _forbidden(request)
    return HttpResponse(_report_or_404(week).printable_html)


@require_POST
@login_required
def weekly_report_produce(request: HttpRequest) -> HttpResponse:
    """On demand: last week's report, produced now (it replaces the week's earlier one)."""
    if not permissions.sees_everything(request.user):
        return _forbidden(request)
    report = services.weekly_report_produce(
        week_start=services.week_before(vietnam_today()), now=timezone.now()
    )
    messages.success(
        request,
        _("Đã lập báo cáo tuần %(day)s.") % {"day": report.week_start.strftime("%d/%m/%Y")},
    )
    return redirect("ioc-dashboard")
