"""The report builder's pages: the builder at /bao-cao-khong-gian/, the map's points, the
downloads, and the status of a background download. Each parses its input, calls one service or
selector and renders; a refused input re-renders the page with the error and writes nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from geoapp.exceptions import DomainError, InvalidInput, NotFound, PermissionDenied
from incidents.models import Category, IncidentStatus
from indicators.selectors.catalogue import indicator_list
from procedures.selectors import dossier_fields
from spatial_reports import layers, selectors, services
from spatial_reports.models import ExportFormat, ExportStatus, SpatialReportExport
from spatial_reports.queries import (
    GROUPINGS,
    LAYER_GROUPINGS,
    LAYERS,
    ReportQuery,
    report_query_parse,
)

CONTENT_TYPES = {
    ExportFormat.GEOJSON: "application/geo+json",
    ExportFormat.GEOPACKAGE: "application/geopackage+sqlite3",
    ExportFormat.SHAPEFILE: "application/zip",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _refused(request: HttpRequest, refusal: PermissionDenied) -> HttpResponse:
    if refusal.code == "not_signed_in":
        return redirect_to_login(request.get_full_path())
    return render(
        request, "spatial_reports/forbidden.html", {"message": refusal.message}, status=403
    )


def _choices() -> dict[str, Any]:
    english = (get_language() or "vi").startswith("en")
    categories = [
        (code, (name_en or name) if english else name)
        for code, name, name_en in Category.objects.order_by("order", "code").values_list(
            "code", "name", "name_en"
        )
    ]
    indicators = [
        (indicator.code, indicator.name_en if english else indicator.name_vi)
        for indicator in indicator_list()
    ]
    return {
        "categories": categories,
        "statuses": IncidentStatus.choices,
        "groupings": GROUPINGS
        + tuple(g for g in LAYER_GROUPINGS["dossiers"] if g not in GROUPINGS),
        "layers": LAYERS,
        "procedure_fields": dossier_fields(),
        "indicators": indicators,
        "formats": ExportFormat.choices,
    }


def _summary(query: ReportQuery) -> dict[str, Any]:
    """The table of the query's layer: a summary per group, or an indicator's rows."""
    if query.layer == "dossiers":
        return {"summary": layers.dossier_summary(query)}
    if query.layer == "indicators":
        return {"indicator_rows": layers.indicator_rows(query), "summary": True}
    return {"summary": selectors.report_summary(query)}


@require_GET
def report_builder(request: HttpRequest) -> HttpResponse:
    try:
        services.require_planner(request.user)
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    context: dict[str, Any] = {**_choices(), "form": request.GET}
    query: ReportQuery | None = None
    try:
        query = report_query_parse(request.GET)
    except InvalidInput as invalid:
        context["error"] = invalid.message
    if query is not None:
        try:
            context.update(_summary(query))
        except InvalidInput as invalid:
            context["error"] = invalid.message
            query = None
    if query is not None:
        context.update(
            query=query,
            query_string=request.GET.urlencode(),
            sync_max_rows=services.sync_max_rows(),
        )
    return render(
        request, "spatial_reports/builder.html", context, status=400 if query is None else 200
    )


def _error_json(error: DomainError) -> JsonResponse:
    status = {"invalid": 400, "forbidden": 403, "not_found": 404}.get(error.kind.value, 400)
    return JsonResponse({"code": error.code, "detail": error.message}, status=status)


@require_GET
def report_points(request: HttpRequest) -> JsonResponse:
    try:
        services.require_planner(request.user)
        query = report_query_parse(request.GET)
        if query.layer != "reports":
            return JsonResponse(layers.area_features(query))
        return JsonResponse(selectors.report_points(query))
    except DomainError as error:
        return _error_json(error)


def _attachment(path: Path, file_format: str, name: str) -> FileResponse:
    # Opened before the temporary folder goes: the open file stays readable once unlinked.
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[ExportFormat(file_format)])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def report_download(request: HttpRequest) -> HttpResponseBase:
    """A file of the query's reports: at once up to SPATIAL_REPORTS_SYNC_MAX_ROWS, otherwise a
    background download whose page shows its progress."""
    try:
        services.require_planner(request.user)
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    try:
        query = report_query_parse(request.POST)
        file_format = services.export_format_parse(request.POST.get("dinh_dang", ""))
    except InvalidInput as invalid:
        context = {**_choices(), "form": request.POST, "error": invalid.message}
        return render(request, "spatial_reports/builder.html", context, status=400)
    if services.download_is_large(query):
        export = services.export_request(user=request.user, query=query, file_format=file_format)
        return redirect("spatial-report-export", export_id=export.id)
    with tempfile.TemporaryDirectory() as directory:
        name = services.export_file_name(file_format)
        path = Path(directory) / name
        try:
            services.export_write(query=query, file_format=file_format, target=path)
        except InvalidInput as invalid:
            context = {**_choices(), "form": request.POST, "error": invalid.message}
            return render(request, "spatial_reports/builder.html", context, status=400)
        return _attachment(path, file_format, name)


def _export(request: HttpRequest, export_id: str) -> SpatialReportExport:
    return services.export_for_user(user=request.user, export_id=export_id)


def _export_state(export: SpatialReportExport) -> dict[str, Any]:
    expired = services.export_is_expired(export)
    return {
        "status": "expired" if expired else export.status,
        "status_label": str(ExportStatus(export.status).label),
        "row_count": export.row_count,
        "error": export.error,
        "ready": export.status == ExportStatus.READY and not expired,
    }


@require_GET
def export_page(request: HttpRequest, export_id: str) -> HttpResponse:
    try:
        export = _export(request, str(export_id))
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    except NotFound as missing:
        return render(
            request, "spatial_reports/forbidden.html", {"message": missing.message}, status=404
        )
    return render(
        request,
        "spatial_reports/export.html",
        {"export": export, "state": _export_state(export), "query": export.query},
    )


@require_GET
def export_status(request: HttpRequest, export_id: str) -> JsonResponse:
    try:
        return JsonResponse(_export_state(_export(request, str(export_id))))
    except DomainError as error:
        return _error_json(error)


@require_GET
def export_file(request: HttpRequest, export_id: str) -> HttpResponseBase:
    try:
        export = _export(request, str(export_id))
    except DomainError as error:
        return _error_json(error)
    state = _export_state(export)
    if not state["ready"]:
        return JsonResponse(
            {"code": state["status"], "detail": state["status_label"]},
            status=410 if state["status"] == "expired" else 409,
        )
    response = FileResponse(
        default_storage.open(export.file, "rb"),
        content_type=CONTENT_TYPES[ExportFormat(export.file_format)],
    )
    name = f"bao-cao-khong-gian-{export.created_at:%Y%m%d-%H%M}{Path(export.file).suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
