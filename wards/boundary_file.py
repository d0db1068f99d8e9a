"""Reading a boundary file (GeoJSON, Shapefile plain or zipped, GeoPackage) and checking each
feature: format, projection, fields, official code, name, type and geometry (repaired where GEOS
can, and reported). Nothing here touches the database; `wards/boundary_import.py` compares the
checked features with the stored areas and writes them.
"""

from __future__ import annotations

import math
import numbers
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas
import pyogrio
import pyogrio.errors
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry.base import BaseGeometry

from geoapp.exceptions import InvalidInput
from wards.boundary_sources import BoundarySourceRefused, boundary_source, refuse_virtual_path
from wards.models import Area, AreaLevel, AreaType

WGS84 = CRS.from_epsg(4326)

# Official codes have a fixed width per level; a Shapefile or spreadsheet that stored them as
# numbers has lost the leading zeros of codes such as province "01" (Hà Nội).
CODE_DIGITS = {AreaLevel.PROVINCE: 2, AreaLevel.DISTRICT: 3, AreaLevel.COMMUNE: 5}

# The type a unit's full name starts with; longest first so "Thành phố" wins over shorter words.
NAME_PREFIX_TYPES: tuple[tuple[str, AreaType], ...] = (
    ("Thành phố", AreaType.PROVINCIAL_CITY),
    ("Thị trấn", AreaType.TOWNSHIP),
    ("Thị xã", AreaType.TOWN),
    ("Đặc khu", AreaType.SPECIAL_ZONE),
    ("Phường", AreaType.WARD),
    ("Huyện", AreaType.RURAL_DISTRICT),
    ("Quận", AreaType.URBAN_DISTRICT),
    ("Tỉnh", AreaType.PROVINCE),
    ("Xã", AreaType.COMMUNE),
)

TYPES_OF_LEVEL: dict[str, frozenset[AreaType]] = {
    AreaLevel.PROVINCE: frozenset({AreaType.PROVINCE, AreaType.CENTRAL_CITY}),
    AreaLevel.DISTRICT: frozenset(
        {
            AreaType.PROVINCIAL_CITY,
            AreaType.TOWN,
            AreaType.URBAN_DISTRICT,
            AreaType.RURAL_DISTRICT,
        }
    ),
    AreaLevel.COMMUNE: frozenset(
        {AreaType.WARD, AreaType.COMMUNE, AreaType.TOWNSHIP, AreaType.SPECIAL_ZONE}
    ),
}

# Two boundaries are the same when they differ by no more than a sliver about a centimetre wide
# (1e-7 degree) along the whole border: the symmetric difference's area is compared with the
# perimeter times that width. Far below any surveyed change, far above the noise of reading,
# reprojecting (a datum shift and back moves vertices by about 1e-9 degree) and storing.

# A refusal lists at most this many offending features, then counts the rest.
LISTED_PROBLEMS = 20


class BoundaryImportError(InvalidInput):
    code = "boundary_import_invalid"


class BoundaryFileUnreadable(BoundaryImportError):
    code = "boundary_file_unreadable"


class BoundaryFieldMissing(BoundaryImportError):
    code = "boundary_field_missing"


class BoundaryProjectionUnknown(BoundaryImportError):
    code = "boundary_projection_unknown"


class BoundaryCodeMissing(BoundaryImportError):
    code = "boundary_code_missing"


class BoundaryCodeDuplicated(BoundaryImportError):
    code = "boundary_code_duplicated"


class BoundaryNameMissing(BoundaryImportError):
    code = "boundary_name_missing"


class BoundaryGeometryNotPolygonal(BoundaryImportError):
    code = "boundary_geometry_not_polygonal"


class BoundaryAreaTypeUnknown(BoundaryImportError):
    code = "boundary_area_type_unknown"


class BoundaryFeatureInvalid(BoundaryImportError):
    code = "boundary_feature_invalid"


class BoundaryParentNotFound(BoundaryImportError):
    code = "boundary_parent_not_found"


class BoundaryValidityConflict(BoundaryImportError):
    code = "boundary_validity_conflict"


@dataclass(frozen=True)
class ImportedArea:
    code: str
    name: str

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class GeometryRepair:
    feature_number: int  # 1 for the first feature of the file
    code: str
    name: str
    reason: str  # GEOS's explanation, e.g. "Self-intersection[108.75 15.05]"


@dataclass
class BoundaryFeature:
    """One row of the file, checked and ready to store."""

    number: int
    code: str
    name: str
    area_type: AreaType
    boundary: shapely.MultiPolygon

    @property
    def label(self) -> ImportedArea:
        return ImportedArea(code=self.code, name=self.name)


