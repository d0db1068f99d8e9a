"""Importing official boundaries from GeoJSON, Shapefile (plain or zipped) and GeoPackage files.

One core, `areas_import`, behind both the `wards_import_areas` command and the admin page
"Nhập ranh giới". As in MapIt, it writes nothing unless asked to commit: a dry run reads and checks
the whole file and reports exactly what a commit would do.

An area is identified by its code *and* the day its validity starts (the same code names another
area after the reform of 1 July 2025), so re-importing a file is idempotent: a unit already stored
with the same code and start day is either unchanged or has its boundary replaced in place,
keeping its id and therefore every record that points at it.
"""

from __future__ import annotations

import datetime
import math
import numbers
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas
import pyogrio
import pyogrio.errors
import shapely
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry.base import BaseGeometry

from geoapp.exceptions import InvalidInput
from wards import services
from wards.geometry import to_shapely
from wards.models import LEVEL_RANK, Area, AreaLevel, AreaType

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
SAME_BOUNDARY_SLIVER_DEGREES = 1e-7

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
class ImportReport:
    """What an import did, or in a dry run would do; `lines()` is the text every interface shows."""

    file_name: str
    feature_count: int
    source_crs: str
    level: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    parent: ImportedArea | None
    committed: bool
    added: list[ImportedArea] = field(default_factory=list)
    replaced: list[ImportedArea] = field(default_factory=list)
    unchanged: list[ImportedArea] = field(default_factory=list)
    repairs: list[GeometryRepair] = field(default_factory=list)

    def lines(self) -> list[str]:
        reprojected = self.source_crs != "EPSG:4326"
        lines = [
            _("Tệp %(file)s: %(count)d đơn vị, hệ toạ độ %(crs)s%(reprojected)s.")
            % {
                "file": self.file_name,
                "count": self.feature_count,
                "crs": self.source_crs,
                "reprojected": _(" (đã chuyển sang EPSG:4326)") if reprojected else "",
            },
            _("%(level)s, hiệu lực từ %(from)s đến %(to)s; đơn vị cấp trên: %(parent)s.")
            % {
                "level": AreaLevel(self.level).label,
                "from": _format_day(self.valid_from),
                "to": _format_day(self.valid_to) if self.valid_to else _("nay"),
                "parent": self.parent or _("không có"),
            },
        ]
        if self.repairs:
            lines.append(
                _("Đã sửa ranh giới không hợp lệ (%(count)d):") % {"count": len(self.repairs)}
            )
            lines.extend(
                "  ~ "
                + _("đơn vị thứ %(number)d, mã %(code)s (%(name)s): %(reason)s")
                % {
                    "number": repair.feature_number,
                    "code": repair.code,
                    "name": repair.name,
                    "reason": repair.reason,
                }
                for repair in self.repairs
            )
        for title, marker, areas in (
            (_("Thêm mới"), "+", self.added),
            (_("Thay ranh giới"), "*", self.replaced),
            (_("Không đổi"), "=", self.unchanged),
        ):
            lines.append(f"{title} ({len(areas)}):")
            lines.extend(f"  {marker} {area}" for area in areas)
        lines.append(
            _("Tổng cộng: thêm %(added)d, thay %(replaced)d, không đổi %(unchanged)d.")
            % {
                "added": len(self.added),
                "replaced": len(self.replaced),
                "unchanged": len(self.unchanged),
            }
        )
        if not self.committed:
            lines.append(_("Chạy thử: chưa ghi gì vào cơ sở dữ liệu."))
        elif self.added or self.replaced:
            lines.append(_("Đã ghi vào cơ sở dữ liệu."))
        else:
            lines.append(_("Không có gì cần ghi: dữ liệu đã khớp với tệp."))
        return lines

    def render(self) -> str:
        return "\n".join(self.lines())


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


