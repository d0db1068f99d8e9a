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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.db import connection, transaction
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from wards import services
from wards.boundary_file import (
    BoundaryFeature,
    BoundaryImportError,
    BoundaryParentNotFound,
    BoundaryValidityConflict,
    GeometryRepair,
    ImportedArea,
    area_type_checked,
    boundary_file_read,
    features_checked,
    fields_require,
    level_checked,
    listed,
)
from wards.geometry import to_shapely
from wards.models import LEVEL_RANK, Area, AreaLevel, AreaType

SAME_BOUNDARY_SLIVER_DEGREES = 1e-7


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
    level = level_checked(level)
    if valid_to is not None and valid_to < valid_from:
        raise BoundaryImportError(
            _("Ngày hết hiệu lực %(to)s trước ngày bắt đầu hiệu lực %(from)s.")
            % {"to": _format_day(valid_to), "from": _format_day(valid_from)}
        )
    if area_type is not None and type_field is not None:
        raise BoundaryImportError(
            _("Chỉ chọn một trong hai: loại đơn vị cố định hoặc trường chứa loại đơn vị.")
        )
    fixed_type = area_type_checked(area_type, level=level) if area_type is not None else None

    frame, source_crs = boundary_file_read(path, srid=srid)
    fields_require(frame, [code_field, name_field] + ([type_field] if type_field else []))
    features, repairs = features_checked(
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
            % {"features": listed(conflicts)}
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


def _format_day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")