def boundary_file_read(path: Path, *, srid: int | None) -> tuple[geopandas.GeoDataFrame, str]:
    """The file's features in EPSG:4326 and the name of the system they were stored in."""
    refuse_virtual_path(path)
    if not path.is_file():
        raise BoundaryFileUnreadable(_("Không tìm thấy tệp %(file)s.") % {"file": path})
    try:
        # Only a file checked by boundary_source reaches GDAL (a zip: its unpacked Shapefile).
        with boundary_source(path) as readable:
            frame = pyogrio.read_dataframe(readable)
    except BoundarySourceRefused as refused:
        raise BoundaryFileUnreadable(refused.message, code=refused.code) from None
    except pyogrio.errors.CRSError as error:
        raise BoundaryProjectionUnknown(
            _(
                "Không hiểu hệ toạ độ ghi trong tệp %(file)s (%(reason)s). Hãy sửa tệp .prj, "
                "hoặc xuất lại dữ liệu với một hệ toạ độ có mã EPSG."
            )
            % {"file": path.name, "reason": error}
        ) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise BoundaryFileUnreadable(
            _(
                "Không đọc được %(file)s như một tệp dữ liệu địa lý (%(reason)s). Hãy dùng "
                "GeoJSON (.geojson), Shapefile (.shp, hoặc nén .zip kèm .shx, .dbf, .prj) "
                "hoặc GeoPackage (.gpkg)."
            )
            % {"file": path.name, "reason": str(error).split(";")[0]}
        ) from None
    if not isinstance(frame, geopandas.GeoDataFrame):
        raise BoundaryFileUnreadable(
            _("Tệp %(file)s không có cột hình học: đây là bảng dữ liệu, không phải ranh giới.")
            % {"file": path.name}
        )
    if len(frame) == 0:
        raise BoundaryFileUnreadable(_("Tệp %(file)s không có đơn vị nào.") % {"file": path.name})

    declared = _declared_crs(srid) if srid is not None else None
    if frame.crs is None:
        if declared is None:
            raise BoundaryProjectionUnknown(
                _(
                    "Tệp %(file)s không cho biết hệ toạ độ (thiếu tệp .prj?). Hãy bổ sung, hoặc "
                    "khai báo mã EPSG của hệ toạ độ, ví dụ --srid 4326 (WGS 84) hoặc "
                    "--srid 3405 (VN-2000 / UTM 48N)."
                )
                % {"file": path.name}
            )
        frame = frame.set_crs(declared)
    elif declared is not None and not CRS.from_user_input(frame.crs).equals(declared):
        raise BoundaryProjectionUnknown(
            _(
                "Tệp %(file)s ghi hệ toạ độ %(file_crs)s, khác với EPSG:%(srid)d đã khai báo; "
                "chỉ khai báo hệ toạ độ cho tệp không có."
            )
            % {"file": path.name, "file_crs": _crs_name(frame.crs), "srid": srid}
        )
    source_crs = _crs_name(frame.crs)
    if not CRS.from_user_input(frame.crs).equals(WGS84, ignore_axis_order=True):
        try:
            frame = frame.to_crs(WGS84)
        except (CRSError, ProjError):
            raise BoundaryProjectionUnknown(
                _(
                    "Không chuyển được hệ toạ độ %(crs)s của tệp %(file)s sang WGS 84 "
                    "(EPSG:4326); hãy xuất lại dữ liệu với một hệ toạ độ có mã EPSG."
                )
                % {"crs": source_crs, "file": path.name}
            ) from None
    return frame, source_crs


def _declared_crs(srid: int) -> CRS:
    try:
        return CRS.from_epsg(srid)
    except CRSError:
        raise BoundaryProjectionUnknown(
            _("Không có hệ toạ độ EPSG:%(srid)s.") % {"srid": srid}
        ) from None


def _crs_name(crs: object) -> str:
    parsed = CRS.from_user_input(crs)
    authority = parsed.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else parsed.name


def fields_require(frame: geopandas.GeoDataFrame, names: Iterable[str]) -> None:
    available = [column for column in frame.columns if column != frame.geometry.name]
    for name in names:
        if name not in available:
            raise BoundaryFieldMissing(
                _("Tệp không có trường “%(field)s”. Các trường có trong tệp: %(available)s.")
                % {"field": name, "available": ", ".join(available) or _("(không có)")}
            )


