"""The task map's page and its GeoJSON: the period and area filters, bad filters refused with
nothing shown, an agency seeing only its own tasks."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.test import Client

from directives.models import Task
from tests.directives.conftest import People, make_directive

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_map_page_shows_the_period_figures_and_its_data_follows_the_filters(
    people: People,
) -> None:
    located = make_directive(people, deadline=datetime.date(2026, 3, 31)).tasks.get()
    Task.objects.filter(pk=located.pk).update(place=Point(108.80, 15.12, srid=4326))
    make_directive(people, deadline=datetime.date(2027, 1, 4))
    client = _client(people.other_leader)
    page = client.get(
        "/nhiem-vu/ban-do/", {"period_start": "2026-01-01", "period_end": "2026-12-31"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert '<dd data-figure="volume">1</dd>' in body
    assert (
        'data-tasks-url="/nhiem-vu/ban-do/nhiem-vu.geojson?period_start=2026-01-01&amp;'
        'period_end=2026-12-31"' in body
    )
    data = client.get(
        "/nhiem-vu/ban-do/nhiem-vu.geojson",
        {"period_start": "2026-01-01", "period_end": "2026-12-31"},
    )
    assert data.status_code == 200 and data["Content-Type"] == "application/geo+json"
    assert [feature["id"] for feature in json.loads(data.content)["features"]] == [located.pk]
    next_year = client.get(
        "/nhiem-vu/ban-do/nhiem-vu.geojson",
        {"period_start": "2027-01-01", "period_end": "2027-12-31"},
    )
    assert json.loads(next_year.content)["features"] == []


def test_a_period_that_ends_before_it_starts_is_refused(people: People) -> None:
    client = _client(people.other_leader)
    query = {"period_start": "2026-12-31", "period_end": "2026-01-01"}
    page = client.get("/nhiem-vu/ban-do/", query)
    assert page.status_code == 400
    assert "“Hạn đến ngày” phải sau “Hạn từ ngày”." in page.content.decode()
    assert "data-figure" not in page.content.decode()
    data = client.get("/nhiem-vu/ban-do/nhiem-vu.geojson", query)
    assert data.status_code == 400
    assert json.loads(data.content) == {"errors": ["“Hạn đến ngày” phải sau “Hạn từ ngày”."]}


def test_an_agency_sees_only_its_own_tasks_and_an_outsider_nothing(people: People) -> None:
    culture_task = make_directive(people).tasks.get()
    Task.objects.filter(pk=culture_task.pk).update(place=Point(108.80, 15.12, srid=4326))
    year = {"period_start": "2026-01-01", "period_end": "2026-12-31"}
    own = _client(people.culture_officer).get("/nhiem-vu/ban-do/nhiem-vu.geojson", year)
    assert [feature["id"] for feature in json.loads(own.content)["features"]] == [culture_task.pk]
    other = _client(people.construction_officer).get("/nhiem-vu/ban-do/nhiem-vu.geojson", year)
    assert json.loads(other.content)["features"] == []
    stranger = User.objects.create_user(username="nguoi-ngoai", password="unused-password")
    assert _client(stranger).get("/nhiem-vu/ban-do/").status_code == 403