def areas_import(
    *,
    path: Path,
    level: AreaLevel | str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    code_field: str = "code",
    name_field: str = "name",
    parent_code: str | None = None,
    area_type: AreaType | str | None = None,
    type_field: str | None = None,
    srid: int | None = None,
    is_approximate: bool = False,
    source: str = "",
    commit: bool,
) -> ImportReport:
    """Import every feature of the file at `path` as an area of `level` valid from `valid_from`.

    The stored areas name their origin as `source`, by default the file's name.

    All or nothing: any refusal (a `BoundaryImportError` naming the offending features) leaves
    the database untouched, and so does every run without `commit`.
    """
    level = _checked_level(level)
    if valid_to is not None and valid_to < valid_from:
        raise BoundaryImportError(
            _("Ngày hết hiệu lực %(to)s trước ngày bắt đầu hiệu lực %(from)s.")
            % {"to": _format_day(valid_to), "from": _format_day(valid_from)}
        )
    if area_type is not None and type_field is not None:
        raise BoundaryImportError(
            _("Chỉ chọn một trong hai: loại đơn vị cố định hoặc trường chứa loại đơn vị.")
        )
    fixed_type = _checked_type(area_type, level=level) if area_type is not None else None

    frame, source_crs = _read_geodata(path, srid=srid)
    _require_fields(frame, [code_field, name_field] + ([type_field] if type_field else []))
    features, repairs = _features_of(
        frame,
        level=level,
        code_field=code_field,
        name_field=name_field,
        fixed_type=fixed_type,
        type_field=type_field,
    )

    with transaction.atomic():
        if commit:
            # Two administrators importing the same codes at once could each pass the overlap
            # check below before either writes; one import at a time makes the check hold.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('wards.areas_import'))")
        parent = _parent_of(parent_code, level=level, valid_from=valid_from, valid_to=valid_to)
        existing = _existing_areas_by_code(features)
        _refuse_overlapping_validity(features, existing, valid_from=valid_from, valid_to=valid_to)

        report = ImportReport(
            file_name=path.name,
            feature_count=len(features),
            source_crs=source_crs,
            level=level,
            valid_from=valid_from,
            valid_to=valid_to,
            parent=ImportedArea(code=parent.code, name=parent.name) if parent else None,
            committed=commit,
            repairs=repairs,
        )
        to_add: list[BoundaryFeature] = []
        to_replace: list[tuple[Area, BoundaryFeature]] = []
        for feature in features:
            same_identity = next(
                (area for area in existing[feature.code] if area.valid_from == valid_from), None
            )
            if same_identity is None:
                to_add.append(feature)
                report.added.append(feature.label)
            elif _is_unchanged(
                same_identity,
                feature,
                level=level,
                valid_to=valid_to,
                parent=parent,
                is_approximate=is_approximate,
            ):
                report.unchanged.append(feature.label)
            else:
                to_replace.append((same_identity, feature))
                report.replaced.append(feature.label)

        if commit:
            source = source or path.name
            for feature in to_add:
                services.area_create(
                    code=feature.code,
                    name=feature.name,
                    area_type=feature.area_type,
                    level=level,
                    boundary=feature.boundary,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    parent=parent,
                    is_approximate=is_approximate,
                    source=source,
                )
            for area, feature in to_replace:
                # The replacement service saves the whole row, so the attributes a file may
                # correct besides name and boundary are set on the same row first.
                area.area_type = feature.area_type
                area.level = level
                area.valid_to = valid_to
                area.parent = parent
                services.area_replace_boundary(
                    area=area,
                    name=feature.name,
                    boundary=feature.boundary,
                    source=source,
                    is_approximate=is_approximate,
                )
    return report


def _read_geodata(path: Path, *, srid: int | None) -> tuple[geopandas.GeoDataFrame, str]:
    """The file's features in EPSG:4326 and the name of the system they were stored in."""
    if not path.exists():
        raise BoundaryFileUnreadable(_("Không tìm thấy tệp %(file)s.") % {"file": path})
    try:
        frame = pyogrio.read_dataframe(path)
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


def _require_fields(frame: geopandas.GeoDataFrame, names: Iterable[str]) -> None:
    available = [column for column in frame.columns if column != frame.geometry.name]
    for name in names:
        if name not in available:
            raise BoundaryFieldMissing(
                _("Tệp không có trường “%(field)s”. Các trường có trong tệp: %(available)s.")
                % {"field": name, "available": ", ".join(available) or _("(không có)")}
            )


