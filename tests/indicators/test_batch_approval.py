"""Review by the level above in batches: every submitted value of a commune and period, or a
ticked list, approved (and locked) or returned at once; all or nothing; locked values refuse
every change."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from geoapp.exceptions import Conflict, InvalidInput, PermissionDenied
from geoapp.file_imports import ImportRejected
from indicators.models import Indicator, IndicatorValue, IndicatorValueEvent, ValueStatus
from indicators.periods import period_parse
from indicators.services.value_import import values_import
from indicators.services.values import (
    value_review,
    value_save_draft,
    value_submit,
    values_review_batch,
)
from tests.indicators.conftest import Chain, make_indicator
from wards import services as ward_services
from wards.models import AgencyKind, AgencyMembership, AgencyRole


@pytest.fixture
def people(chain: Chain) -> dict[str, User]:
    t = chain.territory
    officer = User.objects.create_user("officer-an-phu")
    reviewer = User.objects.create_user("province-manager")
    commune_manager = User.objects.create_user("an-phu-manager")  # the commune, not above it
    province = ward_services.agency_create(
        code="ubnd-tinh", name="Ủy ban nhân dân tỉnh", kind=AgencyKind.PEOPLES_COMMITTEE,
        jurisdiction=[t.province_after],
    )  # fmt: skip
    AgencyMembership.objects.create(user=officer, agency=t.committee_an_phu)
    AgencyMembership.objects.create(user=reviewer, agency=province, role=AgencyRole.MANAGER)
    AgencyMembership.objects.create(
        user=commune_manager, agency=t.committee_an_phu, role=AgencyRole.MANAGER
    )
    return {"officer": officer, "reviewer": reviewer, "commune_manager": commune_manager}


def entered(chain: Chain, people: dict[str, User]) -> dict[str, IndicatorValue]:
    """An Phú's 2026 form: population and households submitted, schools left as a draft; and
    Cẩm Thành's population submitted by the province itself (an administrator's import)."""
    officer, area, period = people["officer"], chain.territory.an_phu, period_parse("2026")
    values = {}
    for code, number in (("population", 8000), ("households", 2000), ("schools", 3)):
        indicator = Indicator.objects.filter(code=code).first() or make_indicator(code)
        values[code] = value_save_draft(
            actor=officer, indicator=indicator, area=area, period=period, value=Decimal(number)
        )
    for code in ("population", "households"):
        values[code] = value_submit(actor=officer, value_id=values[code].pk)
    values["cam-thanh"] = IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code="population"), area=chain.territory.cam_thanh,
        period="2026", period_start=period.start, period_end=period.end, value=Decimal(9000),
        status=ValueStatus.SUBMITTED,
    )  # fmt: skip
    return values


def statuses() -> dict[tuple[str, str], str]:
    return {
        (code, area): status
        for code, area, status in IndicatorValue.objects.values_list(
            "indicator__code", "area__code", "status"
        )
    }


BEFORE = {
    ("population", "21034"): "submitted",
    ("households", "21034"): "submitted",
    ("schools", "21034"): "draft",
    ("population", "21025"): "submitted",
}


def test_a_reviewer_approves_every_submitted_value_of_a_commune_and_period(
    chain: Chain, people: dict[str, User]
) -> None:
    values = entered(chain, people)
    client = Client()
    client.force_login(people["reviewer"])
    page = client.get("/chi-tieu/duyet/").content.decode()
    assert "Xã An Phú (21034), kỳ 2026: 2 số liệu" in page
    response = client.post(
        "/chi-tieu/duyet/",
        {"batch": "group", "area": chain.territory.an_phu.pk, "period": "2026",
         "decision": "approve"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "Đã duyệt và khóa 2 số liệu." in client.get("/chi-tieu/duyet/").content.decode()
    assert statuses() == {
        **BEFORE, ("population", "21034"): "approved", ("households", "21034"): "approved",
    }  # fmt: skip
    approvals = IndicatorValueEvent.objects.filter(action="approved").order_by("value_id")
    assert [(e.value_id, e.actor, e.from_status, e.to_status) for e in approvals] == [
        (values["population"].pk, people["reviewer"], "submitted", "approved"),
        (values["households"].pk, people["reviewer"], "submitted", "approved"),
    ]


def test_a_reviewer_approves_or_returns_a_ticked_list(
    chain: Chain, people: dict[str, User]
) -> None:
    values = entered(chain, people)
    client = Client()
    client.force_login(people["reviewer"])
    ticked = [values["population"].pk, values["cam-thanh"].pk]
    response = client.post(
        "/chi-tieu/duyet/", {"batch": "selected", "values": ticked, "decision": "return"}
    )
    assert response.status_code == 400
    assert "Hãy ghi lý do trả lại số liệu." in response.content.decode()
    assert statuses() == BEFORE
    response = client.post(
        "/chi-tieu/duyet/",
        {"batch": "selected", "values": ticked, "decision": "return", "note": "Sai dân số"},
    )
    assert response.status_code == 302
    assert statuses() == {
        **BEFORE, ("population", "21034"): "draft", ("population", "21025"): "draft",
    }  # fmt: skip
    assert list(
        IndicatorValueEvent.objects.filter(action="returned").values_list("note", flat=True)
    ) == ["Sai dân số", "Sai dân số"]
    response = client.post("/chi-tieu/duyet/", {"batch": "selected", "decision": "approve"})
    assert response.status_code == 400
    assert "Chưa chọn số liệu nào để duyệt." in response.content.decode()


def test_a_batch_with_one_value_not_submitted_changes_nothing(
    chain: Chain, people: dict[str, User]
) -> None:
    values = entered(chain, people)
    events = IndicatorValueEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        values_review_batch(
            actor=people["reviewer"],
            value_ids=[values["population"].pk, values["schools"].pk],
            approve=True,
        )
    assert refused.value.message == (
        "Số liệu schools của Xã An Phú kỳ 2026 không ở trạng thái đã gửi duyệt; "
        "chưa duyệt số liệu nào."
    )
    with pytest.raises(InvalidInput):
        values_review_batch(actor=people["reviewer"], value_ids=[10**9], approve=True)
    assert statuses() == BEFORE
    assert IndicatorValueEvent.objects.count() == events


def test_only_the_level_above_approves_in_batches(chain: Chain, people: dict[str, User]) -> None:
    values = entered(chain, people)
    events = IndicatorValueEvent.objects.count()
    ids = [values["population"].pk, values["households"].pk]
    for who in ("officer", "commune_manager"):
        with pytest.raises(PermissionDenied) as refused:
            values_review_batch(actor=people[who], value_ids=ids, approve=True)
        assert refused.value.message == (
            "Chỉ cấp trên của Xã An Phú mới duyệt được số liệu của đơn vị này."
        )
        client = Client()
        client.force_login(people[who])
        response = client.post(
            "/chi-tieu/duyet/",
            {"batch": "group", "area": chain.territory.an_phu.pk, "period": "2026",
             "decision": "approve"},
        )  # fmt: skip
        assert response.status_code == 403
    assert statuses() == BEFORE
    assert IndicatorValueEvent.objects.count() == events


def test_locked_values_refuse_every_change(
    chain: Chain, people: dict[str, User], tmp_path: Path
) -> None:
    values = entered(chain, people)
    values_review_batch(
        actor=people["reviewer"],
        value_ids=[values["population"].pk, values["households"].pk],
        approve=True,
    )
    locked = IndicatorValue.objects.get(pk=values["population"].pk)
    events = IndicatorValueEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        value_save_draft(
            actor=people["officer"], indicator=locked.indicator, area=locked.area,
            period=period_parse("2026"), value=Decimal(1),
        )  # fmt: skip
    assert refused.value.message == "Số liệu kỳ 2026 đã được duyệt và khóa; không sửa được."
    for attempt in (
        lambda: value_submit(actor=people["officer"], value_id=locked.pk),
        lambda: value_review(actor=people["reviewer"], value_id=locked.pk, approve=False,
                             note="mở khóa"),
        lambda: values_review_batch(actor=people["reviewer"], value_ids=[locked.pk],
                                    approve=True),
    ):  # fmt: skip
        with pytest.raises(Conflict):
            attempt()
    path = tmp_path / "values.csv"
    path.write_text(
        "indicator,area_code,period,value,numerator,denominator,comment\n"
        "population,21034,2026,1,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        values_import(path=path, commit=True)
    assert rejected.value.errors == [
        "Dòng 2: số liệu kỳ 2026 của đơn vị này đã được duyệt và khóa."
    ]
    client = Client()
    client.force_login(people["officer"])
    response = client.post(
        "/chi-tieu/nhap-so-lieu/",
        {"area": chain.territory.an_phu.pk, "period": "2026", "action": "save",
         "value-population": "1"},
    )  # fmt: skip
    assert response.status_code == 302  # a locked row is not on the form: nothing to save
    stored = IndicatorValue.objects.get(pk=locked.pk)
    assert (stored.value, stored.status) == (Decimal("8000.000000"), ValueStatus.APPROVED)
    assert IndicatorValueEvent.objects.count() == events
