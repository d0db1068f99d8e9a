"""The builder's dossier and indicator layers: exact figures in the table, the map and every
download format, from procedures' and indicators' selectors, with no personal column."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyogrio
import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from indicators.models import Indicator, IndicatorValue
from indicators.periods import period_parse
from procedures.models import DossierDailyTally
from spatial_reports.layers import DOSSIER_COLUMNS, INDICATOR_COLUMNS
from spatial_reports.models import SpatialReportExport
from tests.conftest import Territory
from tests.indicators.conftest import make_indicator
from tests.spatial_reports.conftest import APPLICANT
from wards.models import Area

BUILDER = "/bao-cao-khong-gian/"
POINTS = "/bao-cao-khong-gian/diem.geojson"
DOWNLOAD = "/bao-cao-khong-gian/tai-ve/"
MARCH = {"lop": "dossiers", "tu": "2026-03-01", "den": "2026-03-31"}
# Inside Xã An Phú (108.7–108.9 × 15.1–15.2) and away from Phường Cẩm Thành.
IN_AN_PHU = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[108.75, 15.12], [108.85, 15.12], [108.85, 15.18], [108.75, 15.18], [108.75, 15.12]]
        ],
    }
)
PERSONAL_COLUMN_WORDS = ("applicant", "name_", "phone", "email", "address", "id_number")


@dataclass
class Values:
    indicator: Indicator


@pytest.fixture
def values(territory: Territory) -> Values:
    """Population of the two communes of after the reform, 2025 and 2026."""
    indicator = make_indicator("dan-so", name_vi="Dân số", name_en="Population")
    for area, period, value in (
        (territory.cam_thanh, "2025", "12000"), (territory.cam_thanh, "2026", "12500"),
        (territory.an_phu, "2025", "8000"), (territory.an_phu, "2026", "7900"),
    ):  # fmt: skip
        parsed = period_parse(period)
        IndicatorValue.objects.create(
            indicator=indicator, area=area, period=period, period_start=parsed.start,
            period_end=parsed.end, value=Decimal(value),
        )  # fmt: skip
    return Values(indicator=indicator)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def table(response: object) -> list[list[str]]:
    """The summary table's body rows as text, cell by cell."""
    import re

    html = response.content.decode()  # type: ignore[attr-defined]
    body = html.split('id="summary-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        for row in rows
    ]  # fmt: skip


def density(count: int, area: Area) -> str:
    return f"{count / area.area_km2:.2f}".replace(".", ",")


# Dossiers


def test_dossiers_per_commune_count_receipts_change_on_time_rate_and_density(
    territory: Territory, dossiers: None, planner: User
) -> None:
    response = signed_in(planner).get(BUILDER, MARCH)

    assert response.status_code == 200
    # Cẩm Thành: 3 received (1 the month before: +2), 1 finished, late. An Phú: 1 received,
    # 1 finished on time. Densities per km² in the page's Vietnamese format (decimal comma).
    cam, an = territory.cam_thanh, territory.an_phu
    assert table(response) == [
        [f"{cam.name} 21025 2025-07-01/", "3", "+2", "1", "0%", density(3, cam)],
        [f"{an.name} 21034 2025-07-01/", "1", "+1", "1", "100%", density(1, an)],
    ]
    assert "4 hồ sơ tiếp nhận · kỳ trước: 1 · đúng hạn: 50%" in response.content.decode()


def test_dossiers_by_field_and_narrowed_to_a_field(dossiers: None, planner: User) -> None:
    client = signed_in(planner)

    by_field = client.get(BUILDER, {**MARCH, "nhom": "field"})
    of_births = client.get(BUILDER, {**MARCH, "linh_vuc_tthc": "Hộ tịch"})

    assert table(by_field) == [
        ["Chứng thực", "1", "0", "1", "0%"],
        ["Hộ tịch", "2", "+2", "1", "100%"],
        ["Đất đai", "1", "+1", "0", "—"],
    ]
    assert [row[1:5] for row in table(of_births)] == [
        ["1", "+1", "0", "—"],
        ["1", "+1", "1", "100%"],
    ]


def test_a_polygon_takes_the_communes_it_meets(dossiers: None, planner: User) -> None:
    response = signed_in(planner).get(BUILDER, {**MARCH, "vung": IN_AN_PHU})

    assert [row[1:5] for row in table(response)] == [["1", "+1", "1", "100%"]]
    assert "21034" in table(response)[0][0]


