"""Writes of the report builder: the download files, and the background downloads.

A file says what it holds, when it was made and from which boundaries: the GeoPackage in its
metadata, the GeoJSON in its description, the zipped Shapefile and the XLSX in a note of their
own (a README in the zip, a second sheet). A CSV has no place for it; its name carries the date.
"""

from __future__ import annotations

import csv
import json
import logging
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas
import pyogrio
import redis
import shapely
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from geoapp.celery import app as celery_app
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput, NotFound, PermissionDenied
from spatial_reports.layers import AreaTable, area_table
from spatial_reports.models import (
    USE_PERMISSION,
    ExportFormat,
    ExportStatus,
    SpatialReportExport,
)
from spatial_reports.queries import ReportQuery, report_query_parse
from spatial_reports.selectors import EXPORT_COLUMNS, report_count, report_rows

logger = logging.getLogger(__name__)

EXPORT_DIRECTORY = "spatial_reports/exports"
EXTENSIONS = {
    ExportFormat.GEOJSON: "geojson",
    ExportFormat.GEOPACKAGE: "gpkg",
    ExportFormat.SHAPEFILE: "zip",
    ExportFormat.CSV: "csv",
    ExportFormat.XLSX: "xlsx",
}
LAYER_NAME = "phan_anh"
LAYER_NAMES = {"reports": LAYER_NAME, "dossiers": "ho_so", "indicators": "chi_tieu"}
WRITE_TASK_NAME = "spatial_reports.write_export"


def require_planner(user: Any) -> None:
    """Planners, leaders and administrators (the permission their groups hold)."""
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Hãy đăng nhập để dùng báo cáo không gian."), code="not_signed_in")
    if not user.has_perm(USE_PERMISSION):
        raise PermissionDenied(
            _("Báo cáo không gian dành cho chuyên viên quy hoạch, lãnh đạo và quản trị viên."),
            code="not_a_planner",
        )


def export_format_parse(text: str) -> ExportFormat:
    if text not in ExportFormat.values:
        raise InvalidInput(
            _("Định dạng “%(value)s” không có; chọn GeoJSON, GeoPackage, Shapefile, CSV hoặc XLSX.")
            % {"value": text},
            code="unknown_format",
        )
    return ExportFormat(text)


def export_file_name(file_format: str) -> str:
    made = timezone.now().astimezone(VIETNAM_TIME_ZONE).strftime("%Y%m%d-%H%M")
    return f"bao-cao-khong-gian-{made}.{EXTENSIONS[ExportFormat(file_format)]}"


def _description(query: ReportQuery, count: int, table: AreaTable | None = None) -> dict[str, str]:
    """What the file holds, when it was made and from which boundaries."""
    if table is not None:
        return {
            "title": table.title,
            "made_at": timezone.now().astimezone(VIETNAM_TIME_ZONE).isoformat(timespec="seconds"),
            "period": f"{query.date_from.isoformat()}/{query.date_to.isoformat()}",
            "query": json.dumps(query.parameters(), ensure_ascii=False),
            "row_count": str(count),
            "boundaries": (
                "Each row's commune boundary is the one valid in its 'validity' column (dossiers: "
                "the commune each was routed to on its date; indicators: the communes valid on "
                "each period's last day) / Ranh giới xã của mỗi dòng là ranh giới có hiệu lực "
                "trong khoảng ở cột 'validity'"
            ),
            "columns": ", ".join(table.columns),
            "crs": "EPSG:4326",
            "personal_data": "none / không có",
        }
    return {
        "title": "Phản ánh, kiến nghị — báo cáo không gian / Citizen reports — spatial report",
        "made_at": timezone.now().astimezone(VIETNAM_TIME_ZONE).isoformat(timespec="seconds"),
        "period": f"{query.date_from.isoformat()}/{query.date_to.isoformat()}",
        "query": json.dumps(query.parameters(), ensure_ascii=False),
        "report_count": str(count),
        "boundaries": (
            "Each report's commune is the one it was routed to on its date "
            "(boundaries valid on that date) / Xã của mỗi phản ánh là xã có hiệu lực vào ngày phản ánh"
        ),
        "columns": ", ".join([*EXPORT_COLUMNS, "longitude", "latitude"]),
        "crs": "EPSG:4326",
        "personal_data": "none / không có",
    }


