"""Writes of the open-data app: the report grid of the low-zoom tiles, and the daily files."""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import geopandas
import pyogrio
import shapely
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE

GRID_VERSION_KEY = "opendata:report-grid-version"


def report_grid_refresh() -> str:
    """Recount the public reports on the tile grids; the new version in the cache makes every
    cached low-zoom tile of the previous counts unreachable. Returns the version."""
    with connection.cursor() as cursor:
        # CONCURRENTLY: tiles keep reading the previous counts while the new ones are computed.
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY opendata_report_grid")
        # The refresh replaces the rows but not the planner's statistics of them: with the counts
        # of the grid before (10,000 reports' cells, say, against a million's), a tile's box was
        # guessed to match 46,000 cells and read by a parallel scan of the whole view with JIT,
        # 0.6–0.9 s a tile instead of 10–60 ms, until autovacuum came round to analyse it.
        cursor.execute("ANALYZE opendata_report_grid")
    version = f"{time.time_ns()}"
    cache.set(GRID_VERSION_KEY, version, timeout=None)
    return version


def report_grid_version() -> str:
    """The version of the grid's counts, set by the last refresh ("0" before any)."""
    return str(cache.get(GRID_VERSION_KEY, "0"))


# The daily open-data files

OPEN_DATA_COLUMNS = (
    "tracking_code",
    "category",
    "status",
    "reported_at",
    "summary",
    "supporters_count",
    "commune_code",
)
OPEN_DATA_FILES = {
    "phan-anh.gpkg": "GPKG",
    "phan-anh.geojson": "GeoJSON",
    "phan-anh.csv": "CSV",
}
METADATA_FILE = "phan-anh.json"


def open_data_files_write(*, directory: Path | None = None) -> dict[str, object]:
    """Write every public report (the public view's columns only) as GeoPackage, GeoJSON and
    CSV, each first to a temporary name then renamed: a download never reads half a file, and
    the URLs stay the same from day to day. Returns the metadata written beside them."""
    target = Path(directory or settings.OPEN_DATA_DIR)
    target.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tracking_code, category, status, "
            "to_char(reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh', "
            '\'YYYY-MM-DD"T"HH24:MI:SS"+07:00"\'), summary, supporters_count, commune_code, '
            "ST_X(location), ST_Y(location) "
            "FROM opendata_public_report ORDER BY reported_at, id"
        )
        rows = cursor.fetchall()
    table = {name: [row[index] for row in rows] for index, name in enumerate(OPEN_DATA_COLUMNS)}
    longitudes = [float(row[7]) for row in rows]
    latitudes = [float(row[8]) for row in rows]
    frame = geopandas.GeoDataFrame(
        table, geometry=shapely.points(longitudes, latitudes), crs="EPSG:4326"
    )
    # What each file holds, when it was made and from which boundaries: in the GeoPackage's
    # layer metadata, the GeoJSON's description, and phan-anh.json beside the CSV.
    about = {
        "title": "Phản ánh công khai / Public citizen reports — geoapp Quảng Ngãi",
        "made_at": timezone.now().astimezone(VIETNAM_TIME_ZONE).isoformat(timespec="seconds"),
        "report_count": str(len(rows)),
        "boundaries": (
            "commune_code is the commune each report was routed to on its date (the "
            "boundaries valid on that date) / commune_code là xã có hiệu lực vào ngày phản ánh"
        ),
        "personal_data": "none / không có",
    }
    for name, driver in OPEN_DATA_FILES.items():
        temporary = target / f".tmp-{name}"
        temporary.unlink(missing_ok=True)
        if driver == "CSV":
            _csv_write(temporary, rows)
        elif driver == "GPKG":
            pyogrio.write_dataframe(
                frame, temporary, driver=driver, layer="phan_anh", layer_metadata=about
            )
        else:
            pyogrio.write_dataframe(
                frame, temporary, driver=driver, layer="phan_anh",
                layer_options={"DESCRIPTION": json.dumps(about, ensure_ascii=False)},
            )  # fmt: skip
        os.replace(temporary, target / name)
    metadata: dict[str, object] = {
        "title": about["title"],
        "made_at": about["made_at"],
        "boundaries": about["boundaries"],
        "report_count": len(rows),
        "columns": [*OPEN_DATA_COLUMNS, "longitude", "latitude"],
        "crs": "EPSG:4326",
        "licence": settings.OPEN_DATA_LICENCE_NAME,
        "licence_url": settings.OPEN_DATA_LICENCE_URL,
        "files": {name: (target / name).stat().st_size for name in OPEN_DATA_FILES},
    }
    temporary = target / f".tmp-{METADATA_FILE}"
    temporary.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, target / METADATA_FILE)
    return metadata


def _csv_write(path: Path, rows: list[tuple[object, ...]]) -> None:
    # UTF-8 with a byte-order mark, so that Excel shows the Vietnamese text as it is.
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*OPEN_DATA_COLUMNS, "longitude", "latitude"])
        for row in rows:
            writer.writerow(
                [*("" if value is None else value for value in row[:7]), row[7], row[8]]
            )
