"""The ranking with achievement and red/amber/green status, its CSV and XLSX exports, and the
trend page with its server-rendered SVG chart, on 2024 values shown on the 2026 communes."""

from __future__ import annotations

import io
from decimal import Decimal

from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from indicators.models import Indicator, IndicatorTarget
from indicators.selectors.ranking import achievement, status_of
from tests.indicators.conftest import Chain, make_indicator
from tests.indicators.test_aggregation import population

RANKING = "/chi-tieu/xep-hang/?indicator=population&period=2024&level=commune&boundaries=2026-01-01"


def with_targets(chain: Chain) -> Indicator:
    indicator = population(chain)  # 2024 on 2026 boundaries: Cẩm Thành 12,000, An Phú 8,000
    t = chain.territory
    IndicatorTarget.objects.create(
        indicator=indicator, area=t.cam_thanh, period="2024", value=Decimal(12500)
    )
    IndicatorTarget.objects.create(
        indicator=indicator, area=t.an_phu, period="2024", value=Decimal(7000)
    )
    return indicator


def test_achievement_and_status_follow_the_direction(db: None) -> None:
    higher = make_indicator("population")
    lower = make_indicator("accidents", direction="lower")
    assert achievement(indicator=higher, value=Decimal(95), target=Decimal(100)) == Decimal("95.0")
    assert achievement(indicator=lower, value=Decimal(4), target=Decimal(5)) == Decimal("125.0")
    assert achievement(indicator=lower, value=Decimal(0), target=Decimal(5)) == Decimal(100)
    assert achievement(indicator=higher, value=Decimal(1), target=None) is None
    assert achievement(indicator=higher, value=Decimal(1), target=Decimal(0)) is None
    assert [status_of(Decimal(x)) for x in ("100", "99.9", "90", "89.9")] == [
        "green", "amber", "amber", "red",
    ]  # fmt: skip
    assert status_of(None) == ""


def test_the_ranking_page(chain: Chain) -> None:
    with_targets(chain)
    response = Client().get(RANKING)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Phường Cẩm Thành (21025)") < page.index("Xã An Phú (21034)")
    assert '<span class="rag rag-amber">96,0 % · Gần đạt</span>' in page
    assert '<span class="rag rag-green">114,3 % · Đạt</span>' in page


def test_the_ranking_as_csv_and_xlsx(chain: Chain) -> None:
    with_targets(chain)
    response = Client().get(RANKING + "&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="xep-hang-population-2024-commune.csv"'
    )
    assert response.content.decode("utf-8").splitlines() == [
        "\ufeffrank,area_code,area_name,value,numerator,denominator,target,achievement_percent,"
        "status,reported,expected,reaggregated",
        "1,21025,Phường Cẩm Thành,12000,,,12500,96,amber,2,2,true",
        "2,21034,Xã An Phú,8000,,,7000,114.3,green,3,3,true",
    ]
    response = Client().get(RANKING + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[1][:9] == [
        1,
        "21025",
        "Phường Cẩm Thành",
        "12000",
        None,
        None,
        "12500",
        "96",
        "amber",
    ]
    assert len(rows) == 3


def test_bad_ranking_requests_are_refused(chain: Chain) -> None:
    population(chain)
    response = Client().get(RANKING.replace("2024", "2024-13"))
    assert response.status_code == 400
    assert "Kỳ báo cáo “2024-13” không hợp lệ" in response.content.decode()
    response = Client().get(RANKING + "&format=pdf")
    assert (response.status_code, response.content.decode()) == (
        400, "format phải là csv hoặc xlsx.",
    )  # fmt: skip


def test_the_trend_page_draws_the_series_across_the_reform(chain: Chain) -> None:
    with_targets(chain)
    query = "indicator=population&area=21034&boundaries=2026-01-01&from=2023&to=2026"
    response = Client().get(f"/chi-tieu/xu-huong/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<polyline class="value"') == 1  # one value (2024): one run
    assert page.count('<circle class="point"') == 1
    assert '<line class="reform"' in page
    assert "Sắp xếp đơn vị hành chính 1/7/2025" in page
    assert "<script" not in page.split('<figure id="trend-chart">')[1].split("</figure>")[0]
    table = page.split('id="trend-table"')[1]
    assert '<td>2024</td><td class="numeric">8000</td><td class="numeric">7000</td>' in table
    svg = Client().get(f"/chi-tieu/xu-huong.svg?{query}")
    assert svg["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert svg.content.decode().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_an_area_not_valid_on_the_boundaries_day_is_refused(chain: Chain) -> None:
    population(chain)
    response = Client().get(
        "/chi-tieu/xu-huong/?indicator=population&area=21037&boundaries=2026-01-01"
    )
    assert response.status_code == 400
    assert "Không có đơn vị mã “21037” có hiệu lực ngày 01/01/2026." in response.content.decode()
    svg = Client().get(
        "/chi-tieu/xu-huong.svg?indicator=population&area=21037&boundaries=2026-01-01"
    )
    assert svg.status_code == 400


def test_the_map_as_a_png_for_reports(chain: Chain) -> None:
    population(chain)
    response = Client().get(
        "/chi-tieu/ban-do.png?indicator=population&period=2024&level=commune"
        "&boundaries=2026-01-01&classification=equal_interval&classes=2"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert image.size == (1200, 900)
    # Cẩm Thành (south, 12,000) in the better class's green, An Phú (north, 8,000) in red; the
    # two boxes are equal, one above the other, filling the map's 840 × 810 pixels.
    assert image.getpixel((440, 700)) == (0x1A, 0x98, 0x50)
    assert image.getpixel((440, 200)) == (0xD7, 0x30, 0x27)


def test_a_bad_png_request_is_refused(chain: Chain) -> None:
    population(chain)
    response = Client().get("/chi-tieu/ban-do.png?indicator=population&period=2024&classes=9")
    assert (response.status_code, response.content.decode()) == (400, "Số lớp phải từ 2 đến 7.")
    response = Client().get("/chi-tieu/ban-do.png?indicator=nope")
    assert (response.status_code, response.content.decode()) == (
        400, "Không có chỉ tiêu mã “nope”.",
    )  # fmt: skip
