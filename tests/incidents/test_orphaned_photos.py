"""A report's photos are written before its rows; when the filing (or an action with an evidence
photo) rolls back, its files go too, and only its own (issue 9, item 1).

The database refuses for real: a trigger raises on the insert of the report's event, after the
photos were stored, as a failure late in the transaction would. The listings are of the whole
temporary MEDIA_ROOT.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from incidents import services
from incidents.models import Incident, IncidentEvent, IncidentPhoto

from .conftest import FileReport, jpeg_bytes, png_bytes, snapshot, upload

REFUSAL = "the event table refuses this insert"


class Refused(Exception):
    pass


def stored() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def files_of(*incidents: Incident) -> list[str]:
    return sorted(
        name
        for photo in IncidentPhoto.objects.filter(incident__in=incidents)
        for name in (photo.image.name, photo.thumbnail.name)
        if name
    )


def two_photos() -> list:
    return [upload("a.jpg", jpeg_bytes()), upload("b.png", png_bytes(), "image/png")]


def refuse_events() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION test_refuse_event() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_refuse_event BEFORE INSERT ON {IncidentEvent._meta.db_table}
            FOR EACH ROW EXECUTE FUNCTION test_refuse_event();
            """
        )


def accept_events() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DROP TRIGGER IF EXISTS test_refuse_event ON {IncidentEvent._meta.db_table};"
            "DROP FUNCTION IF EXISTS test_refuse_event();"
        )


@pytest.fixture
def events_refused(db: None) -> Iterator[None]:
    refuse_events()
    yield
    accept_events()


def test_a_filing_refused_after_its_photos_were_written_leaves_no_file(
    file_report: FileReport, events_refused: None
) -> None:
    assert stored() == []

    with pytest.raises(DatabaseError) as refusal:
        file_report(photos=two_photos())

    assert REFUSAL in str(refusal.value)
    assert stored() == []
    assert (Incident.objects.count(), IncidentPhoto.objects.count()) == (0, 0)


def test_a_filing_rolled_back_by_its_caller_leaves_no_file(file_report: FileReport) -> None:
    kept = file_report(photos=[upload("kept.jpg", jpeg_bytes())]).incident
    before = stored()
    assert before == files_of(kept) and len(before) == 2

    with pytest.raises(Refused), transaction.atomic():
        filed = file_report(photos=two_photos())
        assert len(stored()) == 6 and files_of(filed.incident) != []
        raise Refused

    assert stored() == before
    assert list(Incident.objects.values_list("id", flat=True)) == [kept.id]


def test_a_nested_savepoint_rollback_removes_only_the_files_of_its_filing(
    file_report: FileReport,
) -> None:
    with transaction.atomic():
        first = file_report(photos=two_photos()).incident
        with pytest.raises(Refused), transaction.atomic():
            second = file_report(photos=two_photos()).incident
            assert stored() == sorted(files_of(first) + files_of(second))
            raise Refused
        third = file_report(photos=[upload("c.jpg", jpeg_bytes())]).incident

    assert stored() == sorted(files_of(first) + files_of(third))
    assert len(stored()) == 6
    assert IncidentPhoto.objects.filter(incident_id=second.id).count() == 0


def test_a_refused_resolution_removes_its_evidence_photo_and_keeps_the_report_photos(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    services.incident_acknowledge(actor=officer_a, incident=incident)
    before, unchanged = stored(), snapshot(incident)
    refuse_events()

    with pytest.raises(DatabaseError) as refusal:
        services.incident_resolve(
            actor=officer_a,
            incident=incident,
            answer="Đã vá ổ gà.",
            evidence_photo=upload("after.jpg", jpeg_bytes(colour="blue")),
        )

    assert REFUSAL in str(refusal.value)
    assert stored() == before == files_of(incident)
    accept_events()
    assert snapshot(incident) == unchanged


@pytest.mark.django_db(transaction=True)
def test_a_committed_filing_keeps_its_files_and_a_refused_one_after_it_leaves_none(
    file_report: FileReport,
) -> None:
    committed = file_report(photos=two_photos()).incident

    assert stored() == files_of(committed)
    assert len(stored()) == 4
    refuse_events()
    try:
        # Outside any enclosing block: the filing's own transaction is the outermost one.
        with pytest.raises(DatabaseError):
            file_report(photos=[upload("c.jpg", jpeg_bytes())])
    finally:
        accept_events()

    assert stored() == files_of(committed)
    assert list(Incident.objects.values_list("id", flat=True)) == [committed.id]
    for photo in IncidentPhoto.objects.all():
        assert photo.image.read()[:2] in (b"\xff\xd8", b"\x89P")
