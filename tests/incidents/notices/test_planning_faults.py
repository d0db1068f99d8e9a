"""A filed report's messages and the report commit together (issue 10: they are written by the
statement that writes the report, incidents/notifications.py): a database error in writing them
refuses the report and leaves nothing behind, as one in the report's own INSERT does; a fault in
choosing them, before any statement, never refuses the report: it is filed without messages, and
the fault is logged."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError, connection, transaction
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


def test_a_database_error_in_writing_the_messages_refuses_the_report_and_writes_nothing(
    outbox_refusing_rows: None,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DatabaseError, match="the outbox refuses rows"),
        transaction.atomic(),  # the request's transaction, which the error leaves aborted
    ):
        file_report(keep_notices=True)

    assert Incident.objects.count() == 0
    assert IncidentEvent.objects.count() == 0
    assert Notification.objects.count() == 0
    assert callbacks == []


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
    assert list(
        IncidentEvent.objects.filter(incident=incident).values_list("action", flat=True)
    ) == ["created"]
    assert Notification.objects.count() == 0
    assert [record.getMessage() for record in caplog.records] == [
        "notifications for a report being filed could not be planned"
    ]