def test_the_dossier_map_is_the_communes_outlines_with_their_receipts(
    territory: Territory, dossiers: None, planner: User
) -> None:
    answer = signed_in(planner).get(POINTS, MARCH).json()

    assert answer["truncated"] is False
    assert [
        (feature["properties"], feature["geometry"]["type"]) for feature in answer["features"]
    ] == [
        ({"code": "21025", "name": territory.cam_thanh.name, "value": 3}, "MultiPolygon"),
        ({"code": "21034", "name": territory.an_phu.name, "value": 1}, "MultiPolygon"),
    ]


def _download(client: Client, query: dict[str, str], file_format: str, tmp_path: Path) -> Path:
    response = client.post(DOWNLOAD, {**query, "dinh_dang": file_format})
    assert response.status_code == 200, response.content[:300]
    path = tmp_path / f"download.{'zip' if file_format == 'shp' else file_format}"
    path.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    content = path.read_bytes()
    for value in APPLICANT:
        assert value.encode() not in content
    return path


DOSSIER_ROWS = [
    ["21025", "Chứng thực", 1, 1, 0, 1, 0.0],
    ["21025", "Hộ tịch", 1, 0, 0, 0, None],
    ["21025", "Đất đai", 1, 0, 0, 0, None],
    ["21034", "Hộ tịch", 1, 1, 1, 0, 100.0],
]


@pytest.mark.parametrize("file_format", ["gpkg", "geojson", "shp"])
def test_the_dossier_gis_downloads_hold_counts_per_commune_and_field(
    territory: Territory, dossiers: None, planner: User, tmp_path: Path, file_format: str
) -> None:
    path = _download(signed_in(planner), MARCH, file_format, tmp_path)
    source = f"/vsizip/{path}/ho_so.shp" if file_format == "shp" else str(path)
    if file_format == "shp":
        with zipfile.ZipFile(path) as archive:
            assert "row_count: 4" in archive.read("README.txt").decode()

    frame = pyogrio.read_dataframe(source)

    assert list(frame.columns) == [*DOSSIER_COLUMNS, "geometry"]
    assert not [c for c in frame.columns if any(word in c for word in PERSONAL_COLUMN_WORDS)]
    assert [
        [row.commune, row.field, row.received, row.finished, row.on_time, row.late,
         None if row.on_time_pc != row.on_time_pc else row.on_time_pc]
        for row in frame.itertuples()
    ] == DOSSIER_ROWS  # fmt: skip
    assert set(frame["period"]) == {"2026-03-01/2026-03-31"}
    assert set(frame["validity"]) == {"2025-07-01/"}
    # Each row carries its commune's boundary.
    assert frame.geometry.iloc[0].equals(_shape(territory.cam_thanh))
    assert frame.crs.to_epsg() == 4326
    if file_format == "gpkg":
        metadata = pyogrio.read_info(source)["layer_metadata"]
        assert metadata["row_count"] == "4"
        assert metadata["period"] == "2026-03-01/2026-03-31"
        assert "validity" in metadata["boundaries"]


def _shape(area: Area) -> object:
    import shapely

    return shapely.from_wkb(bytes(area.boundary.wkb))


def test_the_dossier_csv_and_xlsx_hold_the_same_rows(
    dossiers: None, planner: User, tmp_path: Path
) -> None:
    client = signed_in(planner)
    rows = list(
        csv.reader(io.StringIO(_download(client, MARCH, "csv", tmp_path).read_bytes().decode("utf-8-sig")))
    )  # fmt: skip
    workbook = load_workbook(_download(client, MARCH, "xlsx", tmp_path), read_only=True)
    sheet = [list(row) for row in workbook["ho_so"].iter_rows(values_only=True)]
    about = dict(workbook["thong_tin"].iter_rows(values_only=True))

    assert rows[0] == list(DOSSIER_COLUMNS) and sheet[0] == list(DOSSIER_COLUMNS)
    assert [[r[0], r[3], *r[5:]] for r in rows[1:]] == [
        ["21025", "Chứng thực", "1", "1", "0", "1", "0.0"],
        ["21025", "Hộ tịch", "1", "0", "0", "0", ""],
        ["21025", "Đất đai", "1", "0", "0", "0", ""],
        ["21034", "Hộ tịch", "1", "1", "1", "0", "100.0"],
    ]
    # A write-only sheet stores no cell for an empty value at the end of a row.
    sheet = [(row + [None] * len(DOSSIER_COLUMNS))[: len(DOSSIER_COLUMNS)] for row in sheet]
    assert [[r[0], r[3], *r[5:]] for r in sheet[1:]] == [[r[0], r[1], *r[2:]] for r in DOSSIER_ROWS]
    assert about["row_count"] == "4" and about["personal_data"] == "none / không có"
    assert not SpatialReportExport.objects.exists()  # small: written at once


