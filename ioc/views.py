"""The operations centre's pages, under /dieu-hanh/ (điều hành: direction).

Thin views: they parse the URL with `ioc.selectors.filters_parse`, check `ioc.permissions` and
render what the selectors read. Bad input (an unknown area or category, a future or malformed
period) answers 400 or 404 with the reason in the user's language; a user without the right
answers 403, an anonymous one is sent to sign in.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
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
from ioc import area_selectors, charts, hotspot_tiles, permissions, selectors, services
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
    data = selectors.dashboard(
        filters=filters, now=timezone.now(), hotspot_tiles_above=settings.IOC_HOTSPOT_TILES_ABOVE
    )
    tiles_query = filters.query(layer="")
    context = _charts(data.weekly, data.monthly, data.dossier_months) | {
        "dashboard": data,
        "filters": filters,
        "layers": [
            (key, str(label), filters.query(layer=key)) for key, label in LAYER_LABELS.items()
        ],
        "categories": categories_for_pages(),
        "communes": data.map_outlines,
        # Many reports: the map asks for the hotspot tiles it shows (static/js/ioc_hotspot_map.js)
        # instead of the page carrying every hexagon.
        "map": ""
        if data.hotspot_tiles
        else charts.area_map(
            outlines=data.map_outlines,
            title=str(LAYER_LABELS[filters.layer]),
            link=lambda outline: _area_link(outline, filters),
            choropleth=data.map_layer,
            hexagons=data.hexagons,
        ),
        "hotspot_tiles_url": reverse("ioc-hotspot-tile", args=[0, 0, 0]).replace(
            "/0/0/0.pbf", "/{z}/{x}/{y}.pbf"
        )
        + (f"?{tiles_query}" if tiles_query else ""),
        "hotspot_palette": charts.HOTSPOT_PALETTE,
        "hotspot_tiles_query": tiles_query,
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
    page = area_selectors.area_page(filters=filters, now=timezone.now())
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


MVT = "application/vnd.mapbox-vector-tile"
# Short: the version is read before the tile is built, so a tile built while a filing commits
# may be cached under the new version with the old counts; it lives a minute at most.
HOTSPOT_TILE_CACHE_SECONDS = 60
HOTSPOT_TILE_PARAMETERS = frozenset({"from", "to", "category", "area"})


def _tile_refusal(message: str, status: int = 400) -> JsonResponse:
    # The shape of the public tile layers' refusals (opendata.tile_views).
    code = {400: "InvalidParameterValue", 403: "Forbidden", 404: "NotFound"}[status]
    return JsonResponse({"code": code, "description": message}, status=status)


def _hotspot_query(request: HttpRequest) -> hotspot_tiles.HotspotQuery | JsonResponse:
    """The dashboard's filters from the tile's URL, or the refusal to send."""
    if not permissions.sees_everything(request.user):
        return _tile_refusal(_("Bạn không có quyền xem trung tâm điều hành."), status=403)
    unknown = set(request.GET) - HOTSPOT_TILE_PARAMETERS
    if unknown:
        return _tile_refusal(
            _("Tham số không được hỗ trợ: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    try:
        filters = selectors.filters_parse(query=request.GET, today=vietnam_today())
    except DomainError as error:
        return _tile_refusal(error.message, status=404 if isinstance(error, NotFound) else 400)
    return hotspot_tiles.HotspotQuery(
        date_from=filters.date_from,
        date_to=filters.date_to,
        category_id=filters.category_id,
        area_ids=filters.scope().area_ids,
    )


@require_GET
def hotspot_tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """The hotspot layer's tile z/x/y with the dashboard's filters (`from`, `to`, `category`,
    `area`), for the users who may see the dashboard; cached under the summary's version."""
    query = _hotspot_query(request)
    if isinstance(query, JsonResponse):
        return query
    if not hotspot_tiles.MIN_ZOOM <= z <= hotspot_tiles.MAX_ZOOM or x >= 2**z or y >= 2**z:
        return _tile_refusal(
            _("Ô bản đồ %(z)d/%(x)d/%(y)d nằm ngoài phạm vi (mức phóng %(min)d–%(max)d).")
            % {"z": z, "x": x, "y": y, "min": hotspot_tiles.MIN_ZOOM,
               "max": hotspot_tiles.MAX_ZOOM}
        )  # fmt: skip
    key = f"ioc:tile:hotspots:{hotspot_tiles.hotspot_version()}:{query.key()}:{z}/{x}/{y}"
    content = cache.get(key)
    if content is None:
        content = hotspot_tiles.hotspot_tile(z=z, x=x, y=y, query=query)
        cache.set(key, content, timeout=HOTSPOT_TILE_CACHE_SECONDS)
    content = bytes(content)
    etag = f'"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type=MVT)
    response["ETag"] = etag
    # For leaders only: no shared cache may keep it.
    response["Cache-Control"] = f"private, max-age={HOTSPOT_TILE_CACHE_SECONDS}"
    return response


@require_GET
def hotspot_tilejson(request: HttpRequest) -> HttpResponse:
    """The hotspot layer's TileJSON; its tile address carries the filters it was asked with."""
    query = _hotspot_query(request)
    if isinstance(query, JsonResponse):
        return query
    template = request.build_absolute_uri("/tiles/hotspots/") + "{z}/{x}/{y}.pbf"
    if request.GET:
        template += f"?{request.GET.urlencode()}"
    return JsonResponse(
        {
            "tilejson": "3.0.0",
            "name": hotspot_tiles.LAYER,
            "description": str(_("Điểm nóng phản ánh")),
            "scheme": "xyz",
            "tiles": [template],
            "minzoom": hotspot_tiles.MIN_ZOOM,
            "maxzoom": hotspot_tiles.MAX_ZOOM,
            "vector_layers": [
                {
                    "id": hotspot_tiles.LAYER,
                    "fields": {"column": "Number", "row": "Number", "reports": "Number"},
                }
            ],
        },
        json_dumps_params={"ensure_ascii": False},
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
def weekly_report_pdf(request: HttpRequest, week: str) -> HttpResponse:
    if not permissions.sees_everything(request.user):
        return _forbidden(request)
    report = _report_or_404(week)
    if not report.pdf:
        # Produced before the PDF existed: producing the week again makes it.
        raise Http404(_("Báo cáo tuần này chưa có bản PDF."))
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bao-cao-tuan-{week}.pdf"'
    return response


@require_GET
@login_required
def weekly_report_page(request: HttpRequest, week: str) -> HttpResponse:
    """The printable page (the PDF is the same page laid out for A4)."""
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
