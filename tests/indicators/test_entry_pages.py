"""The data-entry page, the review page and the XLSX template, through Django's test client."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from indicators.models import (
    IndicatorValue,
    IndicatorValueEvent,
    RuleKind,
    ValidationRule,
    ValueStatus,
)
from tests.indicators.conftest import Chain, make_indicator
from wards import services as ward_services
from wards.models import AgencyKind, AgencyMembership, AgencyRole


@pytest.fixture
def officer(chain: Chain) -> User:
    user = User.objects.create_user("officer-an-phu")
    AgencyMembership.objects.create(user=user, agency=chain.territory.committee_an_phu)
    return user


@pytest.fixture
def reviewer(chain: Chain) -> User:
    user = User.objects.create_user("province-manager")
    province = ward_services.agency_create(
        code="ubnd-tinh", name="Ủy ban nhân dân tỉnh", kind=AgencyKind.PEOPLES_COMMITTEE,
        jurisdiction=[chain.territory.province_after],
    )  # fmt: skip
    AgencyMembership.objects.create(user=user, agency=province, role=AgencyRole.MANAGER)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_entry_page_needs_a_commune_officer(chain: Chain, reviewer: User) -> None:
    assert Client().get("/chi-tieu/nhap-so-lieu/").status_code == 302
    response = _client(reviewer).get("/chi-tieu/nhap-so-lieu/")
    assert response.status_code == 403
    assert "không thuộc đơn vị cấp xã nào" in response.content.decode()


def test_an_officer_saves_a_draft_then_submits_and_the_reviewer_approves(
    chain: Chain, officer: User, reviewer: User
) -> None:
    make_indicator("population")
    make_indicator("poverty-rate", kind="ratio", factor=Decimal(100), area_aggregation="ratio")
    make_indicator("monthly", period_type="month")  # not on a yearly form
    area = chain.territory.an_phu
    client = _client(officer)
    page = client.get(f"/chi-tieu/nhap-so-lieu/?area={area.pk}&period=2026").content.decode()
    assert 'name="value-population"' in page
    assert 'name="numerator-poverty-rate"' in page
    assert "value-monthly" not in page

    response = client.post(
        "/chi-tieu/nhap-so-lieu/",
        {"area": area.pk, "period": "2026", "action": "save", "value-population": "8 100",
         "numerator-poverty-rate": "", "denominator-poverty-rate": ""},
    )  # fmt: skip
    assert response.status_code == 302
    stored = IndicatorValue.objects.get()
    assert (stored.indicator.code, stored.value, stored.status) == (
        "population", Decimal(8100), ValueStatus.DRAFT,
    )  # fmt: skip

    response = client.post(
        "/chi-tieu/nhap-so-lieu/",
        {"area": area.pk, "period": "2026", "action": "submit", "value-population": "8100",
         "numerator-poverty-rate": "120", "denominator-poverty-rate": "2000"},
    )  # fmt: skip
    assert response.status_code == 302
    values = {v.indicator.code: v for v in IndicatorValue.objects.select_related("indicator")}
    assert {code: (v.value, v.status) for code, v in values.items()} == {
        "population": (Decimal(8100), ValueStatus.SUBMITTED),
        "poverty-rate": (Decimal(6), ValueStatus.SUBMITTED),
    }
    # Submitted values are shown, no longer editable.
    page = client.get(f"/chi-tieu/nhap-so-lieu/?area={area.pk}&period=2026").content.decode()
    assert 'name="value-population"' not in page

    review = _client(reviewer)
    page = review.get("/chi-tieu/duyet/").content.decode()
    assert f'id="value-{values["population"].pk}"' in page
    assert _client(officer).get("/chi-tieu/duyet/").content.decode().count('id="value-') == 0
    response = review.post(
        "/chi-tieu/duyet/", {"value": values["population"].pk, "decision": "approve"}
    )
    assert response.status_code == 302
    response = review.post(
        "/chi-tieu/duyet/", {"value": values["poverty-rate"].pk, "decision": "return", "note": ""}
    )
    assert response.status_code == 400
    assert "Hãy ghi lý do trả lại số liệu." in response.content.decode()
    review.post(
        "/chi-tieu/duyet/",
        {"value": values["poverty-rate"].pk, "decision": "return", "note": "Kiểm tra mẫu số"},
    )
    assert dict(IndicatorValue.objects.values_list("indicator__code", "status")) == {
        "population": ValueStatus.APPROVED,
        "poverty-rate": ValueStatus.DRAFT,
    }
    assert IndicatorValueEvent.objects.filter(action="returned").get().note == "Kiểm tra mẫu số"
    # The officer cannot approve, and the approved value is locked on the form.
    response = client.post(
        "/chi-tieu/duyet/", {"value": values["poverty-rate"].pk, "decision": "approve"}
    )
    assert response.status_code == 403
    page = client.get(f"/chi-tieu/nhap-so-lieu/?area={area.pk}&period=2026").content.decode()
    assert 'name="value-population"' not in page
    assert 'name="numerator-poverty-rate"' in page


def test_a_form_with_an_error_saves_nothing_and_names_the_indicator(
    chain: Chain, officer: User
) -> None:
    make_indicator("population")
    schools = make_indicator("schools")
    ValidationRule.objects.create(indicator=schools, kind=RuleKind.RANGE, upper=Decimal(40))
    make_indicator("poverty-rate", kind="ratio", factor=Decimal(100), area_aggregation="ratio")
    area = chain.territory.an_phu
    response = _client(officer).post(
        "/chi-tieu/nhap-so-lieu/",
        {"area": area.pk, "period": "2026", "action": "submit", "value-population": "8100",
         "value-schools": "41", "numerator-poverty-rate": "300",
         "denominator-poverty-rate": "200"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chưa lưu gì: hãy sửa các ô báo lỗi rồi lưu lại." in page
    assert "giá trị 41 nằm ngoài khoảng cho phép [\u2026; 40]." in page
    assert "tử số (300) lớn hơn mẫu số (200)." in page
    assert 'value="8100"' in page  # what was typed is kept
    assert IndicatorValue.objects.count() == IndicatorValueEvent.objects.count() == 0


def test_text_in_a_number_cell_and_a_bad_period_are_refused(chain: Chain, officer: User) -> None:
    make_indicator("population")
    area = chain.territory.an_phu
    client = _client(officer)
    response = client.post(
        "/chi-tieu/nhap-so-lieu/",
        {"area": area.pk, "period": "2026", "action": "save", "value-population": "nhiều"},
    )
    assert response.status_code == 400
    assert "cột value phải là một số, không phải “nhiều”." in response.content.decode()
    response = client.post(
        "/chi-tieu/nhap-so-lieu/",
        {"area": area.pk, "period": "2026-13", "action": "save", "value-population": "1"},
    )
    assert response.status_code == 400
    assert "Kỳ báo cáo “2026-13” không hợp lệ" in response.content.decode()
    assert IndicatorValue.objects.count() == 0


def test_the_english_page(chain: Chain, officer: User) -> None:
    make_indicator("population", name_en="Population")
    client = _client(officer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/chi-tieu/nhap-so-lieu/?area={chain.territory.an_phu.pk}&period=2026")
    text = page.content.decode()
    assert "Enter indicator values" in text and "Save draft" in text and "Population" in text


def test_the_xlsx_template_lists_the_communes_of_the_period(chain: Chain, officer: User) -> None:
    make_indicator("population")
    client = _client(officer)
    response = client.get("/chi-tieu/mau-nhap.xlsx?indicator=population&period=2024")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="mau-nhap-population-2024.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "indicator", "area_code", "period", "value", "numerator", "denominator", "comment",
        "area_name",
    ]  # fmt: skip
    assert [(r[1], r[7]) for r in rows[1:]] == [
        ("21025", "Phường Nguyễn Nghiêm"),
        ("21034", "Xã Nghĩa Dũng"),
        ("21037", "Xã Nghĩa An"),
        ("21038", "Xã Nghĩa Phú"),
    ]
    assert client.get("/chi-tieu/mau-nhap.xlsx?indicator=nope&period=2024").status_code == 404
    bad = client.get("/chi-tieu/mau-nhap.xlsx?indicator=population&period=2024-07")
    assert bad.status_code == 400
    assert bad.content.decode() == (
        "Chỉ tiêu population báo cáo theo Năm; kỳ “2024-07” không phù hợp."
    )


def test_the_review_page_shows_outlier_flags(chain: Chain, reviewer: User) -> None:
    indicator = make_indicator("population")
    area = chain.territory.an_phu
    for year, number in [(2021, 100), (2022, 102), (2023, 98), (2024, 101), (2025, 99)]:
        IndicatorValue.objects.create(
            indicator=indicator, area=area, period=str(year), period_start=f"{year}-01-01",
            period_end=f"{year}-12-31", value=Decimal(number), status=ValueStatus.APPROVED,
        )  # fmt: skip
    far = IndicatorValue.objects.create(
        indicator=indicator, area=area, period="2026", period_start="2026-01-01",
        period_end="2026-12-31", value=Decimal(150), status=ValueStatus.SUBMITTED,
    )  # fmt: skip
    page = _client(reviewer).get("/chi-tieu/duyet/").content.decode()
    row = page.split(f'id="value-{far.pk}"')[1].split("</tr>")[0]
    # z = 50 / √2.5 ≈ 31.6; modified z = 0.6745 × 50 / 1 ≈ 33.7
    assert "Lệch so với các kỳ trước (z): 31,6" in row
    assert "Lệch so với các kỳ trước (z hiệu chỉnh): 33,7" in row
    assert "cùng kỳ" not in row  # no peers to compare with
