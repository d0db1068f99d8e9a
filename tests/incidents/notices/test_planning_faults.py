"""A fault in planning a filed report's messages never refuses the report (the planning's
savepoint, incidents/notifications.py): the report and its first event are stored, no message
is, and the fault is logged."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from incidents.models import Incident, IncidentEvent
from notifications.models import Notification

from .conftest import FileReport


@pytest.fixture
def outbox_refusing_rows(db: None) -> None:
    """A real database error on every INSERT into the outbox (a trigger that raises), created in
    the test's transaction and gone with its rollback."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION pg_temp.outbox_refuses() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the outbox refuses rows'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER outbox_refuses BEFORE INSERT ON notifications_notification "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.outbox_refuses()"
        )


def test_a_database_error_in_planning_still_files_the_report(
    outbox_refusing_rows: None,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="incidents.notifications"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        incident = file_report(keep_notices=True)

    stored = Incident.objects.get(pk=incident.pk)
    assert stored.tracking_code == incident.tracking_code
    assert list(IncidentEvent.objects.filter(incident=stored).values_list("action", flat=True)) == [
        "created"
    ]
    assert Notification.objects.count() == 0
    assert callbacks == []  # nothing to send: the rolled-back rows left no task behind
    assert [record.getMessage() for record in caplog.records] == [
        f"notifications for {{'incident_id': {incident.pk}}} could not be planned"
    ]


def test_a_fault_in_planning_before_any_statement_still_files_the_report(
    file_report: FileReport,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.NOTIFICATION_PHONE_CHANNEL = "fax"  # not a channel: planning the receipt fails

    with (
        caplog.at_level(logging.ERROR, logger="incidents.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        incident = file_report(keep_notices=True, reporter_email="")

    assert Incident.objects.filter(pk=incident.pk).count() == 1
    assert Notification.objects.count() == 0
    assert [record.getMessage() for record in caplog.records] == [
        f"notifications for {{'incident_id': {incident.pk}}} could not be planned"
    ]
