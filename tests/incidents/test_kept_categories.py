"""Filing keeps the categories it files in (issue 10), and still files no report against a
catalogue that has changed: the catalogue's revision (incidents.0020) is read by the statement
that writes the report, and a report written on a category kept from another revision is rolled
back and filed again on the category read anew."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from geoapp.exceptions import InvalidInput
from incidents import selectors
from incidents.models import Category, CategoryAttribute, Incident, IncidentEvent

from .conftest import FileReport, catalogue_revision


def counts() -> tuple[int, int]:
    return Incident.objects.count(), IncidentEvent.objects.count()


def test_a_kept_category_is_not_read_again(file_report: FileReport) -> None:
    file_report()
    kept = selectors.category_for_filing(code="giao-thong")

    with CaptureQueriesContext(connection) as queries:
        incident = file_report().incident

    # The routing, then one statement for the report, its first event and its messages, written
    # if the catalogue's revision is the kept category's: no savepoint, no read of the category.
    assert [query["sql"].split()[0] for query in queries] == ["WITH", "WITH"]
    assert "wards_areapiece" in queries[0]["sql"]
    assert "incidents_category " not in " ".join(query["sql"] for query in queries)
    assert "INSERT INTO notifications_notification" in queries[1]["sql"]
    assert incident.category is kept.found.category
    assert kept.revision == catalogue_revision()


def test_a_category_closed_by_a_bulk_update_refuses_the_next_report(
    file_report: FileReport,
) -> None:
    file_report()
    # `update` sends no signal: only the revision can tell this process.
    Category.objects.filter(code="giao-thong").update(is_active=False)

    with pytest.raises(InvalidInput) as refused:
        file_report()

    assert refused.value.code == "unknown_category"
    assert counts() == (1, 1)
    assert "giao-thong" not in selectors._filing_categories


def test_a_question_made_required_elsewhere_is_asked_of_the_next_report(
    file_report: FileReport,
) -> None:
    CategoryAttribute.objects.filter(code="loai-hu-hong").update(required=False)
    file_report(attributes={})
    CategoryAttribute.objects.filter(code="loai-hu-hong").update(required=True)

    with pytest.raises(InvalidInput):
        file_report(attributes={})

    assert counts() == (1, 1)


def test_a_report_filed_on_a_changed_catalogue_is_filed_once_on_the_category_read_anew(
    file_report: FileReport,
) -> None:
    first = file_report().incident
    Category.objects.filter(code="giao-thong").update(normal_resolve_within_days=10)
    kept_before = selectors._filing_categories["giao-thong"]

    second = file_report().incident

    assert counts() == (2, 2)
    assert list(second.events.values_list("incident_id", flat=True)) == [second.pk]
    # Read anew: the deadline of the new rule (10 working days, not 3).
    assert second.category.normal_resolve_within_days == 10
    assert second.resolve_by > first.resolve_by
    kept_after = selectors._filing_categories["giao-thong"]
    assert kept_after.revision == catalogue_revision() != kept_before.revision


@pytest.mark.django_db
def test_the_revision_moves_with_every_write_and_never_returns_to_a_value_it_had(
    categories: None,
) -> None:
    seen = [catalogue_revision()]

    def moved() -> int:
        revision = catalogue_revision()
        assert revision not in seen
        seen.append(revision)
        return revision

    category = Category.objects.get(code="giao-thong")
    Category.objects.filter(pk=category.pk).update(order=99)
    moved()
    question = CategoryAttribute.objects.create(
        category=category, code="ghi-chu", datatype="string", description="Ghi chú"
    )
    moved()
    CategoryAttribute.objects.filter(pk=question.pk).update(order=5)
    moved()
    question.delete()
    moved()
    # A revision taken in a rolled-back transaction is never given again.
    with transaction.atomic():
        Category.objects.filter(pk=category.pk).update(order=98)
        rolled_back = moved()
        transaction.set_rollback(True)
    assert catalogue_revision() == seen[-2]
    Category.objects.filter(pk=category.pk).update(order=97)
    assert moved() > rolled_back
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending: TRUNCATE may run
        cursor.execute("TRUNCATE incidents_categoryattribute")
    moved()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_catalogue_revision")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True)
def test_without_photos_a_filing_is_one_statement_committed_by_itself(
    file_report: FileReport,
) -> None:
    file_report()  # the category kept

    with CaptureQueriesContext(connection) as queries:
        incident = file_report().incident

    # No transaction of its own: the routing, then the statement that wrote and committed the
    # report (seen from another connection at once).
    assert [query["sql"].split()[0] for query in queries] == ["WITH", "WITH"]
    assert connection.get_autocommit() and not connection.in_atomic_block
    with psycopg.connect(_psycopg_dsn(), autocommit=True) as other:
        assert other.execute(
            "SELECT count(*) FROM incidents_incident WHERE id = %s", [incident.pk]
        ).fetchone() == (1,)


def _psycopg_dsn() -> str:
    settings = connection.settings_dict
    return (
        f"host={settings['HOST']} port={settings['PORT']} dbname={settings['NAME']} "
        f"user={settings['USER']} password={settings['PASSWORD']}"
    )