def export_write(*, query: ReportQuery, file_format: str, target: Path) -> int:
    """Write the query's reports (or its area layer's rows) to `target` in `file_format`;
    returns how many rows."""
    if query.layer != "reports":
        return _area_table_write(area_table(query), query, ExportFormat(file_format), target)
    rows = report_rows(query)
    description = _description(query, len(rows))
    file_format = ExportFormat(file_format)
    if file_format == ExportFormat.CSV:
        _csv_write(target, rows)
    elif file_format == ExportFormat.XLSX:
        _xlsx_write(target, rows, description)
    else:
        frame = _frame(rows)
        if file_format == ExportFormat.GEOPACKAGE:
            pyogrio.write_dataframe(
                frame, target, driver="GPKG", layer=LAYER_NAME, layer_metadata=description
            )
        elif file_format == ExportFormat.GEOJSON:
            pyogrio.write_dataframe(
                frame,
                target,
                driver="GeoJSON",
                layer=LAYER_NAME,
                layer_options={"DESCRIPTION": json.dumps(description, ensure_ascii=False)},
            )
        else:
            _shapefile_write(target, frame, description)
    return len(rows)


def _area_table_write(
    table: AreaTable, query: ReportQuery, file_format: ExportFormat, target: Path
) -> int:
    description = _description(query, len(table.rows), table)
    layer = LAYER_NAMES[query.layer]
    if file_format == ExportFormat.CSV:
        _csv_write(target, table.rows, table.columns)
        return len(table.rows)
    if file_format == ExportFormat.XLSX:
        _xlsx_write(target, table.rows, description, table.columns, layer)
        return len(table.rows)
    columns = {name: [row[index] for row in table.rows] for index, name in enumerate(table.columns)}
    frame = geopandas.GeoDataFrame(
        columns, geometry=shapely.from_wkb(table.boundaries), crs="EPSG:4326"
    )
    if file_format == ExportFormat.GEOPACKAGE:
        pyogrio.write_dataframe(
            frame, target, driver="GPKG", layer=layer, layer_metadata=description,
            promote_to_multi=True,
        )  # fmt: skip
    elif file_format == ExportFormat.GEOJSON:
        pyogrio.write_dataframe(
            frame, target, driver="GeoJSON", layer=layer,
            layer_options={"DESCRIPTION": json.dumps(description, ensure_ascii=False)},
        )  # fmt: skip
    else:
        _shapefile_write(target, frame, description, layer)
    return len(table.rows)


def _frame(rows: list[tuple[Any, ...]]) -> geopandas.GeoDataFrame:
    columns = {name: [row[index] for row in rows] for index, name in enumerate(EXPORT_COLUMNS)}
    points = shapely.points([float(row[10]) for row in rows], [float(row[11]) for row in rows])
    frame = geopandas.GeoDataFrame(columns, geometry=points, crs="EPSG:4326")
    # A report not yet resolved has no "on time": an empty value, not False.
    frame["on_time"] = frame["on_time"].astype("boolean")
    return frame


def _shapefile_write(
    target: Path,
    frame: geopandas.GeoDataFrame,
    description: dict[str, str],
    layer: str = LAYER_NAME,
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        shapefile = Path(directory) / f"{layer}.shp"
        # UTF-8 with its .cpg, so QGIS reads the Vietnamese names right.
        pyogrio.write_dataframe(frame, shapefile, driver="ESRI Shapefile", encoding="UTF-8")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(directory).iterdir()):
                archive.write(part, part.name)
            archive.writestr(
                "README.txt",
                "\n".join(f"{key}: {value}" for key, value in description.items()) + "\n",
            )


def _text(value: Any) -> Any:
    return "" if value is None else value


REPORT_FILE_COLUMNS = (*EXPORT_COLUMNS, "longitude", "latitude")


