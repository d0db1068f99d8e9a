import datetime

import pytest
from django.contrib.gis.geos import Point

from wards import services
from wards.models import AgencyKind
from wards.selectors import NoResponsibleAgency, PointOutsideTerritory, route_point

IN_CAM_THANH = Point(108.75, 15.05, srid=4326)
AFTER_REFORM = datetime.date(2026, 3, 2)
BEFORE_REFORM = datetime.date(2024, 3, 1)


@pytest.fixture
def environment_company(territory):
    return services.agency_create(
        code="moi-truong-do-thi", name="Công ty Môi trường đô thị", kind=AgencyKind.UTILITY,
        jurisdiction=[territory.province_after],
    )  # fmt: skip


@pytest.fixture
def police(territory):
    return services.agency_create(
        code="cong-an-tinh", name="Công an tỉnh", kind=AgencyKind.POLICE,
        jurisdiction=[territory.province_after],
    )  # fmt: skip


def test_without_a_rule_the_communes_peoples_committee_is_responsible(territory):
    routing = route_point(point=IN_CAM_THANH, category_code="xay-dung", on=AFTER_REFORM)

    assert routing.agency == territory.committee_cam_thanh
    assert routing.rule is None
    assert routing.commune == territory.cam_thanh
    assert routing.areas == [territory.cam_thanh, territory.province_after]


def test_before_the_reform_the_former_communes_committee_is_responsible(territory):
    routing = route_point(point=IN_CAM_THANH, category_code="xay-dung", on=BEFORE_REFORM)

    assert routing.agency == territory.committee_nguyen_nghiem
    assert routing.areas == [
        territory.nguyen_nghiem,
        territory.district,
        territory.province_before,
    ]


def test_a_province_rule_for_the_category_beats_the_default(territory, environment_company):
    rule = services.routing_rule_create(
        area=territory.province_after, agency=environment_company, category_code="ve-sinh"
    )

    routing = route_point(point=IN_CAM_THANH, category_code="ve-sinh", on=AFTER_REFORM)

    assert (routing.agency, routing.rule) == (environment_company, rule)


def test_a_commune_rule_beats_a_province_rule(territory, environment_company, police):
    services.routing_rule_create(
        area=territory.province_after, agency=environment_company, category_code="ve-sinh"
    )
    commune_rule = services.routing_rule_create(
        area=territory.cam_thanh, agency=police, category_code="ve-sinh"
    )

    assert route_point(point=IN_CAM_THANH, category_code="ve-sinh", on=AFTER_REFORM).rule == (
        commune_rule
    )
    in_an_phu = Point(108.85, 15.15, srid=4326)
    assert (
        route_point(point=in_an_phu, category_code="ve-sinh", on=AFTER_REFORM).agency
        == environment_company
    )


def test_a_rule_for_the_category_beats_a_rule_for_every_category_on_the_same_area(
    territory, environment_company, police
):
    services.routing_rule_create(area=territory.cam_thanh, agency=police, category_code="")
    specific = services.routing_rule_create(
        area=territory.cam_thanh, agency=environment_company, category_code="ve-sinh"
    )

    assert (
        route_point(point=IN_CAM_THANH, category_code="ve-sinh", on=AFTER_REFORM).rule == specific
    )
    assert (
        route_point(point=IN_CAM_THANH, category_code="cay-xanh", on=AFTER_REFORM).agency == police
    )


def test_a_rule_on_an_area_of_another_period_does_not_apply(territory, environment_company):
    services.routing_rule_create(
        area=territory.province_before, agency=environment_company, category_code="ve-sinh"
    )

    routing = route_point(point=IN_CAM_THANH, category_code="ve-sinh", on=AFTER_REFORM)

    assert routing.agency == territory.committee_cam_thanh


def test_a_rule_to_an_inactive_agency_is_ignored(territory, environment_company):
    services.routing_rule_create(
        area=territory.province_after, agency=environment_company, category_code="ve-sinh"
    )
    environment_company.is_active = False
    environment_company.save()

    routing = route_point(point=IN_CAM_THANH, category_code="ve-sinh", on=AFTER_REFORM)

    assert routing.agency == territory.committee_cam_thanh


def test_it_rejects_a_point_outside_the_territory(territory):
    with pytest.raises(PointOutsideTerritory) as raised:
        route_point(point=Point(106.7, 10.8, srid=4326), category_code="", on=AFTER_REFORM)

    assert raised.value.message == (
        "Vị trí (10.800000, 106.700000) nằm ngoài địa bàn phục vụ vào ngày 02/03/2026. "
        "Hãy chọn một điểm trong tỉnh Quảng Ngãi."
    )


def test_a_point_in_the_province_but_in_no_commune_is_outside_the_served_territory(territory):
    in_province_only = Point(108.2, 14.7, srid=4326)

    with pytest.raises(PointOutsideTerritory):
        route_point(point=in_province_only, category_code="", on=AFTER_REFORM)


def test_a_point_before_the_first_boundaries_is_outside_the_territory(territory):
    with pytest.raises(PointOutsideTerritory):
        route_point(point=IN_CAM_THANH, category_code="", on=datetime.date(2010, 1, 1))


def test_it_says_when_a_commune_has_no_peoples_committee(territory):
    territory.committee_cam_thanh.jurisdiction.clear()

    with pytest.raises(NoResponsibleAgency) as raised:
        route_point(point=IN_CAM_THANH, category_code="", on=AFTER_REFORM)

    assert "Phường Cẩm Thành" in raised.value.message
