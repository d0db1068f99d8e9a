"""Exporting the areas valid on a date to GeoJSON and GeoPackage."""

from __future__ import annotations

import datetime
import io
import json

import geopandas
import pyogrio
import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import Point, box

from wards import services
from wards.boundary_export import ExportFormatUnsupported, NothingToExport, areas_export
from wards.models import AreaLevel, AreaType

AFTER_THE_REFORM = datetime.date(2026, 1, 1)
BEFORE_THE_REFORM = datetime.date(2024, 6, 1)


def test_a_geojson_export_carries_every_area_valid_on_the_date_with_its_properties(
    territory, tmp_path
):
    path = tmp_path / "areas.geojson"

    report = areas_export(path=path, on=AFTER_THE_REFORM)

    document = json.loads(path.read_text(encoding="utf-8"))
    assert [feature["properties"] for feature in document["features"]] == [
        {
            "code": "51",
            "name": "Tỉnh Quảng Ngãi",
            "type": "Tỉnh",
            "level": "province",
            "parent_code": None,
            "valid_from": "2025-07-01",
            "valid_to": None,
            "area_km2": round(territory.province_after.area_km2, 2),
            "is_approximate": False,
        },
        {
            "code": "21025",
            "name": "Phường Cẩm Thành",
            "type": "Phường",
            "level": "commune",
            "parent_code": "51",
            "valid_from": "2025-07-01",
            "valid_to": None,
            "area_km2": round(territory.cam_thanh.area_km2, 2),
            "is_approximate": False,
        },
        {
            "code": "21034",
            "name": "Xã An Phú",
            "type": "Xã",
            "level": "commune",
            "parent_code": "51",
            "valid_from": "2025-07-01",
            "valid_to": None,
            "area_km2": round(territory.an_phu.area_km2, 2),
            "is_approximate": False,
        },
    ]
    cam_thanh = shapely.geometry.shape(document["features"][1]["geometry"])
    assert cam_thanh.equals(box(108.7, 15.0, 108.9, 15.1))
    assert report.count == 3
    assert report.render() == (f"Đã ghi 3 đơn vị còn hiệu lực ngày 01/01/2026 vào {path}.")


def test_a_dated_export_before_the_reform_has_the_district_and_the_old_communes(
    territory, tmp_path
):
    path = tmp_path / "before.geojson"

    areas_export(path=path, on=BEFORE_THE_REFORM)

    document = json.loads(path.read_text(encoding="utf-8"))
    assert [
        (
            feature["properties"]["code"],
            feature["properties"]["name"],
            feature["properties"]["parent_code"],
            feature["properties"]["valid_to"],
        )
        for feature in document["features"]
    ] == [
        ("51", "Tỉnh Quảng Ngãi", None, "2025-06-30"),
        ("522", "Thành phố Quảng Ngãi", "51", "2025-06-30"),
        ("21025", "Phường Nguyễn Nghiêm", "522", "2025-06-30"),
        ("21034", "Xã Nghĩa Dũng", "522", "2025-06-30"),
    ]


def test_a_geopackage_export_of_one_level_is_in_wgs84(territory, tmp_path):
    path = tmp_path / "communes.gpkg"

    areas_export(path=path, on=AFTER_THE_REFORM, level=AreaLevel.COMMUNE)

    info = pyogrio.read_info(path)
    assert (info["layer_name"], info["crs"], info["features"]) == ("areas", "EPSG:4326", 2)
    frame = pyogrio.read_dataframe(path)
    assert frame[["code", "name", "type", "level", "parent_code"]].values.tolist() == [
        ["21025", "Phường Cẩm Thành", "Phường", "commune", "51"],
        ["21034", "Xã An Phú", "Xã", "commune", "51"],
    ]
    assert frame.geometry.iloc[1].equals(box(108.7, 15.1, 108.9, 15.2))


def test_simplification_in_metres_drops_vertices_and_keeps_valid_shapes(db, tmp_path):
    round_commune = Point(108.8, 15.1).buffer(0.02, quad_segs=256)  # about 4 km across
    services.area_create(
        code="21025", name="Phường Cẩm Thành", area_type=AreaType.WARD, level=AreaLevel.COMMUNE,
        boundary=round_commune, valid_from=datetime.date(2025, 7, 1),
    )  # fmt: skip
    exact_path, simplified_path = tmp_path / "exact.geojson", tmp_path / "simplified.geojson"

    areas_export(path=exact_path, on=AFTER_THE_REFORM)
    report = areas_export(path=simplified_path, on=AFTER_THE_REFORM, simplify_metres=50)

    exact = shapely.geometry.shape(json.loads(exact_path.read_text())["features"][0]["geometry"])
    simplified = shapely.geometry.shape(
        json.loads(simplified_path.read_text())["features"][0]["geometry"]
    )
    assert shapely.get_num_coordinates(exact) == 1025
    assert shapely.get_num_coordinates(simplified) < 100
    assert simplified.is_valid
    # The tolerance is in metres: no point of the simplified border is more than 50 m away.
    in_metres = geopandas.GeoSeries([exact, simplified], crs="EPSG:4326").to_crs(3405)
    assert 40 < in_metres[0].hausdorff_distance(in_metres[1]) <= 50
    assert report.render().endswith(", đã đơn giản hoá với dung sai 50 m.")


def test_an_existing_file_is_replaced(territory, tmp_path):
    path = tmp_path / "areas.geojson"
    path.write_text("old content", encoding="utf-8")

    areas_export(path=path, on=AFTER_THE_REFORM, level=AreaLevel.PROVINCE)

    assert len(json.loads(path.read_text(encoding="utf-8"))["features"]) == 1
    assert sorted(item.name for item in tmp_path.iterdir()) == ["areas.geojson"]


def test_it_refuses_an_unknown_format_and_writes_nothing(territory, tmp_path):
    with pytest.raises(ExportFormatUnsupported) as refusal:
        areas_export(path=tmp_path / "areas.kml", on=AFTER_THE_REFORM)

    assert refusal.value.message == "Không hỗ trợ định dạng “.kml”; dùng .geojson hoặc .gpkg."
    assert list(tmp_path.iterdir()) == []


def test_it_refuses_a_date_with_no_area_and_writes_nothing(territory, tmp_path):
    with pytest.raises(NothingToExport) as refusal:
        areas_export(path=tmp_path / "areas.geojson", on=datetime.date(1980, 1, 1))

    assert refusal.value.message == "Không có đơn vị hành chính nào còn hiệu lực ngày 01/01/1980."
    assert list(tmp_path.iterdir()) == []


def test_the_command_exports_the_level_and_date_asked_for(territory, tmp_path):
    path = tmp_path / "communes.geojson"
    output = io.StringIO()

    call_command(
        "wards_export_areas", str(path), "--level", "commune", "--date", "2024-06-01",
        stdout=output,
    )  # fmt: skip

    assert output.getvalue() == (
        f"Đã ghi 2 đơn vị cấp xã còn hiệu lực ngày 01/06/2024 vào {path}.\n"
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [feature["properties"]["name"] for feature in document["features"]] == [
        "Phường Nguyễn Nghiêm",
        "Xã Nghĩa Dũng",
    ]


def test_the_command_turns_a_refusal_into_a_command_error(territory, tmp_path):
    with pytest.raises(CommandError, match="^Không hỗ trợ định dạng “.csv”"):
        call_command("wards_export_areas", str(tmp_path / "areas.csv"))
