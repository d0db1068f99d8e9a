"""The hand-written INSERTs of a filing send what the ORM's own preparation would send.

`geoapp.sql.InsertUnlessExists` skips the ORM's preparation for text and booleans, which it
would return unchanged; these tests hold it to that on the rows a filing writes: a report with
every kind of value (text, choices, JSON, a point, moments, a reporter's details), its first
event and the outbox row announcing it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Model
from psycopg.types.json import Jsonb

from geoapp.sql import InsertUnlessExists
from incidents.models import Incident, IncidentEvent
from notifications.models import Notification
from tests.conftest import Territory

from .conftest import CAM_THANH_POINT, FileReport


def _comparable(value: Any) -> Any:
    # A psycopg JSON wrapper has no equality of its own: compare what it wraps.
    return ("jsonb", value.obj) if isinstance(value, Jsonb) else value


def _orm_prepared(insert: InsertUnlessExists, instance: Model) -> list[Any]:
    return [
        _comparable(field.get_db_prep_save(field.pre_save(instance, add=True), connection))
        for field in insert.fields
    ]


def _sent(insert: InsertUnlessExists, instance: Model) -> list[Any]:
    statement, values = insert.statement_and_values(instance)
    assert statement == insert.statement.format(placeholders=", ".join(["%s"] * len(values)))
    return [_comparable(value) for value in values]


def test_the_rows_of_a_filing_are_sent_as_the_orm_prepares_them(file_report: FileReport) -> None:
    incident = file_report(address="12 Hùng Vương", priority="urgent", is_public=False).incident
    event = IncidentEvent.objects.get(incident=incident)
    notifications = list(Notification.objects.filter(about_id=incident.pk))
    assert len(notifications) == 1  # the receipt (the test territory's units have no address)

    for model, instance in [
        (Incident, Incident.objects.get(pk=incident.pk)),
        (IncidentEvent, event),
        *[(Notification, notification) for notification in notifications],
    ]:
        insert = InsertUnlessExists(model)
        assert _sent(insert, instance) == _orm_prepared(insert, instance), model.__name__


def test_a_point_in_another_reference_system_keeps_its_transforming_placeholder(
    file_report: FileReport,
) -> None:
    incident = Incident.objects.get(pk=file_report().incident.pk)
    incident.location = Point(588_000, 1_663_000, srid=3405)  # VN-2000 / UTM 48N
    insert = InsertUnlessExists(Incident)

    statement, values = insert.statement_and_values(incident)

    location = [field.name for field in insert.fields].index("location")
    expected = ["%s"] * len(insert.fields)
    expected[location] = insert.fields[location].get_placeholder(  # type: ignore[attr-defined]
        incident.location, None, connection
    )
    assert expected[location] != "%s"
    assert statement == insert.statement.format(placeholders=", ".join(expected))
    assert [_comparable(value) for value in values] == _orm_prepared(insert, incident)


def test_a_report_located_in_another_reference_system_is_filed_transformed(
    territory: Territory, file_report: FileReport
) -> None:
    # Through the filing's one statement (INSERT … SELECT, the location's own placeholder kept),
    # not only the plain INSERT above.
    located = CAM_THANH_POINT.transform(3405, clone=True)  # VN-2000 / UTM 48N
    assert located.srid == 3405

    incident = file_report(point=located).incident

    stored = Incident.objects.get(pk=incident.pk)
    assert stored.location.srid == 4326
    assert stored.location.distance(CAM_THANH_POINT) < 1e-7
    assert (stored.area, stored.agency) == (territory.cam_thanh, territory.committee_cam_thanh)
    assert IncidentEvent.objects.filter(incident=stored).count() == 1