def features_checked(
    frame: geopandas.GeoDataFrame,
    *,
    level: AreaLevel,
    code_field: str,
    name_field: str,
    fixed_type: AreaType | None,
    type_field: str | None,
) -> tuple[list[BoundaryFeature], list[GeometryRepair]]:
    """Check every row, refusing the file with every offender of the first kind of problem found."""
    feature_numbers = range(1, len(frame) + 1)
    codes = [_code_text(value, level=level) for value in frame[code_field]]
    names = [_name_text(value) for value in frame[name_field]]

    def named(number: int) -> str:
        code = codes[number - 1]
        return (
            _("đơn vị thứ %(number)d (mã %(code)s)") % {"number": number, "code": code}
            if code
            else _("đơn vị thứ %(number)d (không có mã)") % {"number": number}
        )

    missing_codes = [number for number in feature_numbers if not codes[number - 1]]
    if missing_codes:
        raise BoundaryCodeMissing(
            _("Thiếu mã (trường “%(field)s”) ở %(features)s.")
            % {"field": code_field, "features": listed(named(n) for n in missing_codes)}
        )

    first_number_of_code: dict[str, int] = {}
    duplicates: list[str] = []
    for number, code in zip(feature_numbers, codes, strict=True):
        if code in first_number_of_code:
            duplicates.append(
                _("%(feature)s trùng mã với đơn vị thứ %(first)d")
                % {"feature": named(number), "first": first_number_of_code[code]}
            )
        else:
            first_number_of_code[code] = number
    if duplicates:
        raise BoundaryCodeDuplicated(
            _("Mã đơn vị bị trùng: %(features)s. Mỗi mã chỉ được xuất hiện một lần trong tệp.")
            % {"features": listed(duplicates)}
        )

    missing_names = [number for number in feature_numbers if not names[number - 1]]
    if missing_names:
        raise BoundaryNameMissing(
            _("Thiếu tên (trường “%(field)s”) ở %(features)s.")
            % {"field": name_field, "features": listed(named(n) for n in missing_names)}
        )

    geometries = list(frame.geometry.values)
    not_polygonal = [
        _("%(feature)s là %(kind)s") % {"feature": named(number), "kind": _geometry_kind(geometry)}
        for number, geometry in zip(feature_numbers, geometries, strict=True)
        if geometry is None
        or geometry.is_empty
        or geometry.geom_type not in ("Polygon", "MultiPolygon")
    ]
    if not_polygonal:
        raise BoundaryGeometryNotPolygonal(
            _("Ranh giới phải là vùng (Polygon hoặc MultiPolygon): %(features)s.")
            % {"features": listed(not_polygonal)}
        )

    if fixed_type is not None:
        types: list[AreaType | None] = [fixed_type] * len(frame)
    else:
        texts = names if type_field is None else [_name_text(v) for v in frame[type_field]]
        types = [_type_from_text(text, level=level) for text in texts]
    untyped = [
        _("%(feature)s “%(text)s”")
        % {
            "feature": named(number),
            "text": names[number - 1] if type_field is None else frame[type_field].iloc[number - 1],
        }
        for number, area_type in zip(feature_numbers, types, strict=True)
        if area_type is None
    ]
    if untyped:
        source = (
            _("tên phải bắt đầu bằng %(prefixes)s")
            % {"prefixes": ", ".join(prefix for prefix, _type in NAME_PREFIX_TYPES)}
            if type_field is None
            else _("trường “%(field)s” phải là một trong %(types)s")
            % {"field": type_field, "types": ", ".join(AreaType.values)}
        )
        raise BoundaryAreaTypeUnknown(
            _("Không xác định được loại đơn vị (%(source)s) của %(features)s.")
            % {"source": source, "features": listed(untyped)}
        )
    wrong_level = [
        _("%(feature)s là %(type)s") % {"feature": named(number), "type": area_type}
        for number, area_type in zip(feature_numbers, types, strict=True)
        if area_type not in TYPES_OF_LEVEL[level]
    ]
    if wrong_level:
        raise BoundaryAreaTypeUnknown(
            _("Loại đơn vị không thuộc %(level)s: %(features)s. Kiểm tra lại tham số cấp.")
            % {"level": level.label.lower(), "features": listed(wrong_level)}
        )

    too_long = [
        _("%(feature)s: %(problem)s")
        % {"feature": named(number), "problem": " ".join(error.messages)}
        for number, code, name in zip(feature_numbers, codes, names, strict=True)
        if (error := _field_error(code=code, name=name)) is not None
    ]
    if too_long:
        raise BoundaryFeatureInvalid(
            _("Dữ liệu không hợp lệ: %(features)s.") % {"features": listed(too_long)}
        )

    repairs: list[GeometryRepair] = []
    features: list[BoundaryFeature] = []
    unrepairable: list[str] = []
    for number, code, name, area_type, geometry in zip(
        feature_numbers, codes, names, types, geometries, strict=True
    ):
        geometry = shapely.force_2d(geometry)
        if not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            geometry = _polygonal_part(shapely.make_valid(geometry))
            if geometry.is_empty:
                unrepairable.append(named(number))
                continue
            repairs.append(
                GeometryRepair(feature_number=number, code=code, name=name, reason=reason)
            )
        features.append(
            BoundaryFeature(
                number=number,
                code=code,
                name=name,
                area_type=area_type,  # type: ignore[arg-type]  # checked above
                boundary=_as_multipolygon(geometry),
            )
        )
    if unrepairable:
        raise BoundaryGeometryNotPolygonal(
            _("Ranh giới không hợp lệ và sửa xong không còn phần diện tích nào: %(features)s.")
            % {"features": listed(unrepairable)}
        )
    return features, repairs


