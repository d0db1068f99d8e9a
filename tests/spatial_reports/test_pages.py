"""The builder's page, its downloads in every format read back, and who may use them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pyogrio
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from openpyxl import load_workbook

from spatial_reports.models import SpatialReportExport
from tests.spatial_reports.conftest import PERSONAL_VALUES, Reports

BUILDER = "/bao-cao-khong-gian/"
DOWNLOAD = "/bao-cao-khong-gian/tai-ve/"
SECOND_HALF = {"tu": "2025-07-01", "den": "2025-12-31"}
SOUTH_WEST = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[108.7, 15.0], [108.82, 15.0], [108.82, 15.06], [108.7, 15.06], [108.7, 15.0]]
        ],
    }
)
COLUMNS = [
    "code",
    "category",
    "status",
    "reported",
    "commune",
    "commune_nm",
    "unit",
    "due",
    "resolved",
    "on_time",
]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_migration_gives_planners_leaders_and_administrators_the_page(db: None) -> None:
    for name in ("Chuyên viên quy hoạch", "Lãnh đạo", "Quản trị viên"):
        codenames = Group.objects.get(name=name).permissions.values_list("codename", flat=True)
        assert "use_spatial_reports" in codenames


def test_planners_and_leaders_see_the_summary(
    reports: Reports, planner: User, leader: User
) -> None:
    for user in (planner, leader):
        response = signed_in(user).get(BUILDER, SECOND_HALF)

        assert response.status_code == 200
        page = response.content.decode()
        assert "Phường Cẩm Thành" in page and "Xã An Phú" in page
        assert "4 phản ánh" in page


def test_a_signed_out_visitor_is_sent_to_sign_in(db: None) -> None:
    response = Client().get(BUILDER)

    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/login/?next=/bao-cao-khong-gian/"


def test_an_officer_who_is_not_a_planner_is_refused(reports: Reports, officer: User) -> None:
    client = signed_in(officer)

    page = client.get(BUILDER)
    points = client.get("/bao-cao-khong-gian/diem.geojson", SECOND_HALF)
    download = client.post(DOWNLOAD, {**SECOND_HALF, "dinh_dang": "csv"})

    assert page.status_code == 403
    assert "dành cho chuyên viên quy hoạch" in page.content.decode()
    assert points.status_code == 403 and points.json()["code"] == "not_a_planner"
    assert download.status_code == 403
    assert not SpatialReportExport.objects.exists()


def test_bad_input_is_explained_on_the_page_in_english_too(reports: Reports, planner: User) -> None:
    client = signed_in(planner)
    crossing = json.dumps(
        {
            "type": "Polygon",
            "coordinates": [
                [[108.7, 15.0], [108.8, 15.1], [108.8, 15.0], [108.7, 15.1], [108.7, 15.0]]
            ],
        }
    )

    in_vietnamese = client.get(BUILDER, {"vung": crossing})
    # The site is Vietnamese unless the visitor chose otherwise (the language cookie).
    client.cookies["django_language"] = "en"
    in_english = client.get(BUILDER, {"vung": crossing})
    download = client.post(DOWNLOAD, {"vung": crossing, "dinh_dang": "gpkg"})

    assert in_vietnamese.status_code == 400
    assert "Vùng tự cắt nhau" in in_vietnamese.content.decode()
    assert in_english.status_code == 400
    assert "The area crosses itself" in in_english.content.decode()
    assert download.status_code == 400
    assert not SpatialReportExport.objects.exists()


def test_an_unknown_format_is_refused(reports: Reports, planner: User) -> None:
    response = signed_in(planner).post(DOWNLOAD, {**SECOND_HALF, "dinh_dang": "kml"})

    assert response.status_code == 400
    assert "Định dạng “kml” không có" in response.content.decode()


def download(client: Client, file_format: str, tmp_path: Path) -> Path:
    response = client.post(DOWNLOAD, {**SECOND_HALF, "vung": SOUTH_WEST, "dinh_dang": file_format})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith('attachment; filename="bao-cao-khong-gian-')
    path = tmp_path / f"download.{'zip' if file_format == 'shp' else file_format}"
    path.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    content = path.read_bytes()
    for value in PERSONAL_VALUES:
        assert value.encode() not in content
    return path


@pytest.mark.parametrize("file_format", ["gpkg", "geojson", "shp"])
def test_the_gis_downloads_read_back(
    reports: Reports, planner: User, tmp_path: Path, file_format: str
) -> None:
    path = download(signed_in(planner), file_format, tmp_path)
    if file_format == "shp":
        with zipfile.ZipFile(path) as archive:
            assert sorted(archive.namelist()) == [
                "README.txt", "phan_anh.cpg", "phan_anh.dbf", "phan_anh.prj", "phan_anh.shp", "phan_anh.shx",
            ]  # fmt: skip
            assert "report_count: 2" in archive.read("README.txt").decode()
    # GDAL reads inside the zip; a str, since Path would fold the double slash of /vsizip//tmp.
    source = f"/vsizip/{path}/phan_anh.shp" if file_format == "shp" else str(path)

    frame = pyogrio.read_dataframe(source)

    assert list(frame.columns) == [*COLUMNS, "geometry"]
    first = reports.cam_thanh_2025[0]
    assert frame["code"].tolist() == [first.tracking_code, reports.cam_thanh_2025[1].tracking_code]
    assert frame["commune_nm"].tolist() == ["Phường Cẩm Thành", "Phường Cẩm Thành"]
    assert frame["on_time"].tolist() == [True, False] or frame["on_time"].tolist() == [1, 0]
    assert (frame.geometry.x.tolist(), frame.geometry.y.tolist()) == (
        [108.75, 108.80],
        [15.02, 15.05],
    )
    assert frame.crs.to_epsg() == 4326
    if file_format == "gpkg":
        metadata = pyogrio.read_info(source)["layer_metadata"]
        assert metadata["report_count"] == "2"
        assert metadata["period"] == "2025-07-01/2025-12-31"


def test_the_csv_and_xlsx_downloads_read_back(
    reports: Reports, planner: User, tmp_path: Path
) -> None:
    client = signed_in(planner)
    first = reports.cam_thanh_2025[0]

    csv_path = download(client, "csv", tmp_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig"))))
    workbook = load_workbook(download(client, "xlsx", tmp_path), read_only=True)
    sheet = [list(row) for row in workbook["phan_anh"].iter_rows(values_only=True)]
    about = dict(workbook["thong_tin"].iter_rows(values_only=True))

    header = [*COLUMNS, "longitude", "latitude"]
    assert rows[0] == header and sheet[0] == header
    assert len(rows) == 3 and len(sheet) == 3
    assert rows[1][:5] == [
        first.tracking_code,
        "giao-thong",
        "resolved",
        "2025-08-01T09:00:00+07:00",
        "21025",
    ]
    assert rows[1][9:] == ["True", "108.75", "15.02"]
    assert sheet[1][:5] == rows[1][:5]
    assert sheet[1][9:] == [True, 108.75, 15.02]
    assert about["report_count"] == "2"


def test_the_menu_links_to_the_builder_for_those_allowed_only(
    reports: Reports, planner: User, leader: User, officer: User
) -> None:
    link = '<a href="/bao-cao-khong-gian/"'
    for user in (planner, leader):
        assert link in signed_in(user).get("/").content.decode(), user.username
    assert link not in signed_in(officer).get("/").content.decode()
    assert link not in Client().get("/").content.decode()
    # On the builder itself the link is the current page.
    page = signed_in(planner).get(BUILDER).content.decode()
    assert '<a href="/bao-cao-khong-gian/" aria-current="page">' in page
