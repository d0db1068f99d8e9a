"""Data entry by a commune officer, review by the level above, locking and the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from geoapp.exceptions import Conflict, InvalidInput, PermissionDenied
from indicators.models import IndicatorValue, IndicatorValueEvent, ValueStatus
from indicators.periods import period_parse
from indicators.services.values import value_review, value_save_draft, value_submit
from tests.indicators.conftest import Chain, make_indicator
from wards import services as ward_services
from wards.models import AgencyKind, AgencyMembership, AgencyRole


@pytest.fixture
def people(chain: Chain) -> dict[str, User]:
    t = chain.territory
    officer = User.objects.create_user("officer-an-phu")
    outsider = User.objects.create_user("officer-cam-thanh")
    reviewer = User.objects.create_user("province-manager")
    province = ward_services.agency_create(
        code="ubnd-tinh", name="Ủy ban nhân dân tỉnh", kind=AgencyKind.PEOPLES_COMMITTEE,
        jurisdiction=[t.province_after],
    )  # fmt: skip
    AgencyMembership.objects.create(user=officer, agency=t.committee_an_phu)
    AgencyMembership.objects.create(user=outsider, agency=t.committee_cam_thanh)
    AgencyMembership.objects.create(user=reviewer, agency=province, role=AgencyRole.MANAGER)
    return {"officer": officer, "outsider": outsider, "reviewer": reviewer}


def test_an_officer_enters_submits_and_the_province_approves_and_locks(
    chain: Chain, people: dict[str, User]
) -> None:
    indicator = make_indicator("population")
    area, period = chain.territory.an_phu, period_parse("2026")
    value = value_save_draft(
        actor=people["officer"], indicator=indicator, area=area, period=period,
        value=Decimal(8000),
    )  # fmt: skip
    value = value_save_draft(
        actor=people["officer"], indicator=indicator, area=area, period=period,
        value=Decimal(8100), comment="sửa",
    )  # fmt: skip
    value_submit(actor=people["officer"], value_id=value.pk)
    with pytest.raises(PermissionDenied):
        value_review(actor=people["officer"], value_id=value.pk, approve=True)
    value_review(actor=people["reviewer"], value_id=value.pk, approve=True)
    with pytest.raises(Conflict):
        value_save_draft(
            actor=people["officer"], indicator=indicator, area=area, period=period,
            value=Decimal(1),
        )  # fmt: skip
    stored = IndicatorValue.objects.get()
    assert (stored.value, stored.status) == (Decimal("8100.000000"), ValueStatus.APPROVED)
    events = IndicatorValueEvent.objects.order_by("id")
    assert [(e.action, e.actor, e.from_status, e.to_status) for e in events] == [
        ("entered", people["officer"], "", "draft"),
        ("entered", people["officer"], "draft", "draft"),
        ("submitted", people["officer"], "draft", "submitted"),
        ("approved", people["reviewer"], "submitted", "approved"),
    ]
    assert events[1].before is not None and events[1].before["value"] == "8000"
    assert events[1].after["value"] == "8100"


def test_an_officer_cannot_enter_another_communes_values(
    chain: Chain, people: dict[str, User]
) -> None:
    indicator = make_indicator("population")
    with pytest.raises(PermissionDenied):
        value_save_draft(
            actor=people["outsider"], indicator=indicator, area=chain.territory.an_phu,
            period=period_parse("2026"), value=Decimal(1),
        )  # fmt: skip
    assert IndicatorValue.objects.count() == 0
    assert IndicatorValueEvent.objects.count() == 0


def test_a_returned_value_needs_a_reason_and_goes_back_to_draft(
    chain: Chain, people: dict[str, User]
) -> None:
    indicator = make_indicator("population")
    value = value_save_draft(
        actor=people["officer"], indicator=indicator, area=chain.territory.an_phu,
        period=period_parse("2026"), value=Decimal(8000),
    )  # fmt: skip
    value_submit(actor=people["officer"], value_id=value.pk)
    with pytest.raises(InvalidInput):
        value_review(actor=people["reviewer"], value_id=value.pk, approve=False)
    assert IndicatorValue.objects.get().status == ValueStatus.SUBMITTED
    value_review(actor=people["reviewer"], value_id=value.pk, approve=False, note="Kiểm tra lại")
    assert IndicatorValue.objects.get().status == ValueStatus.DRAFT
    assert IndicatorValueEvent.objects.order_by("id").last().note == "Kiểm tra lại"  # type: ignore[union-attr]


def test_a_negative_count_is_refused_at_entry(chain: Chain, people: dict[str, User]) -> None:
    indicator = make_indicator("population")
    with pytest.raises(InvalidInput) as refused:
        value_save_draft(
            actor=people["officer"], indicator=indicator, area=chain.territory.an_phu,
            period=period_parse("2026"), value=Decimal(-3),
        )  # fmt: skip
    assert refused.value.message == "giá trị -3 âm, nhưng chỉ tiêu population không được âm."
    assert IndicatorValue.objects.count() == 0
