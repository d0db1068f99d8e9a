"""The public layers carry no personal data by construction: the views' columns are exactly an
allow-list, and the public rule inside the view is the incidents app's."""

from __future__ import annotations

import pytest
from django.db import connection

from incidents.models import Incident
from tests.opendata.conftest import Reports

pytestmark = pytest.mark.django_db

ALLOWED_COLUMNS = {
    "opendata_public_report": [
        "id", "tracking_code", "category", "status", "reported_at", "summary",
        "supporters_count", "commune_code", "location",
    ],
    "opendata_commune": [
        "id", "code", "name", "area_type", "valid_from", "valid_to", "area_km2",
        "is_approximate", "boundary", "outline",
    ],
    "opendata_commune_tile_outline": [
        "zoom", "tile_x", "tile_y", "area_id", "code", "name", "area_type", "valid_from",
        "valid_to", "geometry",
    ],
    "opendata_report_grid": ["cell_degrees", "cell", "report_count", "location"],
    "opendata_dossier_month": [
        "id", "commune_code", "commune_name", "month", "valid_from", "valid_to", "received",
        "finished", "on_time", "late", "boundary",
    ],
    "opendata_indicator_value": [
        "id", "indicator", "unit", "period", "valid_from", "valid_to", "commune_code",
        "commune_name", "value", "numerator", "denominator", "boundary",
    ],
}  # fmt: skip


def columns_of(relation: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [relation],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("relation", sorted(ALLOWED_COLUMNS))
def test_each_public_relation_has_exactly_the_allowed_columns(relation: str) -> None:
    assert columns_of(relation) == ALLOWED_COLUMNS[relation]


def test_every_open_data_relation_is_in_the_allow_list() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'opendata\\_%%' "
            "AND relkind IN ('r', 'v', 'm') ORDER BY relname"
        )
        relations = [row[0] for row in cursor.fetchall()]
    assert relations == sorted(ALLOWED_COLUMNS)


def test_the_view_holds_exactly_the_reports_of_the_public_rule(reports: Reports) -> None:
    """The rule is written out in the view's migration; it must select what the incidents app's
    rule selects (public, hidden text, not public, rejected as spam are all in `reports`)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM opendata_public_report ORDER BY id")
        in_view = [row[0] for row in cursor.fetchall()]
    public = list(Incident.objects.public().order_by("id").values_list("id", flat=True))
    assert in_view == public
    assert in_view == sorted(incident.pk for incident in reports.public)
    assert Incident.objects.count() == len(reports.public) + len(reports.private)
