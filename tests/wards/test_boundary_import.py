"""Importing boundary files: the core, the command and the admin page, on files made here.

Every file is generated in tmp_path from the project's own made-up squares; official boundaries
are only read in test_official_boundaries.py.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path

import geopandas
import pytest
import shapely
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from shapely.geometry import Point, Polygon, box

from wards import services
from wards.boundary_file import (
    BoundaryAreaTypeUnknown,
    BoundaryCodeDuplicated,
    BoundaryCodeMissing,
    BoundaryFieldMissing,
    BoundaryFileUnreadable,
    BoundaryGeometryNotPolygonal,
    BoundaryParentNotFound,
    BoundaryProjectionUnknown,
    BoundaryValidityConflict,
    GeometryRepair,
    ImportedArea,
)
from wards.boundary_import import areas_import
from wards.geometry import ellipsoidal_area_km2, to_shapely
from wards.models import Area, AreaLevel, AreaType

REFORM_DAY = datetime.date(2025, 7, 1)
WEST = box(108.70, 15.00, 108.75, 15.05)
EAST = box(108.75, 15.00, 108.80, 15.05)
NORTH = box(108.70, 15.05, 108.80, 15.10)
BOW_TIE = Polygon([(108.7, 15.0), (108.8, 15.1), (108.8, 15.0), (108.7, 15.1), (108.7, 15.0)])


def write_layer(
    path: Path,
    rows: list[dict],
    geometries: list,
    *,
    crs: str | None = "EPSG:4326",
    driver: str | None = None,
) -> Path:
    columns = {key: [row[key] for row in rows] for key in rows[0]} if rows else {}
    frame = geopandas.GeoDataFrame(columns, geometry=geometries, crs=crs)
    frame.to_file(path, driver=driver, engine="pyogrio")
    return path


def three_wards(path: Path) -> Path:
    return write_layer(
        path,
        [
            {"code": "21025", "fullName": "Phường Cẩm Thành"},
            {"code": "21028", "fullName": "Phường Nghĩa Lộ"},
            {"code": "21034", "fullName": "Xã An Phú"},
        ],
        [WEST, EAST, NORTH],
    )


def import_communes(path: Path, *, commit: bool, **options):
    return areas_import(
        path=path,
        level=AreaLevel.COMMUNE,
        valid_from=REFORM_DAY,
        name_field="fullName",
        parent_code="51",
        commit=commit,
        **options,
    )


@pytest.fixture
def province(db: None) -> Area:
    return services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE, level=AreaLevel.PROVINCE,
        boundary=box(108.0, 14.5, 109.5, 15.5), valid_from=REFORM_DAY,
    )  # fmt: skip


def test_a_dry_run_reports_every_new_area_and_writes_nothing(province, tmp_path):
    report = import_communes(three_wards(tmp_path / "wards.geojson"), commit=False)

    assert report.added == [
        ImportedArea("21025", "Phường Cẩm Thành"),
        ImportedArea("21028", "Phường Nghĩa Lộ"),
        ImportedArea("21034", "Xã An Phú"),
    ]
    assert report.replaced == [] and report.unchanged == [] and report.repairs == []
    assert report.committed is False
    assert Area.objects.count() == 1


def test_the_report_reads_in_vietnamese(province, tmp_path):
    report = import_communes(three_wards(tmp_path / "wards.geojson"), commit=False)

    assert report.lines() == [
        "Tệp wards.geojson: 3 đơn vị, hệ toạ độ EPSG:4326.",
        "Cấp xã, hiệu lực từ 01/07/2025 đến nay; đơn vị cấp trên: 51 Tỉnh Quảng Ngãi.",
        "Thêm mới (3):",
        "  + 21025 Phường Cẩm Thành",
        "  + 21028 Phường Nghĩa Lộ",
        "  + 21034 Xã An Phú",
        "Thay ranh giới (0):",
        "Không đổi (0):",
        "Tổng cộng: thêm 3, thay 0, không đổi 0.",
        "Chạy thử: chưa ghi gì vào cơ sở dữ liệu.",
    ]


def test_a_commit_stores_each_area_with_its_type_parent_validity_and_measures(province, tmp_path):
    report = import_communes(three_wards(tmp_path / "wards.geojson"), commit=True)

    assert report.committed is True
    assert report.lines()[-1] == "Đã ghi vào cơ sở dữ liệu."
    cam_thanh = Area.objects.get(code="21025", valid_from=REFORM_DAY)
    assert (cam_thanh.name, cam_thanh.area_type, cam_thanh.level) == (
        "Phường Cẩm Thành",
        AreaType.WARD,
        AreaLevel.COMMUNE,
    )
    assert (cam_thanh.parent, cam_thanh.valid_to, cam_thanh.is_approximate) == (
        province,
        None,
        False,
    )
    assert cam_thanh.source == "wards.geojson"
    assert cam_thanh.area_km2 == pytest.approx(ellipsoidal_area_km2(WEST))
    assert to_shapely(cam_thanh.boundary).equals(WEST)
    assert WEST.contains(to_shapely(cam_thanh.label_point))
    assert Area.objects.get(code="21034").area_type == AreaType.COMMUNE
    assert Area.objects.count() == 4


def test_importing_the_same_file_again_leaves_every_area_unchanged(province, tmp_path):
    path = three_wards(tmp_path / "wards.geojson")
    import_communes(path, commit=True)
    ids_before = sorted(Area.objects.values_list("id", flat=True))

    report = import_communes(path, commit=True)

    assert [area.code for area in report.unchanged] == ["21025", "21028", "21034"]
    assert report.added == [] and report.replaced == []
    assert report.lines()[-1] == "Không có gì cần ghi: dữ liệu đã khớp với tệp."
    assert sorted(Area.objects.values_list("id", flat=True)) == ids_before


def test_a_changed_boundary_or_name_replaces_the_area_in_place_keeping_its_id(province, tmp_path):
    import_communes(three_wards(tmp_path / "wards.geojson"), commit=True)
    cam_thanh_id = Area.objects.get(code="21025").id
    moved_west = box(108.70, 15.00, 108.76, 15.05)
    changed = write_layer(
        tmp_path / "changed.geojson",
        [
            {"code": "21025", "fullName": "Phường Cẩm Thành"},
            {"code": "21028", "fullName": "Phường Nghĩa Lộ Mới"},
            {"code": "21034", "fullName": "Xã An Phú"},
        ],
        [moved_west, EAST, NORTH],
    )

    report = import_communes(changed, commit=True)

    assert report.replaced == [
        ImportedArea("21025", "Phường Cẩm Thành"),
        ImportedArea("21028", "Phường Nghĩa Lộ Mới"),
    ]
    assert report.unchanged == [ImportedArea("21034", "Xã An Phú")]
    cam_thanh = Area.objects.get(code="21025")
    assert cam_thanh.id == cam_thanh_id
    assert to_shapely(cam_thanh.boundary).equals(moved_west)
    assert cam_thanh.area_km2 == pytest.approx(ellipsoidal_area_km2(moved_west))
    assert Area.objects.get(code="21028").name == "Phường Nghĩa Lộ Mới"
    assert Area.objects.count() == 4


def test_a_dry_run_of_a_changed_file_reports_the_replacement_and_changes_nothing(
    province, tmp_path
):
    import_communes(three_wards(tmp_path / "wards.geojson"), commit=True)
    changed = write_layer(
        tmp_path / "changed.geojson",
        [{"code": "21025", "fullName": "Phường Cẩm Thành"}],
        [box(108.70, 15.00, 108.76, 15.05)],
    )

    report = import_communes(changed, commit=False)

    assert report.replaced == [ImportedArea("21025", "Phường Cẩm Thành")]
    assert to_shapely(Area.objects.get(code="21025").boundary).equals(WEST)


def test_the_same_code_from_a_later_day_is_a_new_area_beside_the_old_one(province, tmp_path):
    old_province = services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE, level=AreaLevel.PROVINCE,
        boundary=box(108.0, 14.5, 109.0, 15.5), valid_from=datetime.date(1989, 7, 1),
        valid_to=datetime.date(2025, 6, 30),
    )  # fmt: skip
    before = write_layer(
        tmp_path / "before.geojson", [{"code": "21025", "name": "Phường Nguyễn Nghiêm"}], [WEST]
    )
    areas_import(
        path=before, level="commune", valid_from=datetime.date(2014, 4, 1),
        valid_to=datetime.date(2025, 6, 30), parent_code="51", commit=True,
    )  # fmt: skip

    import_communes(three_wards(tmp_path / "after.geojson"), commit=True)

    assert list(Area.objects.filter(code="21025").values_list("name", "valid_from", "parent")) == [
        ("Phường Nguyễn Nghiêm", datetime.date(2014, 4, 1), old_province.id),
        ("Phường Cẩm Thành", REFORM_DAY, province.id),
    ]


def test_it_refuses_a_period_overlapping_another_period_of_the_same_code(province, tmp_path):
    import_communes(three_wards(tmp_path / "wards.geojson"), commit=True)
    later = write_layer(
        tmp_path / "later.geojson", [{"code": "21025", "fullName": "Phường Cẩm Thành"}], [WEST]
    )

    with pytest.raises(BoundaryValidityConflict) as refusal:
        areas_import(
            path=later, level="commune", valid_from=datetime.date(2026, 1, 1),
            name_field="fullName", parent_code="51", commit=True,
        )  # fmt: skip

    assert refusal.value.message == (
        "Thời gian hiệu lực trùng với đơn vị cùng mã đã có: đơn vị thứ 1 (mã 21025): đã có "
        "Phường Cẩm Thành (21025, 2025-07-01–…). Hãy khai báo ngày hết hiệu lực cho đơn vị cũ "
        "trước khi nhập ranh giới mới."
    )
    assert Area.objects.count() == 4


def test_it_repairs_a_self_intersecting_bow_tie_and_names_the_feature(province, tmp_path):
    path = write_layer(
        tmp_path / "bow_tie.geojson",
        [{"code": "21025", "fullName": "Phường Cẩm Thành"}, {"code": "21028", "fullName": "Phường Nghĩa Lộ"}],
        [NORTH, BOW_TIE],
    )  # fmt: skip

    report = import_communes(path, commit=True)

    assert report.repairs == [
        GeometryRepair(
            feature_number=2,
            code="21028",
            name="Phường Nghĩa Lộ",
            reason="Self-intersection[108.75 15.05]",
        )
    ]
    assert report.lines()[2:4] == [
        "Đã sửa ranh giới không hợp lệ (1):",
        "  ~ đơn vị thứ 2, mã 21028 (Phường Nghĩa Lộ): Self-intersection[108.75 15.05]",
    ]
    repaired = to_shapely(Area.objects.get(code="21028").boundary)
    assert repaired.is_valid
    assert repaired.geom_type == "MultiPolygon" and len(repaired.geoms) == 2
    assert repaired.area == pytest.approx(0.005)


def test_it_refuses_a_point_layer_naming_each_feature(province, tmp_path):
    path = write_layer(
        tmp_path / "points.geojson",
        [{"code": "21025", "fullName": "Phường Cẩm Thành"}, {"code": "21028", "fullName": "Phường Nghĩa Lộ"}],
        [Point(108.75, 15.05), Point(108.76, 15.05)],
    )  # fmt: skip

    with pytest.raises(BoundaryGeometryNotPolygonal) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message == (
        "Ranh giới phải là vùng (Polygon hoặc MultiPolygon): đơn vị thứ 1 (mã 21025) là Point; "
        "đơn vị thứ 2 (mã 21028) là Point."
    )
    assert Area.objects.count() == 1


def test_it_refuses_duplicate_codes_naming_both_features(province, tmp_path):
    path = write_layer(
        tmp_path / "duplicates.geojson",
        [
            {"code": "21025", "fullName": "Phường Cẩm Thành"},
            {"code": "21028", "fullName": "Phường Nghĩa Lộ"},
            {"code": "21025", "fullName": "Phường Cẩm Thành"},
        ],
        [WEST, EAST, NORTH],
    )

    with pytest.raises(BoundaryCodeDuplicated) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message == (
        "Mã đơn vị bị trùng: đơn vị thứ 3 (mã 21025) trùng mã với đơn vị thứ 1. Mỗi mã chỉ được "
        "xuất hiện một lần trong tệp."
    )
    assert Area.objects.count() == 1


def test_it_refuses_a_feature_without_a_code(province, tmp_path):
    path = write_layer(
        tmp_path / "missing_code.geojson",
        [{"code": "21025", "fullName": "Phường Cẩm Thành"}, {"code": None, "fullName": "Phường Nghĩa Lộ"}],
        [WEST, EAST],
    )  # fmt: skip

    with pytest.raises(BoundaryCodeMissing) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message == "Thiếu mã (trường “code”) ở đơn vị thứ 2 (không có mã)."
    assert Area.objects.count() == 1


def test_it_refuses_a_missing_field_and_lists_the_fields_the_file_has(province, tmp_path):
    path = write_layer(
        tmp_path / "no_full_name.geojson", [{"code": "21025", "name": "Cẩm Thành"}], [WEST]
    )

    with pytest.raises(BoundaryFieldMissing) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message == (
        "Tệp không có trường “fullName”. Các trường có trong tệp: code, name."
    )
    assert Area.objects.count() == 1


def test_it_refuses_a_text_file_named_geojson_with_a_clear_message(province, tmp_path):
    path = tmp_path / "notes.geojson"
    path.write_text("Danh sách phường xã, không phải dữ liệu địa lý.\n", encoding="utf-8")

    with pytest.raises(BoundaryFileUnreadable) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message.startswith(
        "Không đọc được notes.geojson như một tệp dữ liệu địa lý ("
    )
    assert refusal.value.message.endswith(
        "Hãy dùng GeoJSON (.geojson), Shapefile (.shp, hoặc nén .zip kèm .shx, .dbf, .prj) "
        "hoặc GeoPackage (.gpkg)."
    )
    assert Area.objects.count() == 1


def test_it_refuses_a_table_without_geometry(province, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,fullName\n21025,Phường Cẩm Thành\n", encoding="utf-8")

    with pytest.raises(BoundaryFileUnreadable) as refusal:
        import_communes(path, commit=True)

    # CSV is not one of the formats GDAL may open for an import (wards/boundary_sources.py).
    assert refusal.value.message == (
        "Không đọc được units.csv như một tệp dữ liệu địa lý (định dạng .csv không được nhận). "
        "Hãy dùng GeoJSON (.geojson), Shapefile (.shp, hoặc nén .zip kèm .shx, .dbf, .prj) "
        "hoặc GeoPackage (.gpkg)."
    )
    assert Area.objects.count() == 1


def test_it_refuses_a_file_that_does_not_exist(province, tmp_path):
    with pytest.raises(BoundaryFileUnreadable) as refusal:
        import_communes(tmp_path / "absent.geojson", commit=True)

    assert refusal.value.message == f"Không tìm thấy tệp {tmp_path / 'absent.geojson'}."


def test_it_imports_a_zipped_shapefile(province, tmp_path):
    shapefile_directory = tmp_path / "shapefile"
    shapefile_directory.mkdir()
    three_wards(shapefile_directory / "wards.shp")
    archive = tmp_path / "wards.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in sorted(shapefile_directory.iterdir()):
            zipped.write(part, part.name)

    report = import_communes(archive, commit=True)

    assert [area.code for area in report.added] == ["21025", "21028", "21034"]
    assert Area.objects.get(code="21028").name == "Phường Nghĩa Lộ"
    assert Area.objects.get(code="21028").source == "wards.zip"


def test_it_reprojects_a_geopackage_in_vn2000_to_wgs84(province, tmp_path):
    in_vn2000 = geopandas.GeoSeries([WEST, EAST], crs="EPSG:4326").to_crs(3405)
    path = write_layer(
        tmp_path / "vn2000.gpkg",
        [{"code": "21025", "fullName": "Phường Cẩm Thành"}, {"code": "21028", "fullName": "Phường Nghĩa Lộ"}],
        list(in_vn2000),
        crs="EPSG:3405",
    )  # fmt: skip

    report = import_communes(path, commit=True)

    assert report.source_crs == "EPSG:3405"
    assert report.lines()[0] == (
        "Tệp vn2000.gpkg: 2 đơn vị, hệ toạ độ EPSG:3405 (đã chuyển sang EPSG:4326)."
    )
    stored = to_shapely(Area.objects.get(code="21025").boundary)
    # Back within a millimetre (1e-8 degree) of the square first drawn in WGS 84.
    assert shapely.normalize(stored).equals_exact(
        shapely.normalize(shapely.MultiPolygon([WEST])), 1e-8
    )


def test_reimporting_a_reprojected_file_finds_every_area_unchanged(province, tmp_path):
    in_vn2000 = geopandas.GeoSeries([WEST], crs="EPSG:4326").to_crs(3405)
    path = write_layer(
        tmp_path / "vn2000.gpkg", [{"code": "21025", "fullName": "Phường Cẩm Thành"}],
        list(in_vn2000), crs="EPSG:3405",
    )  # fmt: skip
    import_communes(path, commit=True)

    report = import_communes(path, commit=False)

    assert report.unchanged == [ImportedArea("21025", "Phường Cẩm Thành")]


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_it_refuses_a_shapefile_without_a_projection_file(province, tmp_path):
    path = write_layer(
        tmp_path / "no_prj.shp", [{"code": "21025", "fullName": "Phường Cẩm Thành"}], [WEST], crs=None
    )  # fmt: skip
    assert not (tmp_path / "no_prj.prj").exists()

    with pytest.raises(BoundaryProjectionUnknown) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message == (
        "Tệp no_prj.shp không cho biết hệ toạ độ (thiếu tệp .prj?). Hãy bổ sung, hoặc khai báo "
        "mã EPSG của hệ toạ độ, ví dụ --srid 4326 (WGS 84) hoặc --srid 3405 (VN-2000 / UTM 48N)."
    )
    assert Area.objects.count() == 1


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
@pytest.mark.parametrize(
    ("projection", "message"),
    [
        (
            'PROJCS["nonsense",GEOGCS["x"]]',
            "Không hiểu hệ toạ độ ghi trong tệp local.shp (missing CONVERSION node). Hãy sửa tệp "
            ".prj, hoặc xuất lại dữ liệu với một hệ toạ độ có mã EPSG.",
        ),
        (
            'LOCAL_CS["Unknown local",UNIT["metre",1]]',
            "Không chuyển được hệ toạ độ Unknown local của tệp local.shp sang WGS 84 (EPSG:4326); "
            "hãy xuất lại dữ liệu với một hệ toạ độ có mã EPSG.",
        ),
    ],
)
def test_it_refuses_a_projection_it_cannot_understand(province, tmp_path, projection, message):
    path = write_layer(
        tmp_path / "local.shp", [{"code": "21025", "fullName": "Phường Cẩm Thành"}], [WEST], crs=None
    )  # fmt: skip
    (tmp_path / "local.prj").write_text(projection, encoding="ascii")

    with pytest.raises(BoundaryProjectionUnknown) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message == message
    assert Area.objects.count() == 1


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_a_shapefile_without_a_projection_file_imports_when_its_srid_is_declared(
    province, tmp_path
):
    path = write_layer(
        tmp_path / "no_prj.shp", [{"code": "21025", "fullName": "Phường Cẩm Thành"}], [WEST], crs=None
    )  # fmt: skip

    report = import_communes(path, commit=True, srid=4326)

    assert report.added == [ImportedArea("21025", "Phường Cẩm Thành")]
    assert to_shapely(Area.objects.get(code="21025").boundary).equals(WEST)


def test_it_refuses_a_declared_srid_that_contradicts_the_file(province, tmp_path):
    path = three_wards(tmp_path / "wards.geojson")

    with pytest.raises(BoundaryProjectionUnknown) as refusal:
        import_communes(path, commit=True, srid=3405)

    assert refusal.value.message == (
        "Tệp wards.geojson ghi hệ toạ độ EPSG:4326, khác với EPSG:3405 đã khai báo; chỉ khai "
        "báo hệ toạ độ cho tệp không có."
    )
    assert Area.objects.count() == 1


def test_numeric_codes_get_back_the_leading_zeros_of_their_level(db, tmp_path):
    path = write_layer(
        tmp_path / "provinces.shp", [{"code": 1, "name": "Thành phố Hà Nội"}], [WEST]
    )

    areas_import(path=path, level="province", valid_from=REFORM_DAY, commit=True)

    hanoi = Area.objects.get()
    assert (hanoi.code, hanoi.area_type) == ("01", AreaType.CENTRAL_CITY)


def test_it_refuses_a_name_whose_type_cannot_be_derived_naming_the_feature(province, tmp_path):
    path = write_layer(
        tmp_path / "short_names.geojson",
        [{"code": "21025", "name": "Cẩm Thành"}, {"code": "21028", "name": "Phường Nghĩa Lộ"}],
        [WEST, EAST],
    )

    with pytest.raises(BoundaryAreaTypeUnknown) as refusal:
        areas_import(path=path, level="commune", valid_from=REFORM_DAY, commit=True)

    assert refusal.value.message == (
        "Không xác định được loại đơn vị (tên phải bắt đầu bằng Thành phố, Thị trấn, Thị xã, "
        "Đặc khu, Phường, Huyện, Quận, Tỉnh, Xã) của đơn vị thứ 1 (mã 21025) “Cẩm Thành”."
    )
    assert Area.objects.count() == 1


def test_it_refuses_a_type_that_belongs_to_another_level(db, tmp_path):
    path = write_layer(
        tmp_path / "district.geojson", [{"code": "522", "name": "Huyện Tư Nghĩa"}], [WEST]
    )

    with pytest.raises(BoundaryAreaTypeUnknown) as refusal:
        areas_import(path=path, level="commune", valid_from=REFORM_DAY, commit=True)

    assert refusal.value.message == (
        "Loại đơn vị không thuộc cấp xã: đơn vị thứ 1 (mã 522) là Huyện. Kiểm tra lại tham số cấp."
    )
    assert Area.objects.count() == 0


def test_the_type_may_come_from_a_field_or_be_given_for_the_whole_file(province, tmp_path):
    typed = write_layer(
        tmp_path / "typed.geojson",
        [{"code": "21025", "name": "Cẩm Thành", "kind": "Phường"}, {"code": "21034", "name": "An Phú", "kind": "xã"}],
        [WEST, EAST],
    )  # fmt: skip
    special = write_layer(
        tmp_path / "special.geojson", [{"code": "21548", "name": "Lý Sơn"}], [NORTH]
    )

    areas_import(path=typed, level="commune", valid_from=REFORM_DAY, type_field="kind", commit=True)
    areas_import(
        path=special, level="commune", valid_from=REFORM_DAY, area_type=AreaType.SPECIAL_ZONE,
        commit=True,
    )  # fmt: skip

    assert list(Area.objects.filter(level="commune").values_list("code", "area_type")) == [
        ("21025", "Phường"),
        ("21034", "Xã"),
        ("21548", "Đặc khu"),
    ]


def test_it_refuses_a_parent_code_with_no_area_valid_on_the_first_day(province, tmp_path):
    path = three_wards(tmp_path / "wards.geojson")

    with pytest.raises(BoundaryParentNotFound) as refusal:
        areas_import(
            path=path, level="commune", valid_from=REFORM_DAY, name_field="fullName",
            parent_code="49", commit=True,
        )  # fmt: skip

    assert refusal.value.message == (
        "Không có đơn vị cấp trên mã 49 (cấp cao hơn cấp xã) còn hiệu lực vào ngày 01/07/2025. "
        "Hãy nhập ranh giới của đơn vị cấp trên trước."
    )
    assert Area.objects.count() == 1


def test_approximate_boundaries_are_flagged(province, tmp_path):
    import_communes(three_wards(tmp_path / "wards.geojson"), commit=True, is_approximate=True)

    assert set(Area.objects.filter(level="commune").values_list("is_approximate", flat=True)) == {
        True
    }


def test_the_command_is_a_dry_run_without_commit(province, tmp_path):
    path = three_wards(tmp_path / "wards.geojson")
    output = io.StringIO()

    call_command(
        "wards_import_areas", str(path), "--level", "commune", "--valid-from", "2025-07-01",
        "--name-field", "fullName", "--parent-code", "51", stdout=output,
    )  # fmt: skip

    assert output.getvalue().splitlines()[-3:] == [
        "Tổng cộng: thêm 3, thay 0, không đổi 0.",
        "Chạy thử: chưa ghi gì vào cơ sở dữ liệu.",
        "Thêm --commit để ghi.",
    ]
    assert Area.objects.count() == 1


def test_the_command_writes_with_commit(province, tmp_path):
    path = three_wards(tmp_path / "wards.geojson")
    output = io.StringIO()

    call_command(
        "wards_import_areas", str(path), "--level", "commune", "--valid-from", "2025-07-01",
        "--name-field", "fullName", "--parent-code", "51", "--commit", stdout=output,
    )  # fmt: skip

    assert output.getvalue().splitlines()[-1] == "Đã ghi vào cơ sở dữ liệu."
    assert Area.objects.filter(level="commune", parent=province).count() == 3


def test_the_command_turns_a_refusal_into_a_command_error(province, tmp_path):
    path = tmp_path / "notes.geojson"
    path.write_text("not geodata", encoding="utf-8")

    with pytest.raises(CommandError, match="^Không đọc được notes.geojson"):
        call_command(
            "wards_import_areas", str(path), "--level", "commune", "--valid-from", "2025-07-01",
            "--commit",
        )  # fmt: skip

    assert Area.objects.count() == 1


def geojson_upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/geo+json")


ADMIN_OPTIONS = {
    "level": "commune",
    "valid_from": "2025-07-01",
    "valid_to": "",
    "code_field": "code",
    "name_field": "fullName",
    "parent_code": "51",
    "area_type": "",
    "type_field": "",
    "srid": "",
}


def test_the_admin_page_previews_a_dry_run_then_imports_on_confirmation(
    admin_client, province, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = three_wards(tmp_path / "wards.geojson")
    page = "/admin/wards/area/import-boundaries/"

    preview = admin_client.post(page, {**ADMIN_OPTIONS, "boundary_file": geojson_upload(path)})

    assert preview.status_code == 200
    assert "  + 21025 Phường Cẩm Thành" in preview.content.decode()
    assert Area.objects.count() == 1
    upload = preview.context["form"].initial["upload"]
    assert (settings.MEDIA_ROOT / upload).exists()
    hidden_fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.content.decode())
    )
    assert hidden_fields["upload"] == upload and hidden_fields["valid_from"] == "2025-07-01"

    # The confirmation posts back exactly what the preview page holds.
    confirmed = admin_client.post(page, {**hidden_fields, "commit": "Ghi vào cơ sở dữ liệu"})

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/admin/wards/area/"
    assert sorted(Area.objects.filter(level="commune").values_list("code", flat=True)) == [
        "21025",
        "21028",
        "21034",
    ]
    assert not (settings.MEDIA_ROOT / upload).exists()


def test_the_admin_page_shows_a_refusal_and_writes_nothing(
    admin_client, province, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = write_layer(
        tmp_path / "points.geojson", [{"code": "21025", "fullName": "Phường Cẩm Thành"}], [Point(108.75, 15.05)]
    )  # fmt: skip

    response = admin_client.post(
        "/admin/wards/area/import-boundaries/",
        {**ADMIN_OPTIONS, "boundary_file": geojson_upload(path)},
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Ranh giới phải là vùng (Polygon hoặc MultiPolygon): đơn vị thứ 1 (mã 21025) là Point."
    ]
    assert Area.objects.count() == 1
    assert list((settings.MEDIA_ROOT / "boundary-imports").rglob("*.geojson")) == []


def test_the_admin_confirmation_refuses_a_file_name_it_did_not_issue(
    admin_client, province, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"

    response = admin_client.post(
        "/admin/wards/area/import-boundaries/",
        {**ADMIN_OPTIONS, "upload": "../../etc/passwd", "commit": "1"},
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Không còn tệp đã tải lên để ghi; hãy tải tệp lên và chạy thử lại."
    ]
    assert Area.objects.count() == 1


def test_the_area_list_links_to_the_import_page(admin_client, db):
    response = admin_client.get("/admin/wards/area/")

    assert 'href="/admin/wards/area/import-boundaries/"' in response.content.decode()


def test_the_admin_page_offers_the_upload_form(admin_client, db):
    response = admin_client.get("/admin/wards/area/import-boundaries/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="boundary_file"' in page
    assert 'value="Chạy thử"' in page


def test_the_admin_page_is_refused_to_staff_who_may_not_change_areas(client, db, tmp_path):
    clerk = User.objects.create_user(username="clerk", password="secret", is_staff=True)
    client.force_login(clerk)
    path = three_wards(tmp_path / "wards.geojson")

    response = client.post(
        "/admin/wards/area/import-boundaries/",
        {**ADMIN_OPTIONS, "boundary_file": geojson_upload(path)},
    )

    assert response.status_code == 403
    assert Area.objects.count() == 0