def _csv_write(
    target: Path, rows: list[tuple[Any, ...]], columns: tuple[str, ...] = REPORT_FILE_COLUMNS
) -> None:
    # UTF-8 with a byte-order mark, so that Excel shows the Vietnamese names as they are.
    with target.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows([_text(value) for value in row] for row in rows)


def _xlsx_write(
    target: Path,
    rows: list[tuple[Any, ...]],
    description: dict[str, str],
    columns: tuple[str, ...] = REPORT_FILE_COLUMNS,
    layer: str = LAYER_NAME,
) -> None:
    # write_only streams the rows to the file instead of holding a cell object for each.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(layer)
    sheet.append(list(columns))
    for row in rows:
        sheet.append(list(row))
    about = workbook.create_sheet("thong_tin")
    for key, value in description.items():
        about.append([key, value])
    workbook.save(target)


# Background downloads


def export_request(*, user: Any, query: ReportQuery, file_format: str) -> SpatialReportExport:
    """Record a download to be written by the worker, enqueued once the row is committed."""
    require_planner(user)
    file_format = export_format_parse(file_format)
    with transaction.atomic():
        export = SpatialReportExport.objects.create(
            requested_by=user, query=query.parameters(), file_format=file_format
        )
        export_id = str(export.id)
        transaction.on_commit(lambda: _dispatch(export_id), robust=True)
    return export


def _dispatch(export_id: str) -> None:
    # By name, as notifications do: services sit below the tasks that call them. The row is
    # committed first; a broker outage leaves it pending and the page says so (asking again
    # makes a new one).
    try:
        celery_app.send_task(WRITE_TASK_NAME, args=(export_id,), ignore_result=True)
    except (OSError, redis.RedisError) as error:
        logger.warning("spatial report export %s not enqueued: %s", export_id, error)


def export_run(*, export_id: str) -> SpatialReportExport:
    """Write a background download's file. Idempotent: a ready or failed one is left as it is
    (a message delivered twice writes nothing twice)."""
    with transaction.atomic():
        # Locked so that two deliveries of the message never write the same file at once.
        export = SpatialReportExport.objects.select_for_update().get(pk=export_id)
        if export.status in (ExportStatus.READY, ExportStatus.FAILED):
            return export
        export.status = ExportStatus.RUNNING
        export.save(update_fields=["status"])
        name = f"{EXPORT_DIRECTORY}/{export.id}.{EXTENSIONS[ExportFormat(export.file_format)]}"
        try:
            query = report_query_parse(export.query)
            with tempfile.TemporaryDirectory() as directory:
                temporary = Path(directory) / Path(name).name
                count = export_write(query=query, file_format=export.file_format, target=temporary)
                default_storage.delete(name)
                with temporary.open("rb") as stream:
                    stored = default_storage.save(name, stream)
        except InvalidInput as invalid:
            # The query was valid when asked; a category or area removed since makes it invalid.
            export.status, export.error = ExportStatus.FAILED, invalid.message
        else:
            export.status, export.file, export.row_count = ExportStatus.READY, stored, count
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "file", "row_count", "error", "finished_at"])
    return export


def export_for_user(*, user: Any, export_id: str) -> SpatialReportExport:
    """A background download, to the planner who asked for it (or an administrator)."""
    require_planner(user)
    export = SpatialReportExport.objects.filter(pk=export_id).first()
    if export is None or (export.requested_by_id != user.pk and not user.is_superuser):
        raise NotFound(_("Không có tệp tải về này."), code="export_not_found")
    return export


def export_is_expired(export: SpatialReportExport) -> bool:
    age = timezone.now() - export.created_at
    return age.days >= int(settings.SPATIAL_REPORTS_KEEP_DAYS)


def sync_max_rows() -> int:
    return int(settings.SPATIAL_REPORTS_SYNC_MAX_ROWS)


def download_is_large(query: ReportQuery) -> bool:
    # An area layer has a row per commune and field or period: always small.
    return query.layer == "reports" and report_count(query) > sync_max_rows()
