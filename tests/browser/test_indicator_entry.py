"""Data entry and review of indicator values in a real browser: a commune officer fills the
form, is told which figure is wrong (nothing saved), corrects it and submits; the province's
manager sees the values with their outlier flags and approves, which locks them on the form."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from indicators.models import IndicatorValue, ValueStatus
from tests.browser.conftest import GuardedPages
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.conftest import Chain, make_indicator
from wards import services as ward_services
from wards.models import AgencyKind, AgencyMembership, AgencyRole

pytestmark = pytest.mark.browser

chain = indicator_fixtures.chain

PASSWORD = "mật-khẩu-thử-chỉ-tiêu"

expect.set_options(timeout=15_000)


def sign_in(page: Page, username: str, *, then: str) -> None:
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_an_officer_enters_and_submits_and_the_province_approves(
    open_browser_page: GuardedPages, chain: Chain
) -> None:
    territory = chain.territory
    officer = User.objects.create_user("can-bo-an-phu", password=PASSWORD)
    AgencyMembership.objects.create(user=officer, agency=territory.committee_an_phu)
    manager = User.objects.create_user("lanh-dao-tinh", password=PASSWORD)
    province = ward_services.agency_create(
        code="ubnd-tinh", name="Ủy ban nhân dân tỉnh", kind=AgencyKind.PEOPLES_COMMITTEE,
        jurisdiction=[territory.province_after],
    )  # fmt: skip
    AgencyMembership.objects.create(user=manager, agency=province, role=AgencyRole.MANAGER)
    make_indicator("dan-so", name_vi="Dân số")
    make_indicator(
        "ty-le-ho-ngheo", name_vi="Tỷ lệ hộ nghèo", kind="ratio", factor=Decimal(100),
        area_aggregation="ratio", unit="%",
    )  # fmt: skip

    page = open_browser_page()
    open_browser_page.allow_error_response(page, r"/chi-tieu/nhap-so-lieu/")
    form_url = f"/chi-tieu/nhap-so-lieu/?area={territory.an_phu.pk}&period=2026"
    sign_in(page, "can-bo-an-phu", then=form_url)
    page.get_by_label("Giá trị Dân số").fill("8100")
    page.get_by_label("Tử số Tỷ lệ hộ nghèo").fill("300")
    page.get_by_label("Mẫu số Tỷ lệ hộ nghèo").fill("200")
    page.get_by_role("button", name="Lưu và gửi duyệt").click()
    expect(page.locator("#entry-error")).to_have_text(
        "Chưa lưu gì: hãy sửa các ô báo lỗi rồi lưu lại."
    )
    expect(page.locator("#row-ty-le-ho-ngheo .field-error")).to_have_text(
        "tử số (300) lớn hơn mẫu số (200)."
    )
    expect(page.get_by_label("Giá trị Dân số")).to_have_value("8100")
    assert IndicatorValue.objects.count() == 0

    page.get_by_label("Tử số Tỷ lệ hộ nghèo").fill("120")
    page.get_by_label("Mẫu số Tỷ lệ hộ nghèo").fill("2000")
    page.get_by_role("button", name="Lưu và gửi duyệt").click()
    expect(page.locator(".flash-messages")).to_have_text("Đã gửi duyệt 2 số liệu.")
    expect(page.locator(".entry-status")).to_have_text(["Đã gửi duyệt", "Đã gửi duyệt"])

    reviewer = open_browser_page()
    sign_in(reviewer, "lanh-dao-tinh", then="/chi-tieu/duyet/")
    rows = reviewer.locator("#review-table tbody tr")
    expect(rows).to_have_count(2)
    population = IndicatorValue.objects.get(indicator__code="dan-so")
    reviewer.locator(f"#value-{population.pk}").get_by_role("button", name="Duyệt").click()
    expect(reviewer.locator(".flash-messages")).to_have_text("Đã duyệt và khóa.")
    expect(rows).to_have_count(1)

    page.goto(form_url)
    expect(page.locator(".entry-status")).to_have_text(["Đã duyệt (khóa)", "Đã gửi duyệt"])
    assert dict(IndicatorValue.objects.values_list("indicator__code", "status")) == {
        "dan-so": ValueStatus.APPROVED,
        "ty-le-ho-ngheo": ValueStatus.SUBMITTED,
    }