# Indicator values


def test_indicator_values_per_commune_and_period_with_the_change(
    territory: Territory, values: Values, planner: User
) -> None:
    query = {"lop": "indicators", "chi_tieu": "dan-so", "tu": "2026-01-01", "den": "2026-12-31"}

    response = signed_in(planner).get(BUILDER, query)

    assert response.status_code == 200
    assert table(response) == [
        [f"{territory.cam_thanh.name} 21025", "2026", "12500", "+500", "—", "1/1"],
        [f"{territory.an_phu.name} 21034", "2026", "7900", "-100", "—", "1/1"],
    ]


def test_the_indicator_layer_maps_and_downloads_the_last_period(
    territory: Territory, values: Values, planner: User, tmp_path: Path
) -> None:
    query = {"lop": "indicators", "chi_tieu": "dan-so", "tu": "2025-01-01", "den": "2026-12-31"}
    client = signed_in(planner)

    features = client.get(POINTS, query).json()["features"]
    frame = pyogrio.read_dataframe(str(_download(client, query, "gpkg", tmp_path)))
    rows = list(
        csv.reader(io.StringIO(_download(client, query, "csv", tmp_path).read_bytes().decode("utf-8-sig")))
    )  # fmt: skip

    assert [(f["properties"]["code"], f["properties"]["value"]) for f in features] == [
        ("21025", 12500.0),
        ("21034", 7900.0),
    ]
    assert list(frame.columns) == [*INDICATOR_COLUMNS, "geometry"]
    assert [
        [row.commune, row.period, row.value, None if row.previous != row.previous else row.previous]
        for row in frame.itertuples()
    ] == [
        ["21025", "2025", 12000.0, None],
        ["21034", "2025", 8000.0, None],
        ["21025", "2026", 12500.0, 12000.0],
        ["21034", "2026", 7900.0, 8000.0],
    ]
    assert set(frame["indicator"]) == {"dan-so"} and set(frame["unit"]) == {"người"}
    assert rows[0] == list(INDICATOR_COLUMNS) and len(rows) == 5


# Bad input


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"lop": "ban-do"}, "Lớp dữ liệu “ban-do” không có"),
        ({"lop": "indicators"}, "Hãy chọn một chỉ tiêu."),
        ({"lop": "indicators", "chi_tieu": "khong-co"}, "Không có chỉ tiêu mã “khong-co”."),
        ({"lop": "dossiers", "linh_vuc_tthc": "Hàng hải"}, "Không có lĩnh vực thủ tục Hàng hải."),
        ({"lop": "dossiers", "nhom": "unit"}, "Lớp dữ liệu này không nhóm được theo “unit”."),
        (
            {"lop": "indicators", "chi_tieu": "dan-so", "tu": "2010-01-01", "den": "2026-12-31"},
            "Khoảng thời gian có 204 kỳ",
        ),
    ],
)
def test_a_bad_layer_query_is_refused_with_its_reason(
    dossiers: None, values: Values, planner: User, query: dict[str, str], message: str
) -> None:
    values.indicator.period_type = "month"
    values.indicator.save()
    tallies, exports = DossierDailyTally.objects.count(), SpatialReportExport.objects.count()

    response = signed_in(planner).get(BUILDER, query)
    download = signed_in(planner).post(DOWNLOAD, {**query, "dinh_dang": "csv"})

    assert response.status_code == 400 and download.status_code == 400
    assert message in response.content.decode()
    assert message in download.content.decode()
    assert DossierDailyTally.objects.count() == tallies
    assert SpatialReportExport.objects.count() == exports