def _features_of(
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
            % {"field": code_field, "features": _listed(named(n) for n in missing_codes)}
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
            % {"features": _listed(duplicates)}
        )

    missing_names = [number for number in feature_numbers if not names[number - 1]]
    if missing_names:
        raise BoundaryNameMissing(
            _("Thiếu tên (trường “%(field)s”) ở %(features)s.")
            % {"field": name_field, "features": _listed(named(n) for n in missing_names)}
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
            % {"features": _listed(not_polygonal)}
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
            % {"source": source, "features": _listed(untyped)}
        )
    wrong_level = [
        _("%(feature)s là %(type)s") % {"feature": named(number), "type": area_type}
        for number, area_type in zip(feature_numbers, types, strict=True)
        if area_type not in TYPES_OF_LEVEL[level]
    ]
    if wrong_level:
        raise BoundaryAreaTypeUnknown(
            _("Loại đơn vị không thuộc %(level)s: %(features)s. Kiểm tra lại tham số cấp.")
            % {"level": level.label.lower(), "features": _listed(wrong_level)}
        )

    too_long = [
        _("%(feature)s: %(problem)s")
        % {"feature": named(number), "problem": " ".join(error.messages)}
        for number, code, name in zip(feature_numbers, codes, names, strict=True)
        if (error := _field_error(code=code, name=name)) is not None
    ]
    if too_long:
        raise BoundaryFeatureInvalid(
            _("Dữ liệu không hợp lệ: %(features)s.") % {"features": _listed(too_long)}
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
            % {"features": _listed(unrepairable)}
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


def _checked_level(level: AreaLevel | str) -> AreaLevel:
    try:
        return AreaLevel(level)
    except ValueError:
        raise BoundaryImportError(
            _("Cấp “%(level)s” không hợp lệ; dùng một trong: %(choices)s.")
            % {"level": level, "choices": ", ".join(AreaLevel.values)}
        ) from None


def _checked_type(area_type: AreaType | str, *, level: AreaLevel) -> AreaType:
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


def _parent_of(
    parent_code: str | None,
    *,
    level: AreaLevel,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
) -> Area | None:
    if not parent_code:
        return None
    candidates = [
        area
        for area in Area.objects.on(valid_from).filter(code=parent_code).defer("boundary")
        if LEVEL_RANK[AreaLevel(area.level)] > LEVEL_RANK[level]
    ]
    if len(candidates) != 1:
        raise BoundaryParentNotFound(
            _(
                "Không có đơn vị cấp trên mã %(code)s (cấp cao hơn %(level)s) còn hiệu lực vào "
                "ngày %(day)s. Hãy nhập ranh giới của đơn vị cấp trên trước."
            )
            % {"code": parent_code, "level": level.label.lower(), "day": _format_day(valid_from)}
        )
    parent = candidates[0]
    if parent.valid_to is not None and (valid_to is None or valid_to > parent.valid_to):
        raise BoundaryParentNotFound(
            _(
                "Đơn vị cấp trên %(parent)s chỉ có hiệu lực đến %(parent_to)s, nhưng các đơn vị "
                "nhập có hiệu lực đến %(to)s; hãy khai báo ngày hết hiệu lực không muộn hơn."
            )
            % {
                "parent": parent,
                "parent_to": _format_day(parent.valid_to),
                "to": _format_day(valid_to) if valid_to else _("nay"),
            }
        )
    return parent


def _existing_areas_by_code(features: list[BoundaryFeature]) -> dict[str, list[Area]]:
    """Every stored period of the file's codes, fetched in one query."""
    by_code: dict[str, list[Area]] = defaultdict(list)
    for area in Area.objects.filter(code__in=[feature.code for feature in features]):
        by_code[area.code].append(area)
    return by_code


def _refuse_overlapping_validity(
    features: list[BoundaryFeature],
    existing: dict[str, list[Area]],
    *,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
) -> None:
    """A code names one area on any given day; another period of the same code may not overlap."""
    conflicts = [
        _("%(feature)s: đã có %(area)s")
        % {
            "feature": _("đơn vị thứ %(number)d (mã %(code)s)")
            % {"number": feature.number, "code": feature.code},
            "area": area,
        }
        for feature in features
        for area in existing[feature.code]
        if area.valid_from != valid_from
        and (valid_to is None or area.valid_from <= valid_to)
        and (area.valid_to is None or area.valid_to >= valid_from)
    ]
    if conflicts:
        raise BoundaryValidityConflict(
            _(
                "Thời gian hiệu lực trùng với đơn vị cùng mã đã có: %(features)s. Hãy khai báo "
                "ngày hết hiệu lực cho đơn vị cũ trước khi nhập ranh giới mới."
            )
            % {"features": _listed(conflicts)}
        )


def _is_unchanged(
    area: Area,
    feature: BoundaryFeature,
    *,
    level: AreaLevel,
    valid_to: datetime.date | None,
    parent: Area | None,
    is_approximate: bool,
) -> bool:
    return (
        area.name == feature.name
        and area.area_type == feature.area_type
        and area.level == level
        and area.valid_to == valid_to
        and area.parent_id == (parent.id if parent else None)
        and area.is_approximate == is_approximate
        and _same_boundary(to_shapely(area.boundary), feature.boundary)
    )


def _same_boundary(stored: BaseGeometry, imported: BaseGeometry) -> bool:
    if stored.equals_exact(imported, tolerance=0):
        return True
    difference = shapely.symmetric_difference(stored, imported).area
    return difference <= max(stored.length, imported.length) * SAME_BOUNDARY_SLIVER_DEGREES


def _listed(items: Iterable[str]) -> str:
    items = list(items)
    shown = "; ".join(items[:LISTED_PROBLEMS])
    if len(items) > LISTED_PROBLEMS:
        shown += _(" và %(count)d đơn vị khác") % {"count": len(items) - LISTED_PROBLEMS}
    return shown


def _format_day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")
