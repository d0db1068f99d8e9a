"""Hostile boundary files (issue 8, row "hostile boundary files" of "What to build", 3): zip bombs,
path traversal, VRT files reading local paths, /vsi paths, huge declared sizes, self-intersections
and broken files, through the import core (the command's) and the admin page. Each is refused with
a sentence in the user's language (or, for a self-intersection, repaired and reported as the
design has it), and nothing is stored: no area, no preview file left under boundary-imports/.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from shapely.geometry import Polygon, box

from geoapp.exceptions import InvalidInput
from wards import services
from wards.boundary_file import GeometryRepair
from wards.models import Area, AreaLevel, AreaType

from .test_boundary_import import (
    ADMIN_OPTIONS,
    BOW_TIE,
    NORTH,
    REFORM_DAY,
    import_communes,
    three_wards,
    write_layer,
)


@pytest.fixture
def province(db: None) -> Area:
    return services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE, level=AreaLevel.PROVINCE,
        boundary=box(108.0, 14.5, 109.5, 15.5), valid_from=REFORM_DAY,
    )  # fmt: skip


USE_FORMATS = (
    "Hãy dùng GeoJSON (.geojson), Shapefile (.shp, hoặc nén .zip kèm .shx, .dbf, .prj) "
    "hoặc GeoPackage (.gpkg)."
)
PASSWD_VRT = (
    '<OGRVRTDataSource><OGRVRTLayer name="passwd">'
    "<SrcDataSource>CSV:/etc/passwd</SrcDataSource>"
    "<GeometryType>wkbPolygon</GeometryType><LayerSRS>EPSG:4326</LayerSRS>"
    "</OGRVRTLayer></OGRVRTDataSource>"
)


def shapefile_zip(tmp_path: Path, extra: dict[str, bytes] | None = None) -> bytes:
    shapefile = three_wards(tmp_path / "shp" / "wards.shp") if _mkdir(tmp_path / "shp") else None
    assert shapefile is not None
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for part in sorted((tmp_path / "shp").iterdir()):
            zipped.write(part, part.name)
        for name, content in (extra or {}).items():
            zipped.writestr(name, content)
    return archive.getvalue()


def _mkdir(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return True


def zip_bomb() -> bytes:
    """A zip of about 1 MB whose one member inflates to 1 GB (of zeros), named like a shapefile."""
    archive = io.BytesIO()
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped,
        zipped.open("wards.shp", "w", force_zip64=True) as member,
    ):
        for _ in range(1024):
            member.write(chunk)
    return archive.getvalue()


def zip_with(members: dict[str, bytes]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, content in members.items():
            zipped.writestr(name, content)
    return archive.getvalue()


def hostile_files(tmp_path: Path) -> dict[str, tuple[str, bytes, str]]:
    """name → (file name, content, the exact refusal)."""
    good_zip = shapefile_zip(tmp_path)
    return {
        "zip-bomb": (
            "wards.zip",
            zip_bomb(),
            "Tệp nén wards.zip giải nén ra quá lớn: tối đa 200 MB.",
        ),
        "path-traversal": (
            "wards.zip",
            zip_with({"../../etc/passwd": b"root:x:0:0", "wards.shp": b"\x00\x00\x27\x0a"}),
            "Tệp nén wards.zip chứa đường dẫn không an toàn “../../etc/passwd”.",
        ),
        "absolute-path": (
            "wards.zip",
            zip_with({"/etc/cron.d/x": b"* * * * * root true"}),
            "Tệp nén wards.zip chứa đường dẫn không an toàn “/etc/cron.d/x”.",
        ),
        "vrt-named-geojson": (
            "wards.geojson",
            PASSWD_VRT.encode(),
            f"Không đọc được wards.geojson như một tệp dữ liệu địa lý (nội dung không phải "
            f"GeoJSON). {USE_FORMATS}",
        ),
        "vrt-in-a-zip": (
            "wards.zip",
            shapefile_zip(tmp_path / "second", {"wards.vrt": PASSWD_VRT.encode()}),
            "Tệp nén wards.zip chứa wards.vrt: trong tệp nén chỉ nhận các phần của một "
            "Shapefile (.shp, .shx, .dbf, .prj, .cpg).",
        ),
        "truncated-zip": (
            "wards.zip",
            good_zip[: len(good_zip) // 2],
            f"Không đọc được wards.zip như một tệp dữ liệu địa lý (tệp nén bị hỏng). {USE_FORMATS}",
        ),
        "not-a-geometry": (
            "wards.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
            b'"properties": {"code": "21025", "fullName": "Ph\xc6\xb0\xe1\xbb\x9dng C\xe1\xba\xa9m '
            b'Th\xc3\xa0nh"}, "geometry": "hello"}]}',
            "Ranh giới phải là vùng (Polygon hoặc MultiPolygon): đơn vị thứ 1 (mã 21025) là "
            "không có hình học.",
        ),
    }


HOSTILE_IDS = [
    "zip-bomb",
    "path-traversal",
    "absolute-path",
    "vrt-named-geojson",
    "vrt-in-a-zip",
    "truncated-zip",
    "not-a-geometry",
]


@pytest.mark.parametrize("name", HOSTILE_IDS)
def test_the_import_refuses_a_hostile_file_clearly_and_stores_nothing(
    province: Area, tmp_path: Path, name: str
) -> None:
    """Issue 8, finding 5 (boundary files): before the fix the bomb was inflated by GDAL, the VRT
    read /etc/passwd, and zips were handed to GDAL whatever they held."""
    file_name, content, message = hostile_files(tmp_path)[name]
    path = tmp_path / "upload" / file_name
    path.parent.mkdir()
    path.write_bytes(content)

    with pytest.raises(InvalidInput) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message == message
    assert Area.objects.count() == 1


@pytest.mark.parametrize("name", HOSTILE_IDS)
def test_the_admin_page_refuses_a_hostile_file_and_leaves_no_preview_file(
    admin_client: Any, province: Area, tmp_path: Path, settings: Any, name: str
) -> None:
    """Issue 8, finding 5 (boundary files), through the administrator's upload."""
    settings.MEDIA_ROOT = tmp_path / "media"
    file_name, content, message = hostile_files(tmp_path)[name]

    response = admin_client.post(
        "/admin/wards/area/import-boundaries/",
        {**ADMIN_OPTIONS, "boundary_file": SimpleUploadedFile(file_name, content)},
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [message]
    assert Area.objects.count() == 1
    assert [p for p in (settings.MEDIA_ROOT / "boundary-imports").rglob("*") if p.is_file()] == []


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(
    province: Area, tmp_path: Path
) -> None:
    """Issue 8, finding 5 (boundary files): a 1 GB GeoJSON (sparse: it takes no disk) is refused
    by its size; before the fix GDAL read it."""
    path = tmp_path / "wards.geojson"
    with path.open("wb") as file:
        file.truncate(1 << 30)

    with pytest.raises(InvalidInput) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.code == "boundary_file_too_large"
    assert refusal.value.message == "Tệp wards.geojson quá lớn (1073.7 MB): tối đa 200 MB."
    assert Area.objects.count() == 1


def test_an_upload_declaring_1_gb_is_refused_before_its_body_is_read(
    admin_client: Any, province: Area, tmp_path: Path, settings: Any
) -> None:
    """Issue 8, finding 5: the request body limit holds for the administrator's upload too."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = three_wards(tmp_path / "wards.geojson")

    response = admin_client.post(
        "/admin/wards/area/import-boundaries/",
        {**ADMIN_OPTIONS, "boundary_file": SimpleUploadedFile(path.name, path.read_bytes())},
        CONTENT_LENGTH=str(1 << 30),
    )

    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn: tối đa 51 MB mỗi lần gửi, kể cả ảnh." in (
        response.content.decode()
    )
    assert Area.objects.count() == 1
    assert not (settings.MEDIA_ROOT / "boundary-imports").exists()


@pytest.mark.parametrize("path", ["/vsicurl/http://example.invalid/x.geojson", "/vsizip//x.zip"])
def test_a_gdal_virtual_path_is_refused(province: Area, path: str) -> None:
    """Issue 8, finding 5 (boundary files): GDAL's /vsi paths reach the network or archives."""
    with pytest.raises(InvalidInput) as refusal:
        import_communes(Path(path), commit=True)

    assert refusal.value.message == (
        "Không nhận đường dẫn ảo của GDAL (/vsi…): hãy chỉ đến một tệp trên đĩa."
    )
    assert Area.objects.count() == 1


def test_a_self_intersecting_boundary_is_repaired_and_named_in_the_preview(
    admin_client: Any, province: Area, tmp_path: Path, settings: Any
) -> None:
    """A bow tie is repaired (ST_MakeValid's twin, shapely.make_valid) and reported by feature,
    as the design has it; the preview stores nothing and leaves only the file it will import."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = write_layer(
        tmp_path / "bow_tie.geojson",
        [{"code": "21025", "fullName": "Phường Cẩm Thành"}, {"code": "21028", "fullName": "Phường Nghĩa Lộ"}],
        [NORTH, BOW_TIE],
    )  # fmt: skip

    response = admin_client.post(
        "/admin/wards/area/import-boundaries/",
        {**ADMIN_OPTIONS, "boundary_file": SimpleUploadedFile(path.name, path.read_bytes())},
    )

    assert response.status_code == 200
    assert (
        "  ~ đơn vị thứ 2, mã 21028 (Phường Nghĩa Lộ): Self-intersection[108.75 15.05]"
        in response.content.decode()
    )
    assert Area.objects.count() == 1
    report = import_communes(path, commit=False)
    assert report.repairs == [
        GeometryRepair(2, "21028", "Phường Nghĩa Lộ", "Self-intersection[108.75 15.05]")
    ]


def test_a_boundary_that_repairs_to_nothing_is_refused_naming_the_feature(
    province: Area, tmp_path: Path
) -> None:
    flat = Polygon([(108.7, 15.0), (108.8, 15.0), (108.75, 15.0), (108.7, 15.0)])
    path = write_layer(
        tmp_path / "flat.geojson", [{"code": "21025", "fullName": "Phường Cẩm Thành"}], [flat]
    )

    with pytest.raises(InvalidInput) as refusal:
        import_communes(path, commit=True)

    assert refusal.value.message.startswith(
        "Ranh giới không hợp lệ và sửa xong không còn phần diện tích nào: đơn vị thứ 1 (mã 21025)"
    )
    assert Area.objects.count() == 1


def test_a_clean_zipped_shapefile_still_imports(province: Area, tmp_path: Path) -> None:
    path = tmp_path / "wards.zip"
    path.write_bytes(shapefile_zip(tmp_path, {"README.txt": b"Nguon: so TNMT"}))

    import_communes(path, commit=True)

    assert Area.objects.filter(level="commune").count() == 3
