"""Exporting the areas valid on a date to GeoJSON or GeoPackage, for QGIS and other GIS tools."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas
import pyogrio
import shapely
from django.db.models import Case, When
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput, NotFound
from wards.models import LEVEL_RANK, Area, AreaLevel

DRIVER_OF_SUFFIX = {".geojson": "GeoJSON", ".gpkg": "GPKG"}

# Simplifying in degrees would remove more east–west than north–south; VN-2000 / UTM zone 48N
# is the national projected system covering Quảng Ngãi, so a tolerance in metres means metres.
METRIC_SRID = 3405

GEOPACKAGE_LAYER = "areas"

PROPERTIES = (
    "code",
    "name",
    "type",
    "level",
    "parent_code",
    "valid_from",
    "valid_to",
    "area_km2",
    "is_approximate",
)


class ExportFormatUnsupported(InvalidInput):
    code = "export_format_unsupported"


class NothingToExport(NotFound):
    code = "nothing_to_export"


@dataclass(frozen=True)
class ExportReport:
    path: Path
    count: int
    on: datetime.date
    level: str | None
    simplify_metres: float

    def lines(self) -> list[str]:
        return [
            _(
                "Đã ghi %(count)d đơn vị %(level)scòn hiệu lực ngày %(day)s vào %(path)s%(simplified)s."
            )
            % {
                "count": self.count,
                "level": f"{AreaLevel(self.level).label.lower()} " if self.level else "",
                "day": self.on.strftime("%d/%m/%Y"),
                "path": self.path,
                "simplified": _(", đã đơn giản hoá với dung sai %(metres)s m")
                % {"metres": f"{self.simplify_metres:g}"}
                if self.simplify_metres > 0
                else "",
            }
        ]

    def render(self) -> str:
        return "\n".join(self.lines())


def areas_export(
    *,
    path: Path,
    on: datetime.date,
    level: AreaLevel | str | None = None,
    simplify_metres: float = 0.0,
) -> ExportReport:
    """Write the areas valid on `on` (optionally of one level) to `path`, .geojson or .gpkg.

    Each feature carries code, name, type, level, parent_code, valid_from, valid_to, area_km2
    and is_approximate. With `simplify_metres`, each boundary is simplified in metres without
    letting a ring cross itself or vanish (shared borders are simplified on each side alone).
    """
    driver = DRIVER_OF_SUFFIX.get(path.suffix.lower())
    if driver is None:
        raise ExportFormatUnsupported(
            _("Không hỗ trợ định dạng “%(suffix)s”; dùng .geojson hoặc .gpkg.")
            % {"suffix": path.suffix or path.name}
        )
    if level is not None and level not in AreaLevel.values:
        raise InvalidInput(
            _("Cấp “%(level)s” không hợp lệ; dùng một trong: %(choices)s.")
            % {"level": level, "choices": ", ".join(AreaLevel.values)}
        )
    if not simplify_metres >= 0:  # also refuses NaN
        raise InvalidInput(_("Dung sai đơn giản hoá phải là một số mét không âm."))
    if not path.parent.is_dir():
        raise InvalidInput(_("Thư mục %(directory)s không tồn tại.") % {"directory": path.parent})

    areas = Area.objects.on(on)
    if level is not None:
        areas = areas.filter(level=level)
    rows = list(
        areas.order_by(
            Case(*(When(level=each_level, then=-rank) for each_level, rank in LEVEL_RANK.items())),
            "code",
        ).values_list(
            "code",
            "name",
            "area_type",
            "level",
            "parent__code",
            "valid_from",
            "valid_to",
            "area_km2",
            "is_approximate",
            "boundary",
        )
    )
    if not rows:
        raise NothingToExport(
            _("Không có đơn vị hành chính nào %(level)scòn hiệu lực ngày %(day)s.")
            % {
                "level": f"{AreaLevel(level).label.lower()} " if level else "",
                "day": on.strftime("%d/%m/%Y"),
            }
        )

    frame = geopandas.GeoDataFrame(
        {
            "code": [row[0] for row in rows],
            "name": [row[1] for row in rows],
            "type": [row[2] for row in rows],
            "level": [row[3] for row in rows],
            "parent_code": [row[4] for row in rows],
            # ISO text: GeoJSON has no date type, and one spelling for both formats is simpler
            # for whoever joins the exports.
            "valid_from": [row[5].isoformat() for row in rows],
            "valid_to": [row[6].isoformat() if row[6] else None for row in rows],
            "area_km2": [round(row[7], 2) for row in rows],
            "is_approximate": [row[8] for row in rows],
        },
        geometry=shapely.from_wkb([bytes(row[9].wkb) for row in rows]),
        crs="EPSG:4326",
    )
    if simplify_metres > 0:
        metric = frame.geometry.to_crs(METRIC_SRID)
        frame = frame.set_geometry(
            metric.simplify(simplify_metres, preserve_topology=True).to_crs(4326)
        )

    _write_replacing(frame, path=path, driver=driver)
    return ExportReport(
        path=path, count=len(frame), on=on, level=level, simplify_metres=simplify_metres
    )


def _write_replacing(frame: geopandas.GeoDataFrame, *, path: Path, driver: str) -> None:
    """Write beside the target then rename, so a failed export never leaves half a file."""
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    partial.unlink(missing_ok=True)
    options = (
        # RFC 7946: counter-clockwise exterior rings and 7 decimals (about 1 cm).
        {"layer_options": {"RFC7946": "YES"}}
        if driver == "GeoJSON"
        else {"layer": GEOPACKAGE_LAYER}
    )
    try:
        pyogrio.write_dataframe(frame, partial, driver=driver, **options)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