def _code_text(value: object, *, level: AreaLevel) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real) and float(value).is_integer()
    ):
        return str(int(value)).zfill(CODE_DIGITS[level])  # type: ignore[call-overload]
    return str(value).strip()


def _name_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    # One spelling of each letter: files mix precomposed and combining diacritics.
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _type_from_text(text: str, *, level: AreaLevel) -> AreaType | None:
    """The unit type a full name starts with ("Phường Cẩm Thành") or a type field holds."""
    folded = text.casefold()
    for area_type in AreaType:
        if folded == area_type.value.casefold():
            return area_type
    for prefix, area_type in NAME_PREFIX_TYPES:
        prefix_folded = prefix.casefold()
        if folded == prefix_folded or folded.startswith(prefix_folded + " "):
            # A "Thành phố" directly under the State (Hà Nội, Đà Nẵng) is a province-level city.
            if area_type == AreaType.PROVINCIAL_CITY and level == AreaLevel.PROVINCE:
                return AreaType.CENTRAL_CITY
            return area_type
    return None


def level_checked(level: AreaLevel | str) -> AreaLevel:
    try:
        return AreaLevel(level)
    except ValueError:
        raise BoundaryImportError(
            _("Cấp “%(level)s” không hợp lệ; dùng một trong: %(choices)s.")
            % {"level": level, "choices": ", ".join(AreaLevel.values)}
        ) from None


def area_type_checked(area_type: AreaType | str, *, level: AreaLevel) -> AreaType:
    try:
        checked = AreaType(area_type)
    except ValueError:
        raise BoundaryAreaTypeUnknown(
            _("Loại đơn vị “%(type)s” không hợp lệ; dùng một trong: %(choices)s.")
            % {"type": area_type, "choices": ", ".join(AreaType.values)}
        ) from None
    if checked not in TYPES_OF_LEVEL[level]:
        raise BoundaryAreaTypeUnknown(
            _("Loại đơn vị %(type)s không thuộc %(level)s.")
            % {"type": checked, "level": level.label.lower()}
        )
    return checked


def _field_error(*, code: str, name: str) -> ValidationError | None:
    """Django's own message when a code or name does not fit its column."""
    try:
        Area(code=code, name=name).clean_fields(
            exclude=[
                "area_type",
                "level",
                "parent",
                "valid_from",
                "valid_to",
                "boundary",
                "area_km2",
                "label_point",
                "is_approximate",
                "source",
            ]
        )
    except ValidationError as error:
        return error
    return None


def _geometry_kind(geometry: BaseGeometry | None) -> str:
    if geometry is None or geometry.is_empty:
        return _("không có hình học")
    return geometry.geom_type


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """The polygons of a repaired geometry; make_valid may add stray lines or points."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [
        part
        for part in shapely.get_parts(geometry)
        if part.geom_type in ("Polygon", "MultiPolygon")
    ]
    polygons = [polygon for part in parts for polygon in shapely.get_parts(part)]
    return shapely.MultiPolygon(polygons) if polygons else shapely.MultiPolygon()


def _as_multipolygon(geometry: BaseGeometry) -> shapely.MultiPolygon:
    if geometry.geom_type == "Polygon":
        return shapely.MultiPolygon([geometry])
    return geometry


def listed(items: Iterable[str]) -> str:
    items = list(items)
    shown = "; ".join(items[:LISTED_PROBLEMS])
    if len(items) > LISTED_PROBLEMS:
        shown += _(" và %(count)d đơn vị khác") % {"count": len(items) - LISTED_PROBLEMS}
    return shown
