"""Duplicate suggestions: open reports of the same category within the radius (in metres, on the
ellipsoid) and the recent window, nearest first, at most five."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.utils import timezone
from pyproj import Geod
from pytest_django import DjangoAssertNumQueries

from geoapp.exceptions import InvalidInput
from incidents import selectors, services
from incidents.models import Category, Incident

from .conftest import CAM_THANH_POINT, FileReport

WGS84 = Geod(ellps="WGS84")


def offset(point: Point, *, metres: float, azimuth: float = 0.0) -> Point:
    """The point `metres` away from `point` in the direction `azimuth` (0 = north)."""
    lon, lat, _back = WGS84.fwd(point.x, point.y, azimuth, metres)
    return Point(lon, lat, srid=4326)


def suggestions(**overrides: Any) -> list[selectors.DuplicateCandidate]:
    arguments: dict[str, Any] = {"point": CAM_THANH_POINT, "category_code": "giao-thong"}
    arguments.update(overrides)
    return selectors.duplicate_candidates(**arguments)


def test_a_report_200_metres_away_is_suggested_and_one_300_metres_away_is_not(
    file_report: FileReport,
) -> None:
    near = file_report(point=offset(CAM_THANH_POINT, metres=200)).incident
    file_report(point=offset(CAM_THANH_POINT, metres=300))

    found = suggestions()

    assert [candidate.incident for candidate in found] == [near]
    assert found[0].distance_metres == pytest.approx(200.0, abs=0.01)


def test_the_radius_is_in_metres_in_every_direction(file_report: FileReport) -> None:
    # At 15° N a degree of longitude is shorter than a degree of latitude: a radius computed in
    # degrees would be wrong east and west.
    east = file_report(point=offset(CAM_THANH_POINT, metres=245, azimuth=90)).incident
    file_report(point=offset(CAM_THANH_POINT, metres=255, azimuth=270))

    found = suggestions()

    assert [candidate.incident for candidate in found] == [east]
    assert found[0].distance_metres == pytest.approx(245.0, abs=0.01)


def test_the_radius_follows_the_category(file_report: FileReport) -> None:
    Category.objects.filter(code="giao-thong").update(duplicate_radius_metres=400)
    far = file_report(point=offset(CAM_THANH_POINT, metres=350)).incident

    assert [candidate.incident for candidate in suggestions()] == [far]


def test_suggestions_are_nearest_first_and_at_most_five(file_report: FileReport) -> None:
    by_distance = {
        metres: file_report(point=offset(CAM_THANH_POINT, metres=metres, azimuth=metres)).incident
        for metres in (240, 10, 130, 50, 200, 90, 170)
    }

    found = suggestions()

    assert [candidate.incident for candidate in found] == [
        by_distance[metres] for metres in (10, 50, 90, 130, 170)
    ]
    assert [round(candidate.distance_metres, 2) for candidate in found] == [
        10.0,
        50.0,
        90.0,
        130.0,
        170.0,
    ]


def test_other_categories_are_not_suggested(file_report: FileReport) -> None:
    file_report(category_code="chieu-sang", attributes={})

    assert suggestions() == []


def test_reports_older_than_the_window_are_not_suggested(file_report: FileReport) -> None:
    recent = file_report(reported_at=timezone.now() - timedelta(days=29)).incident
    file_report(reported_at=timezone.now() - timedelta(days=31))

    assert [candidate.incident for candidate in suggestions()] == [recent]


@pytest.mark.parametrize("finish", ["resolve", "reject"])
def test_finished_reports_are_not_suggested(
    file_report: FileReport, officer_a: User, finish: str
) -> None:
    incident = file_report().incident
    if finish == "resolve":
        services.incident_acknowledge(actor=officer_a, incident=incident)
        services.incident_resolve(actor=officer_a, incident=incident, answer="Xong")
    else:
        services.incident_reject(actor=officer_a, incident=incident, reason="outside_scope")

    assert suggestions() == []


def test_reports_hidden_from_the_public_are_not_suggested_publicly(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report().incident
    services.incident_hide(actor=officer_a, incident=incident, reason="Riêng tư")

    assert suggestions() == []
    assert [candidate.incident for candidate in suggestions(public_only=False)] == [incident]


def test_an_unknown_category_is_refused(db: None) -> None:
    with pytest.raises(InvalidInput) as refused:
        suggestions(category_code="khong-co")

    assert refused.value.code == "unknown_category"


def test_the_suggestions_take_a_fixed_number_of_queries_among_many_reports(
    file_report: FileReport, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    file_report(point=offset(CAM_THANH_POINT, metres=100))
    # Many reports elsewhere in the same category, written directly: only the query matters here.
    template = Incident.objects.get()
    far = []
    for index in range(300):
        copy = Incident.objects.get(pk=template.pk)
        copy.pk = None
        copy.tracking_code = f"PA-ZZZZ-{index:04d}"
        copy.location = offset(CAM_THANH_POINT, metres=2000 + index * 10, azimuth=index)
        far.append(copy)
    Incident.objects.bulk_create(far)

    with django_assert_max_num_queries(3):
        found = suggestions()

    assert len(found) == 1
